"""The oversight page (``/ops/pengawasan``) and the complaints behind each of its figures.

What a province is evaluated on, for a period it chooses (a month, a quarter, a year
or dates) and a tenant the operator may see (a province covers itself and every
regency and city below it, :func:`gateway.hierarchy.family`): the total, each regency
and city with its keaktifan, each agency (OPD) ranked, each channel and topic, the SLA
overdue counts, the medians in working days and a monthly trend chart
(:mod:`gateway.ops.oversight_chart`). The figures are
:class:`gateway.oversight.figures.Oversight`, from :func:`gateway.oversight.compute.compute`.

Every figure links to ``/ops/pengawasan/pengaduan`` with the same tenant and period,
its step (``received`` ... ``over_sla_finish``) and its breakdown (``region``,
``agency``, ``channel``, ``topic``): the complaints behind it
(:func:`gateway.oversight.compute.drill`), a page of 50 at a time, each linking to
its complaint. A tenant the operator may not see, or a region outside the tenant's
family, answers 404 as if it did not exist. Indonesian by default; ``?lang=en`` shows
the page in English (and keeps it on every link). Dates are the tenant's, the zone
named.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from urllib.parse import urlencode

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from gateway.domain.zones import Zone, local, shown, zone_or_wib
from gateway.hierarchy import family, parent_of
from gateway.ops import auth, oversight_chart
from gateway.ops.auth import CurrentOperator, OperatorContext
from gateway.ops.paging import PAGE_SIZE, Paging
from gateway.ops.rendering import container, message, not_found, page_number, render, visible
from gateway.oversight import compute
from gateway.oversight.figures import STEPS, Counts, Drill, Oversight, Period, Row

router = auth.router
PATH = "/ops/pengawasan"
DRILL_PATH = f"{PATH}/pengaduan"
SLA_STEPS = ("over_sla_verify", "over_sla_follow_up", "over_sla_finish")
#: the numerators of the rates: received in the period and followed up (or finished)
#: by its end (:data:`gateway.oversight.compute.MEASURES`)
RATE_STEPS = ("followed_up_by_end", "finished_by_end")
FORMATS = ("xlsx", "pdf", "csv")
#: a step's name on the page, Indonesian and English
STEP_WORDS: dict[str, tuple[str, str]] = {
    "received": ("Diterima", "Received"),
    "verified": ("Terverifikasi", "Verified"),
    "dispatched": ("Terdisposisi", "Dispatched"),
    "followed_up": ("Ditindaklanjuti", "Followed up"),
    "finished": ("Selesai", "Finished"),
    "archived": ("Diarsipkan", "Archived"),
    "over_sla_verify": ("Lewat 3 hari kerja (verifikasi)", "Over 3 working days (verify)"),
    "over_sla_follow_up": (
        "Lewat 5 hari kerja (tindak lanjut)",
        "Over 5 working days (follow-up)",
    ),
    "over_sla_finish": ("Lewat 10 hari kerja (selesai)", "Over 10 working days (finish)"),
    "followed_up_by_end": (
        "Masuk dalam periode, ditindaklanjuti atau selesai pada akhir periode",
        "Received in the period, followed up or finished by its end",
    ),
    "finished_by_end": (
        "Masuk dalam periode, selesai pada akhir periode",
        "Received in the period, finished by its end",
    ),
}


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
#: names of the steps are STEP_WORDS'
COLUMNS: tuple[tuple[str, str, str, tuple[str, str]], ...] = (
    *((s, "count", s, STEP_WORDS[s]) for s in STEPS),
    ("follow_up_rate", "rate", "followed_up_by_end", ("Tindak lanjut", "Follow-up")),
    ("finish_rate", "rate", "finished_by_end", ("Penyelesaian", "Finish")),
    ("median_days_to_verify", "days", "verified", ("Verifikasi", "Verify")),
    ("median_days_to_follow_up", "days", "followed_up", ("Tindak lanjut", "Follow-up")),
    ("median_days_to_finish", "days", "finished", ("Selesai", "Finish")),
    ("over_sla_verify", "count", "over_sla_verify", ("3 (verifikasi)", "3 (verify)")),
    ("over_sla_follow_up", "count", "over_sla_follow_up", ("5 (tindak lanjut)", "5 (follow-up)")),
    ("over_sla_finish", "count", "over_sla_finish", ("10 (selesai)", "10 (finish)")),
)
#: the groups of COLUMNS, in order: (heading id/en, how many columns)
GROUPS = (
    (("Jumlah pengaduan", "Complaints"), 6),
    (("Tingkat", "Rate"), 2),
    (("Median hari kerja ke", "Median working days to"), 3),
    (("Lewat tenggat, hari kerja", "Past due, working days"), 3),
)


def _columns(en: bool) -> list[Column]:
    w = words(en)
    full = {
        "follow_up_rate": w("Tingkat tindak lanjut", "Follow-up rate"),
        "finish_rate": w("Tingkat penyelesaian", "Finish rate"),
        "median_days_to_verify": w("Median ke verifikasi", "Median to verify"),
        "median_days_to_follow_up": w("Median ke tindak lanjut", "Median to follow-up"),
        "median_days_to_finish": w("Median ke selesai", "Median to finish"),
    }
    return [
        Column(field, full.get(field) or STEP_WORDS[field][en], kind, step, short[en])
        for field, kind, step, short in COLUMNS
    ]


def _groups(en: bool) -> list[Group]:
    return [Group(label[en], span) for label, span in GROUPS]


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


def _rate_key(row: Row) -> tuple[float, float, int]:
    c = row.counts
    follow_up = -1.0 if c.follow_up_rate is None else c.follow_up_rate
    finish = -1.0 if c.finish_rate is None else c.finish_rate
    return (-follow_up, -finish, -c.received)


def region_ranks(rows: list[Row]) -> dict[str, int]:
    """Each region's place, as agencies are ranked: follow-up rate, then finish rate,
    then complaints received; a region that received nothing comes last."""
    return {row.key: place for place, row in enumerate(sorted(rows, key=_rate_key), start=1)}


def _now(request: Request) -> datetime:
    """Now: ``app.state.ops_clock`` when the app has one (tests), else the wall clock."""
    clock = getattr(request.app.state, "ops_clock", None)
    return clock() if clock is not None else datetime.now(UTC)


def _zone(request: Request, tenant: str) -> Zone:
    return zone_or_wib(container(request).tenants[tenant].spec.region_code)


def _tenant(request: Request, ctx: OperatorContext) -> str | None:
    """The tenant asked for if the operator may see it; without one the operator's own,
    else the first province it sees. None: not one it may see (or none at all)."""
    seen = visible(request, ctx)
    asked = request.query_params.get("tenant", "")[:64]
    if asked:
        return asked if asked in seen else None
    tenants = container(request).tenants
    if ctx.operator.tenant in seen:
        return str(ctx.operator.tenant)
    tops = [t for t in seen if parent_of(tenants[t]) not in seen]
    return next(iter(tops or seen), None)


def period_key(params: Mapping[str, str], today_key: str) -> str:
    """The period asked for: ``period`` itself, else the chooser's fields (``kind``:
    ``month``, ``quarter``, ``year`` or ``dates``), else this month."""
    if params.get("period"):
        return params["period"][:32]
    kind = params.get("kind", "")
    year = params.get("year", "")[:4]
    if kind == "month" and params.get("month"):
        return params["month"][:7]
    if kind == "quarter" and year and params.get("quarter"):
        return f"{year}-Q{params['quarter'][:1]}"
    if kind == "year" and year:
        return year
    if kind == "dates" and params.get("from") and params.get("to"):
        return f"{params['from'][:10]}..{params['to'][:10]}"
    return today_key


def _period(request: Request, zone: Zone) -> Period | None:
    today = local(_now(request), zone).date()
    key = period_key(request.query_params, today.strftime("%Y-%m"))
    try:
        return compute.parse_period(key, today)
    except ValueError:
        return None


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


def english(request: Request, ctx: OperatorContext) -> bool:
    """Whether the page speaks English: the console's language (``?lang=``, remembered
    in a cookie, :mod:`gateway.ops.labels`), Indonesian by default."""
    language = getattr(ctx, "language", None) or request.query_params.get("lang", "id")
    return language == "en"


def words(en: bool) -> Callable[[str, str], str]:
    """``w("Diterima", "Received")`` in the templates: the page's language."""
    return lambda indonesian, english: english if en else indonesian


def _chart(oversight: Oversight, links: Links, en: bool) -> oversight_chart.TrendChart:
    names = [STEP_WORDS[s][en].lower() for s in oversight_chart.STEPS]

    def summary(received: int, followed_up: int, finished: int) -> str:
        span = (
            f"{oversight.monthly[0].label} - {oversight.monthly[-1].label}"
            if oversight.monthly
            else "-"
        )
        said = words(en)(
            f"{received} diterima, {followed_up} ditindaklanjuti, {finished} selesai",
            f"{received} received, {followed_up} followed up, {finished} finished",
        )
        return f"{oversight.tenant_name}, {span}: {said}"

    return oversight_chart.chart(
        oversight.monthly, names, lambda month, step: links.drill(step, period=month), summary
    )


def period_kind(key: str) -> str:
    """Which of the chooser's kinds a period key is: ``month``, ``quarter``, ``year``
    or ``dates``."""
    if ".." in key:
        return "dates"
    if "Q" in key.upper():
        return "quarter"
    return "year" if len(key) == 4 else "month"


def terms(en: bool) -> dict[str, str]:
    """A definition's term on the page: the heading of the figure it defines."""
    named = {key: pair[en] for key, pair in STEP_WORDS.items()}
    named |= {column.field: column.label for column in _columns(en)}
    named["active"] = words(en)("Keaktifan", "Active")
    return named


def _choices(request: Request, ctx: OperatorContext) -> list[tuple[str, str]]:
    tenants = container(request).tenants
    return [(t, tenants[t].spec.name) for t in visible(request, ctx)]


@router.get("/pengawasan")
async def oversight_page(request: Request, ctx: CurrentOperator) -> Response:
    en = english(request, ctx)
    tenant = _tenant(request, ctx)
    if tenant is None:
        return not_found(ctx)
    zone = _zone(request, tenant)
    period = _period(request, zone)
    if period is None:
        return _bad_period(ctx, en)
    app = container(request)
    now = _now(request)
    figures = await run_in_threadpool(
        partial(compute.compute, now=now), app.factory, app.tenants, tenant, period
    )
    links = Links(tenant, period.key, en)
    return render(
        ctx,
        "pengawasan.html",
        o=figures,
        en=en,
        w=words(en),
        columns=_columns(en),
        groups=_groups(en),
        numbers=Numbers(en),
        links=links,
        formats=FORMATS,
        ranks=region_ranks(list(figures.by_region)),
        trend=_chart(figures, links, en),
        choices=_choices(request, ctx),
        kind=period_kind(period.key),
        terms=terms(en),
        computed=local(now, zone).strftime("%Y-%m-%d %H:%M"),
    )


def _bad_period(ctx: OperatorContext, en: bool) -> Response:
    if en:
        return message(
            ctx, "Unknown period", "Choose a month, a quarter, a year or two dates.", 400
        )
    return message(
        ctx, "Periode tidak dikenal", "Pilih bulan, triwulan, tahun atau dua tanggal.", 400
    )


def _drill_of(request: Request, tenant: str, period: Period) -> Drill | None:
    """The drill-down asked for, or None when its step or region is not one there is."""
    params = request.query_params
    step = params.get("step", "")
    region = params.get("region", "")[:64] or None
    if step not in (*STEPS, *SLA_STEPS, *RATE_STEPS):
        return None
    if region is not None and region not in family(container(request).tenants, tenant):
        return None
    try:
        topic = int(params["topic"]) if params.get("topic") else None
    except ValueError:
        return None
    return Drill(
        tenant,
        period.key,
        step,
        region=region,
        # "": the complaints without an agency (the row of those, keyed "")
        agency=params["agency"][:64] if "agency" in params else None,
        channel=params.get("channel", "")[:32] or None,
        topic=topic,
    )


@router.get("/pengawasan/pengaduan")
async def drill_page(request: Request, ctx: CurrentOperator) -> Response:
    en = english(request, ctx)
    tenant = _tenant(request, ctx)
    if tenant is None or not request.query_params.get("tenant"):
        return not_found(ctx)
    period = _period(request, _zone(request, tenant))
    if period is None:
        return _bad_period(ctx, en)
    asked = _drill_of(request, tenant, period)
    if asked is None:
        return not_found(ctx)
    app = container(request)
    number = page_number(request)
    offset = (number - 1) * PAGE_SIZE
    total, complaints = await run_in_threadpool(
        partial(compute.drill, offset=offset, limit=PAGE_SIZE, now=_now(request)),
        app.factory,
        app.tenants,
        asked,
    )
    keep = tuple((k, v) for k, v in request.query_params.items() if k != "page")
    names = {t: app.tenants[t].spec.name for t in family(app.tenants, tenant)}
    return render(
        ctx,
        "pengawasan_pengaduan.html",
        d=asked,
        period=period,
        en=en,
        w=words(en),
        step_word=STEP_WORDS[asked.step][en],
        complaints=complaints,
        paging=Paging(number, total, keep),
        path=DRILL_PATH,
        names=names,
        zone=_zone(request, tenant).label,
        at=lambda moment: shown(moment, _zone(request, tenant)),
        back=Links(tenant, period.key, en).page(),
    )
