"""The oversight page's tables, words and links (:mod:`gateway.ops.oversight_page`).

What the page writes: each figure's column (its name, its short heading under its
group's, how it is written, the step its link drills down to), the figures in the
page's language (``1.294``, ``98,0%`` or ``1,294``, ``98.0%``), the regions' ranks,
the links of every figure, download and language switch, the rows' and period's
names in English, and the monthly trend chart (:mod:`gateway.ops.oversight_chart`).
Indonesian by default, English with ``en``; the lateness figures name the tenant's
own limits (its mapping's ``sla``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from gateway.mappings.spec import Sla
from gateway.ops import oversight_chart
from gateway.oversight.figures import STEPS, Counts, Oversight, Row
from gateway.oversight.names import english_name
from gateway.oversight.periods import month_label

PATH = "/ops/pengawasan"
DRILL_PATH = f"{PATH}/pengaduan"
#: a step's name on the page, Indonesian and English; ``{verify}``, ``{follow_up}``
#: and ``{finish}`` are the SLA's limits in working days (:func:`step_words`)
_STEP_WORDS: dict[str, tuple[str, str]] = {
    "received": ("Diterima", "Received"),
    "verified": ("Terverifikasi", "Verified"),
    "dispatched": ("Terdisposisi", "Dispatched"),
    "followed_up": ("Ditindaklanjuti", "Followed up"),
    "finished": ("Selesai", "Finished"),
    "archived": ("Diarsipkan", "Archived"),
    "over_sla_verify": (
        "Lewat {verify} hari kerja (verifikasi)",
        "Over {verify} working days (verify)",
    ),
    "over_sla_follow_up": (
        "Lewat {follow_up} hari kerja (tindak lanjut)",
        "Over {follow_up} working days (follow-up)",
    ),
    "over_sla_finish": (
        "Lewat {finish} hari kerja (selesai)",
        "Over {finish} working days (finish)",
    ),
    "followed_up_by_end": (
        "Masuk dalam periode, ditindaklanjuti atau selesai pada akhir periode",
        "Received in the period, followed up or finished by its end",
    ),
    "finished_by_end": (
        "Masuk dalam periode, selesai pada akhir periode",
        "Received in the period, finished by its end",
    ),
}


def _limits(sla: Sla) -> dict[str, int]:
    return {
        "verify": sla.verify_days,
        "follow_up": sla.follow_up_days,
        "finish": sla.auto_close_days,
    }


def step_words(sla: Sla) -> dict[str, tuple[str, str]]:
    """Each step's name, Indonesian and English, under the tenant's ``sla``."""
    limits = _limits(sla)
    return {
        step: (indonesian.format_map(limits), english.format_map(limits))
        for step, (indonesian, english) in _STEP_WORDS.items()
    }


#: the steps' names under the default SLA (3, 5 and 10 working days)
STEP_WORDS = step_words(Sla())


@dataclass(frozen=True)
class Column:
    """One figure of a :class:`Counts`: its field, its full name (a card's label, a
    definition's term), how it is written (``count``, ``rate`` or ``days``), the step
    its link drills down to, and its short heading under its group's."""

    field: str
    label: str
    kind: str
    step: str
    short: str = ""


@dataclass(frozen=True)
class Group:
    label: str
    span: int


#: the figures' columns: (field, kind, drill-down step, short heading id/en); the full
#: names of the steps are step_words'
COLUMNS: tuple[tuple[str, str, str, tuple[str, str]], ...] = (
    *((s, "count", s, _STEP_WORDS[s]) for s in STEPS),
    ("follow_up_rate", "rate", "followed_up_by_end", ("Tindak lanjut", "Follow-up")),
    ("finish_rate", "rate", "finished_by_end", ("Penyelesaian", "Finish")),
    ("median_days_to_verify", "days", "verified", ("Verifikasi", "Verify")),
    ("median_days_to_follow_up", "days", "followed_up", ("Tindak lanjut", "Follow-up")),
    ("median_days_to_finish", "days", "finished", ("Selesai", "Finish")),
    ("over_sla_verify", "count", "over_sla_verify", ("{verify} (verifikasi)", "{verify} (verify)")),
    (
        "over_sla_follow_up",
        "count",
        "over_sla_follow_up",
        ("{follow_up} (tindak lanjut)", "{follow_up} (follow-up)"),
    ),
    ("over_sla_finish", "count", "over_sla_finish", ("{finish} (selesai)", "{finish} (finish)")),
)
#: the groups of COLUMNS, in order: (heading id/en, how many columns)
GROUPS = (
    (("Jumlah pengaduan", "Complaints"), 6),
    (("Tingkat", "Rate"), 2),
    (("Median hari kerja ke", "Median working days to"), 3),
    (("Lewat tenggat, hari kerja", "Past due, working days"), 3),
)


def words(en: bool) -> Callable[[str, str], str]:
    """``w("Diterima", "Received")`` in the templates: the page's language."""
    return lambda indonesian, english: english if en else indonesian


def columns(en: bool, sla: Sla) -> list[Column]:
    """The figures' columns in the page's language, the lateness ones with ``sla``'s
    limits."""
    w = words(en)
    named = step_words(sla)
    limits = _limits(sla)
    full = {
        "follow_up_rate": w("Tingkat tindak lanjut", "Follow-up rate"),
        "finish_rate": w("Tingkat penyelesaian", "Finish rate"),
        "median_days_to_verify": w("Median ke verifikasi", "Median to verify"),
        "median_days_to_follow_up": w("Median ke tindak lanjut", "Median to follow-up"),
        "median_days_to_finish": w("Median ke selesai", "Median to finish"),
    }
    return [
        Column(
            field,
            full.get(field) or named[field][en],
            kind,
            step,
            short[en].format_map(limits),
        )
        for field, kind, step, short in COLUMNS
    ]


def groups(en: bool) -> list[Group]:
    return [Group(label[en], span) for label, span in GROUPS]


def terms(en: bool, sla: Sla) -> dict[str, str]:
    """A definition's term on the page: the heading of the figure it defines."""
    named = {key: pair[en] for key, pair in step_words(sla).items()}
    named |= {column.field: column.label for column in columns(en, sla)}
    named["active"] = words(en)("Keaktifan", "Active")
    return named


class Numbers:
    """Figures as the page's language writes them: ``1.294``, ``98,0%``, ``2,5``
    (Indonesian) or ``1,294``, ``98.0%``, ``2.5`` (English); ``-`` for none."""

    def __init__(self, en: bool) -> None:
        self.en = en

    def _local(self, text: str) -> str:
        if self.en:
            return text
        return text.replace(",", "_").replace(".", ",").replace("_", ".")

    def figure(self, counts: Counts, column: Column) -> str:
        value = getattr(counts, column.field)
        if value is None:
            return "-"
        if column.kind == "rate":
            return self._local(f"{value * 100:.1f}%")
        if column.kind == "days":
            return self._local(f"{value:,.1f}")
        return self._local(f"{int(value):,}")


def row_names(en: bool) -> Callable[[str, Row], str]:
    """``named("channel", row)`` in the templates: a breakdown row's name in the page's
    language (:func:`gateway.oversight.names.english_name`)."""
    if en:
        return lambda kind, row: english_name(kind, row.key, row.name)
    return lambda _kind, row: row.name


def _rate_key(row: Row) -> tuple[float, float, int]:
    c = row.counts
    follow_up = -1.0 if c.follow_up_rate is None else c.follow_up_rate
    finish = -1.0 if c.finish_rate is None else c.finish_rate
    return (-follow_up, -finish, -c.received)


def region_ranks(rows: list[Row]) -> dict[str, int]:
    """Each region's place, as agencies are ranked: follow-up rate, then finish rate,
    then complaints received; a region that received nothing comes last."""
    return {row.key: place for place, row in enumerate(sorted(rows, key=_rate_key), start=1)}


class Links:
    """The page's links: a figure's drill-down, a download, the other language."""

    def __init__(self, tenant: str, period: str, en: bool) -> None:
        self.tenant, self.period, self.en = tenant, period, en

    def _query(self, pairs: list[tuple[str, str]]) -> str:
        return urlencode([*pairs, *([("lang", "en")] if self.en else [])])

    def drill(self, step: str, dims: Mapping[str, str] | None = None, period: str = "") -> str:
        pairs = [("tenant", self.tenant), ("period", period or self.period), ("step", step)]
        pairs += list((dims or {}).items())
        return f"{DRILL_PATH}?{self._query(pairs)}"

    def download(self, fmt: str) -> str:
        pairs = [("tenant", self.tenant), ("period", self.period), ("format", fmt)]
        return f"{PATH}/unduh?{urlencode(pairs)}"

    def page(self, en: bool | None = None) -> str:
        """The page itself; in English or Indonesian when ``en`` says (the console
        remembers the choice), else in the page's language."""
        pairs = [("tenant", self.tenant), ("period", self.period)]
        if en is None:
            return f"{PATH}?{self._query(pairs)}"
        return f"{PATH}?{urlencode([*pairs, ('lang', 'en' if en else 'id')])}"


def trend(oversight: Oversight, links: Links, en: bool) -> oversight_chart.TrendChart:
    """The monthly trend chart, its months named in the page's language."""
    names = [STEP_WORDS[s][en].lower() for s in oversight_chart.STEPS]
    lang = "en" if en else "id"
    months = [replace(m, label=month_label(m.key, m.label, lang)) for m in oversight.monthly]

    def summary(received: int, followed_up: int, finished: int) -> str:
        span = f"{months[0].label} - {months[-1].label}" if months else "-"
        said = words(en)(
            f"{received} diterima, {followed_up} ditindaklanjuti, {finished} selesai",
            f"{received} received, {followed_up} followed up, {finished} finished",
        )
        return f"{oversight.tenant_name}, {span}: {said}"

    return oversight_chart.chart(
        months, names, lambda month, step: links.drill(step, period=month), summary
    )
