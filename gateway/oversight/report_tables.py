"""The reports' tables: one :class:`~gateway.oversight.figures.Oversight` as labelled
tables, the same for the XLSX workbook, the PDF and the CSV (``gateway report``,
``/ops/pengawasan/unduh``).

Headers are Bahasa Indonesia by default, English with ``lang="en"``. Values stay
typed: counts are ints, rates fractions (0.98, shown as 98.0 %), medians working days,
keaktifan a bool; ``None`` is a figure that does not exist (nothing received).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

from gateway.oversight import periods
from gateway.oversight.figures import Counts, Oversight, Row
from gateway.oversight.names import english_name

Lang = Literal["id", "en"]
#: text, int (a count), rate (a fraction), days (working days), active (keaktifan)
Kind = Literal["text", "int", "rate", "days", "active"]
LANGS: tuple[Lang, ...] = ("id", "en")

#: the figures of :class:`Counts`, in the order the reports show them
COUNT_FIELDS = ("received", "verified", "dispatched", "followed_up", "finished", "archived")
RATE_FIELDS = ("follow_up_rate", "finish_rate")
TIME_FIELDS = (
    "median_days_to_verify",
    "median_days_to_follow_up",
    "median_days_to_finish",
    "over_sla_verify",
    "over_sla_follow_up",
    "over_sla_finish",
)
FIELDS = (*COUNT_FIELDS, *RATE_FIELDS, *TIME_FIELDS)

_LABELS: dict[Lang, dict[str, str]] = {
    "id": {
        "received": "Diterima",
        "verified": "Terverifikasi",
        "dispatched": "Terdisposisi",
        "followed_up": "Ditindaklanjuti",
        "finished": "Selesai",
        "archived": "Diarsipkan",
        "follow_up_rate": "Tingkat tindak lanjut",
        "finish_rate": "Tingkat penyelesaian",
        "median_days_to_verify": "Median hari kerja ke verifikasi",
        "median_days_to_follow_up": "Median hari kerja ke tindak lanjut",
        "median_days_to_finish": "Median hari kerja ke selesai",
        "over_sla_verify": "Lewat batas verifikasi",
        "over_sla_follow_up": "Lewat batas tindak lanjut",
        "over_sla_finish": "Lewat batas penyelesaian",
        "active": "Keaktifan",
        "rank": "Peringkat",
        "code": "Kode",
        "region": "Kabupaten/kota",
        "agency": "Instansi (OPD)",
        "channel": "Kanal",
        "topic": "Topik",
        "month": "Bulan",
        # titles
        "title": "Laporan Pengawasan Pengaduan",
        "summary": "Ringkasan",
        "regions": "Per kabupaten/kota",
        "agencies": "Peringkat instansi (OPD)",
        "channels": "Per kanal",
        "topics": "Per topik",
        "monthly": "Tren bulanan",
        "definitions": "Definisi",
        "timing": "Waktu dan batas waktu (SLA)",
        "trend_chart": "Tren bulanan: diterima, ditindaklanjuti, selesai",
        "rates_chart": "Tingkat tindak lanjut dan penyelesaian per kabupaten/kota",
        # summary lines
        "tenant": "Instansi pengawas",
        "period": "Periode",
        "dates": "Tanggal",
        "zone": "Zona waktu",
        "covered": "Wilayah tercakup",
        "generated": "Dibuat",
        "figure": "Angka",
        "value": "Nilai",
        "term": "Istilah",
        "meaning": "Arti",
        "yes": "Aktif",
        "no": "Tidak aktif",
        "page": "Halaman {page} dari {pages}",
        "none": "-",
    },
    "en": {
        "received": "Received",
        "verified": "Verified",
        "dispatched": "Dispatched",
        "followed_up": "Followed up",
        "finished": "Finished",
        "archived": "Archived",
        "follow_up_rate": "Follow-up rate",
        "finish_rate": "Finish rate",
        "median_days_to_verify": "Median working days to verification",
        "median_days_to_follow_up": "Median working days to follow-up",
        "median_days_to_finish": "Median working days to finish",
        "over_sla_verify": "Past the verification due date",
        "over_sla_follow_up": "Past the follow-up due date",
        "over_sla_finish": "Past the finish due date",
        "active": "Active",
        "rank": "Rank",
        "code": "Code",
        "region": "Regency/city",
        "agency": "Agency (OPD)",
        "channel": "Channel",
        "topic": "Topic",
        "month": "Month",
        "title": "Complaint Oversight Report",
        "summary": "Summary",
        "regions": "By regency/city",
        "agencies": "Agency ranking (OPD)",
        "channels": "By channel",
        "topics": "By topic",
        "monthly": "Monthly trend",
        "definitions": "Definitions",
        "timing": "Times and due dates (SLA)",
        "trend_chart": "Monthly trend: received, followed up, finished",
        "rates_chart": "Follow-up and finish rates by regency/city",
        "tenant": "Overseeing tenant",
        "period": "Period",
        "dates": "Dates",
        "zone": "Time zone",
        "covered": "Regions covered",
        "generated": "Generated",
        "figure": "Figure",
        "value": "Value",
        "term": "Term",
        "meaning": "Meaning",
        "yes": "Active",
        "no": "Inactive",
        "page": "Page {page} of {pages}",
        "none": "-",
    },
}


def label(lang: Lang, key: str) -> str:
    return _LABELS[lang][key]


def check_lang(lang: str) -> Lang:
    """``lang`` as a :data:`Lang`; ValueError for anything but ``id`` and ``en``."""
    if lang == "id":
        return "id"
    if lang == "en":
        return "en"
    raise ValueError(f"unknown language {lang!r}: id or en")


def kind_of(field: str) -> Kind:
    if field in RATE_FIELDS:
        return "rate"
    if field.startswith("median_"):
        return "days"
    return "int"


def long_date(day: date, lang: Lang) -> str:
    """``1 November 2026``."""
    return periods.long_date(day, lang)


def moment(at: datetime, zone_label: str, lang: Lang) -> str:
    """A time already in the tenant's zone, with the zone named: ``1 Desember 2026 08:42 WIB``."""
    return f"{long_date(at.date(), lang)} {at:%H:%M} {zone_label}"


def period_label(o: Oversight, lang: Lang) -> str:
    """The period as the report's language says it (:func:`periods.period_label`): the
    Oversight's own (Indonesian) label, or in English "November 2026", "Q4 2026"..."""
    return periods.period_label(o.period, lang)


def month_label(key: str, fallback: str, lang: Lang) -> str:
    """A month of the trend (``2026-11``): the Oversight's label, or ``Nov 2026``."""
    return periods.month_label(key, fallback, lang)


def local_now(zone_label: str) -> datetime:
    """Now in the zone an :class:`Oversight` names (WIB, WITA, WIT): when a report is made."""
    from gateway.domain.zones import WIB, WIT, WITA

    zone = {"WIB": WIB, "WITA": WITA, "WIT": WIT}.get(zone_label, WIB)
    return datetime.now(UTC).astimezone(zone.info)


def dates(o: Oversight, lang: Lang) -> str:
    return f"{long_date(o.period.start, lang)} - {long_date(o.period.end, lang)}"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: Kind


@dataclass(frozen=True)
class Table:
    """One breakdown: ``key`` (``regions``, ``agencies``, ``channels``, ``topics``,
    ``monthly``), its title, columns and typed rows."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[object, ...], ...]

    def column(self, key: str) -> int:
        return [c.key for c in self.columns].index(key)


#: the breakdowns a single-table CSV may be asked for (``--table``)
TABLES = ("summary", "regions", "agencies", "channels", "topics", "monthly", "definitions")


def _figures(counts: Counts) -> tuple[object, ...]:
    return tuple(getattr(counts, f) for f in FIELDS)


def _figure_columns(lang: Lang) -> tuple[Column, ...]:
    return tuple(Column(f, label(lang, f), kind_of(f)) for f in FIELDS)


#: a breakdown table's rows by kind (:func:`gateway.oversight.names.english_name`)
_KINDS = {"agencies": "agency", "channels": "channel", "topics": "topic"}


def _rows_table(
    key: str, lang: Lang, first: str, rows: Sequence[Row], *, code: bool, active: bool
) -> Table:
    columns: list[Column] = []
    if key == "agencies":
        columns.append(Column("rank", label(lang, "rank"), "int"))
    columns.append(Column("name", label(lang, first), "text"))
    if code:
        columns.append(Column("code", label(lang, "code"), "text"))
    columns.extend(_figure_columns(lang))
    if active:
        columns.append(Column("active", label(lang, "active"), "active"))
    lines: list[tuple[object, ...]] = []
    for place, row in enumerate(rows, 1):
        line: list[object] = [place] if key == "agencies" else []
        kind = _KINDS.get(key, "")
        line.append(english_name(kind, row.key, row.name) if lang == "en" else row.name)
        if code:
            line.append(row.key)
        line.extend(_figures(row.counts))
        if active:
            line.append(row.active)
        lines.append(tuple(line))
    return Table(key, label(lang, key), tuple(columns), tuple(lines))


def breakdowns(o: Oversight, lang: Lang = "id") -> list[Table]:
    """Per regency and city (with keaktifan), per agency (ranked), channel, topic, month."""
    monthly = Table(
        "monthly",
        label(lang, "monthly"),
        (Column("month", label(lang, "month"), "text"), *_figure_columns(lang)),
        tuple((month_label(m.key, m.label, lang), *_figures(m.counts)) for m in o.monthly),
    )
    return [
        _rows_table("regions", lang, "region", o.by_region, code=True, active=True),
        _rows_table("agencies", lang, "agency", o.by_agency, code=True, active=False),
        _rows_table("channels", lang, "channel", o.by_channel, code=False, active=False),
        _rows_table("topics", lang, "topic", o.by_topic, code=False, active=False),
        monthly,
    ]


def heading(o: Oversight, lang: Lang, now: datetime) -> list[tuple[str, str]]:
    """Who, when, where: the tenant, the period, its dates, the zone, the regions covered,
    when the report was made (``now``, already in the tenant's zone)."""
    return [
        (label(lang, "tenant"), o.tenant_name),
        (label(lang, "period"), period_label(o, lang)),
        (label(lang, "dates"), dates(o, lang)),
        (label(lang, "zone"), o.zone),
        (label(lang, "covered"), str(len(o.tenants))),
        (label(lang, "generated"), moment(now, o.zone, lang)),
    ]


def summary(o: Oversight, lang: Lang = "id") -> Table:
    """The tenant and every tenant below it, as a whole: one figure a line."""
    return Table(
        "summary",
        label(lang, "summary"),
        (
            Column("figure", label(lang, "figure"), "text"),
            Column("value", label(lang, "value"), "int"),
        ),
        tuple((label(lang, f), getattr(o.total, f)) for f in FIELDS),
    )


def summary_kinds() -> tuple[Kind, ...]:
    """The kind of each line of :func:`summary` (its values are of mixed kinds)."""
    return tuple(kind_of(f) for f in FIELDS)


def definitions(o: Oversight, lang: Lang = "id") -> Table:
    texts = o.definitions if lang == "id" else o.definitions_en
    return Table(
        "definitions",
        label(lang, "definitions"),
        (
            Column("term", label(lang, "term"), "text"),
            Column("meaning", label(lang, "meaning"), "text"),
        ),
        tuple((_LABELS[lang].get(k, k), v) for k, v in texts.items()),
    )


def percent(rate: float | None, lang: Lang) -> str:
    """``98,0 %`` (Indonesian) or ``98.0%``; ``-`` for no figure."""
    if rate is None:
        return label(lang, "none")
    text = f"{rate * 100:.1f}"
    return f"{text.replace('.', ',')} %" if lang == "id" else f"{text}%"


def number(value: object, kind: Kind, lang: Lang) -> str:
    """A value as a person reads it (PDF): counts grouped, rates in percent, days to one
    decimal (Indonesian: ``1.294``, ``2,5``)."""
    if value is None:
        return label(lang, "none")
    if kind == "rate":
        return percent(float(value), lang)  # type: ignore[arg-type]
    if kind == "active":
        return label(lang, "yes" if value else "no")
    if kind == "int" and isinstance(value, int):
        text = f"{value:,}"
        return text.replace(",", ".") if lang == "id" else text
    if kind == "days" and isinstance(value, int | float):
        text = f"{value:.1f}"
        return text.replace(".", ",") if lang == "id" else text
    return str(value)
