"""The last 7 days of intake per tenant, and its bar chart as server-rendered SVG.

Per WIB day: the complaints received, and how many of those have a national
tracking ID by now ("terkirim"). One grouped query counts every tenant's 7 days:
each row's day is a ``CASE`` over the 7 midnights (computed here, bound as
parameters), the same SQL on SQLite and PostgreSQL, and only the last 7 days'
rows are read.

The chart is plain SVG with attributes and the classes of ``ops.css`` (the
console's CSP allows no inline style or script): a pair of bars per day, each
with a ``<title>`` telling its exact figure, and an ``aria-label`` summing up; in
the console's language (Indonesian, or English with ``language="en"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from gateway.ops.wib import last_days, start_of, today
from gateway.storage.models import Complaint

DAYS = 7
WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: the chart's words, Indonesian and English: a bar's, and the summary's
WORDS = {
    "received": ("masuk", "received"),
    "sent": ("terkirim", "sent"),
    "to": ("s.d.", "to"),
    "summary": (
        "{tenant}, {days} hari terakhir ({span}): {received} pengaduan masuk, "
        "{sent} terkirim ke SP4N-LAPOR!",
        "{tenant}, last {days} days ({span}): {received} complaints received, "
        "{sent} sent to SP4N-LAPOR!",
    ),
}
#: the chart's geometry, in SVG user units
PLOT_HEIGHT = 48
LABEL_HEIGHT = 12
DAY_WIDTH = 22
BAR_WIDTH = 8


@dataclass(frozen=True)
class DayCount:
    day: date
    received: int
    #: of the day's complaints, those with a national tracking ID
    sent: int


def last_week(
    factory: sessionmaker[Session], tenants: Sequence[str], *, now: datetime | None = None
) -> dict[str, list[DayCount]]:
    """Per tenant, its last :data:`DAYS` WIB days (today last), days without data as 0."""
    names = list(dict.fromkeys(tenants))
    days = last_days(today(now or datetime.now(UTC)), DAYS)
    if not names:
        return {}
    created = col(Complaint.created_at)
    midnights = [start_of(day) for day in days]
    newest_first = reversed(list(enumerate(midnights)))
    day_index = case(*((created >= midnight, i) for i, midnight in newest_first), else_=0)
    rows = (
        select(
            col(Complaint.tenant).label("tenant"),
            day_index.label("day"),
            col(Complaint.tracking_id).label("tracking_id"),
        )
        .where(col(Complaint.tenant).in_(names), created >= midnights[0])
        .subquery()
    )
    query = select(
        rows.c.tenant, rows.c.day, func.count(), func.count(rows.c.tracking_id)
    ).group_by(rows.c.tenant, rows.c.day)
    with factory() as session:
        counts = {(t, int(i)): (int(n), int(sent)) for t, i, n, sent in session.execute(query)}
    return {
        name: [DayCount(day, *counts.get((name, i), (0, 0))) for i, day in enumerate(days)]
        for name in names
    }


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    #: ``received`` or ``sent``: its class in ops.css
    kind: str
    title: str


@dataclass(frozen=True)
class Label:
    x: int
    y: int
    text: str


@dataclass(frozen=True)
class WeekChart:
    width: int
    height: int
    baseline: int
    bars: list[Bar]
    labels: list[Label]
    summary: str


def _height(count: int, top: int) -> int:
    """A bar's height; a day with any complaint shows at least a sliver."""
    return max(round(PLOT_HEIGHT * count / top), 1) if count else 0


def chart(tenant: str, days: Sequence[DayCount], language: str = "id") -> WeekChart:
    """The bars of ``days`` (received and sent side by side), scaled to the busiest day;
    ``tenant`` as the summary names it, the words in ``language`` (``id`` or ``en``)."""
    en = language == "en"
    weekdays = WEEKDAYS_EN if en else WEEKDAYS
    top = max((d.received for d in days), default=0) or 1
    bars: list[Bar] = []
    labels: list[Label] = []
    for i, d in enumerate(days):
        left = i * DAY_WIDTH + 2
        name = f"{weekdays[d.day.weekday()]} {d.day.isoformat()}"
        for offset, kind, count in (
            (0, "received", d.received),
            (BAR_WIDTH + 1, "sent", d.sent),
        ):
            height = _height(count, top)
            title = f"{name}: {count} {WORDS[kind][en]}"
            bars.append(Bar(left + offset, PLOT_HEIGHT - height, BAR_WIDTH, height, kind, title))
        labels.append(Label(left + BAR_WIDTH, PLOT_HEIGHT + LABEL_HEIGHT - 2, str(d.day.day)))
    received, sent = sum(d.received for d in days), sum(d.sent for d in days)
    to = WORDS["to"][en]
    span = f"{days[0].day.isoformat()} {to} {days[-1].day.isoformat()}" if days else "-"
    summary = WORDS["summary"][en].format(
        tenant=tenant, days=len(days), span=span, received=received, sent=sent
    )
    width = len(days) * DAY_WIDTH
    return WeekChart(width, PLOT_HEIGHT + LABEL_HEIGHT, PLOT_HEIGHT, bars, labels, summary)
