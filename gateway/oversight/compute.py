"""The oversight figures of a tenant and every tenant below it, over a period.

Each figure is a *measure* (:mod:`gateway.oversight.measures`) over the pre-aggregated
rows (:mod:`gateway.oversight.aggregate`, one per complaint). A month, a quarter or a
year is the sum of its months: those that have ended kept once computed
(:mod:`gateway.oversight.monthly`), the month in progress counted from the rows at
every view (:mod:`gateway.oversight.cube`); a range of dates is counted from the rows.
:func:`drill` lists the complaints of one measure with the same condition, so a figure
and its list always agree.

Decisions beyond :mod:`gateway.oversight.figures`:

- ``received`` is the day the gateway stored the complaint (its zone's date);
- the agency a step counts under is the one the complaint had when the step was
  recorded (``received``: the one it was routed to; a complaint handed on from one
  agency to another counts its first disposition and first follow-up under the agency
  that had it then, its finish under the one that finished it); a row rebuilt from the
  history (``gateway oversight rebuild``) has the agency each step's first event
  recorded (revision 0018), the complaint's current one for events recorded before;
- the rates of an agency are over the complaints received under it;
- ``over_sla_*`` counts in the period that holds the due date: the verification due 3
  working days after submission, the follow-up 5 after the first disposition, the
  finish 10 after the first follow-up (the tenant's ``sla``); late when the step (or
  an archive) came after that date, or has not come and the date has passed;
- medians are the middle of the working-day durations (the mean of the two middle ones
  for an even number), whole working days after the day received.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from gateway.domain.zones import local, zone_or_wib
from gateway.hierarchy import family
from gateway.oversight import cube, monthly
from gateway.oversight.aggregate import OversightFact as F
from gateway.oversight.figures import Counts, Drill, Month, Oversight, Period, Row
from gateway.oversight.measures import MEASURES, RATES, Measure
from gateway.oversight.monthly import CubeRow, month_key
from gateway.oversight.names import Names, definitions
from gateway.oversight.periods import SHORT_MONTHS, last_twelve_months, month_end, parse_period
from gateway.oversight.tally import Tally
from gateway.storage.models import Complaint

__all__ = ["compute", "drill", "parse_period"]


@dataclass(frozen=True)
class _Split:
    """A period as its whole months and the pieces of months at its ends."""

    months: list[str]
    pieces: list[tuple[date, date]]
    #: the first piece, when the period starts within a month: [its start, month end]
    lead: tuple[date, date] | None


def _split(period: Period) -> _Split:
    months: list[str] = []
    pieces: list[tuple[date, date]] = []
    day = period.start
    while day <= period.end:
        last = month_end(day.year, day.month)
        if day.day == 1 and last <= period.end:
            months.append(month_key(day))
        else:
            pieces.append((day, min(last, period.end)))
        day = last + timedelta(days=1)
    lead = pieces[0] if pieces and pieces[0][0] == period.start else None
    return _Split(months, pieces, lead)


def _first_day(key: str) -> date:
    year, month = key.split("-")
    return date(int(year), int(month), 1)


def _tallies(
    factory: sessionmaker[Session], covered: tuple[str, ...], period: Period, today: date
) -> tuple[Tally, list[Month]]:
    """The period's total and breakdowns, and the twelve months' totals: the months
    that have ended from ``oversight_month`` (:mod:`gateway.oversight.monthly`, kept
    at their first view), the month in progress and a range of dates from the rows."""
    trend_keys = [m.key for m in last_twelve_months(period)]
    split = _split(period)
    period_keys = split.months
    current = month_key(today)
    ended = sorted({k for k in (*trend_keys, *period_keys) if k < current})
    running = sorted({k for k in (*trend_keys, *period_keys) if k >= current})
    # a rate's numerator in the whole months: received from the first whole month on
    # (kept by month received); received in a piece before it: counted from the rows
    first = monthly.month_number(period_keys[0]) if period_keys else None
    for _attempt in range(3):
        with factory() as session:
            before = monthly.states(session, covered, ended)
        kept = {p for p, (_v, is_kept) in before.items() if is_kept}
        missing = {(t, m): before.get((t, m), (0, False))[0] for t in covered for m in ended}
        missing = {p: v for p, v in missing.items() if p not in kept}
        fresh = _fill(factory, missing, today)
        live_tasks: list[Callable[[Session], Any]] = []
        if running:
            start, end = _first_day(running[0]), month_end(*map(int, running[-1].split("-")))
            live_tasks = cube.tasks(covered, start, end, today)
        range_tasks: list[Callable[[Session], Any]] = []
        for start, end in split.pieces:
            range_tasks += cube.tasks(covered, start, end, today, (period.start, None))
        if split.lead and period_keys:  # reached in a whole month, received in the lead
            start, end = (
                _first_day(period_keys[0]),
                month_end(*map(int, period_keys[-1].split("-"))),
            )
            range_tasks += cube.tasks(covered, start, end, today, split.lead, RATES)
        in_period = sorted(p for p in kept if p[1] in period_keys)
        in_trend = sorted(p for p in kept if p[1] in trend_keys)

        def sums(session: Session, in_period: Any = in_period) -> Any:
            return monthly.period_sums(session, in_period, RATES, first)

        def trend_sums(session: Session, in_trend: Any = in_trend) -> Any:
            return monthly.trend_sums(session, in_trend)

        results: list[Any] = cube.run_all(factory, [sums, trend_sums, *live_tasks, *range_tasks])
        with factory() as session:
            after = monthly.states(session, covered, sorted({m for _t, m in kept}))
        if all(after.get(p) == before[p] for p in kept):
            break  # no kept month dropped while it was read
    kept_sums, kept_trend = results[0], results[1]
    live = [row for rows in results[2 : 2 + len(live_tasks)] for row in rows]
    ranged = [row for rows in results[2 + len(live_tasks) :] for row in rows]
    tally, months = _assemble(
        period_keys, first, trend_keys, kept_sums, kept_trend, [*fresh, *live]
    )
    for tenant, _month, measure, kind, key, days, n in ranged:
        tally.add_row(tenant, measure, kind, key, days, n)
    return tally, months


def _fill(
    factory: sessionmaker[Session], missing: dict[monthly.Pair, int], today: date
) -> list[CubeRow]:
    """The figures of the ended months not kept, computed from the rows, and kept."""
    if not missing:
        return []
    tenants = sorted({t for t, _m in missing})
    months = sorted({m for _t, m in missing})
    start, end = _first_day(months[0]), month_end(*map(int, months[-1].split("-")))
    found = cube.run_all(factory, cube.tasks(tenants, start, end, today))
    rows = [row for part in found for row in part if (row[0], row[1]) in missing]
    monthly.keep(factory, missing, rows)
    return rows


def _assemble(
    period_keys: list[str],
    first: int | None,
    trend_keys: list[str],
    kept_sums: list[tuple[str, str, str, str, int, int]],
    kept_trend: list[tuple[str, str, int, int]],
    computed: list[CubeRow],
) -> tuple[Tally, list[Month]]:
    tally = Tally()
    trend = {key: Tally() for key in trend_keys}
    for tenant, measure, kind, key, days, n in kept_sums:
        tally.add_row(tenant, measure, kind, key, days, n)
    for month, measure, days, n in kept_trend:
        if measure not in RATES or days == monthly.month_number(month):
            trend[month].add_row("", measure, "", "", days, n)
    for tenant, month, measure, kind, key, days, n in computed:
        in_period = month in period_keys
        if in_period and (first is None or measure not in RATES or days >= first):
            tally.add_row(tenant, measure, kind, key, days, n)
        if (
            kind == ""
            and month in trend
            and (measure not in RATES or days == monthly.month_number(month))
        ):
            trend[month].add_row("", measure, "", "", days, n)
    months = [
        Month(
            key,
            f"{SHORT_MONTHS[int(key[5:]) - 1]} {key[:4]}",
            trend[key].counts_of(("", "")),
        )
        for key in trend_keys
    ]
    return tally, months


def compute(
    factory: sessionmaker[Session],
    tenants: Mapping[str, Any],
    tenant_id: str,
    period: Period,
    *,
    now: datetime | None = None,
) -> Oversight:
    """The figures of ``tenant_id`` and every tenant below it over ``period``."""
    tenant = tenants[tenant_id]
    zone = zone_or_wib(tenant.spec.region_code)
    today = local(now or datetime.now(UTC), zone).date()
    covered = family(tenants, tenant_id)
    tally, monthly = _tallies(factory, covered, period, today)
    codes = [key for kind, key in tally.counts if kind == "agency"]
    names = Names.load(factory, tenants, codes)

    def rows(kind: str, keys: Iterable[str], name: Callable[[str], str]) -> list[Row]:
        return [Row(key, name(key), tally.counts_of((kind, key))) for key in keys]

    def keys_of(kind: str) -> list[str]:
        return sorted({key for k, key in tally.counts if k == kind})

    children = sorted(covered[1:], key=lambda t: names.tenant(t))
    by_region = [
        Row(t, names.tenant(t), counts, active=_active(counts))
        for t in (tenant_id, *children)
        for counts in [tally.counts_of(("region", t))]
    ]
    by_agency = sorted(
        rows("agency", keys_of("agency"), names.agency),
        key=lambda r: (
            -(r.counts.follow_up_rate if r.counts.follow_up_rate is not None else -1),
            -(r.counts.finish_rate if r.counts.finish_rate is not None else -1),
            -r.counts.received,
            r.name,
        ),
    )
    by_channel = sorted(
        rows("channel", keys_of("channel"), names.channel),
        key=lambda r: (-r.counts.received, r.name),
    )
    by_topic = sorted(
        rows("topic", keys_of("topic"), names.topic), key=lambda r: (-r.counts.received, r.name)
    )
    meaning, meaning_en = definitions(tenant.spec.sla)
    return Oversight(
        tenant=tenant_id,
        tenant_name=names.tenant(tenant_id),
        tenants=covered,
        period=period,
        zone=zone.label,
        total=tally.counts_of(("", "")),
        by_region=by_region,
        by_agency=by_agency,
        by_channel=by_channel,
        by_topic=by_topic,
        monthly=monthly,
        definitions=meaning,
        definitions_en=meaning_en,
    )


def _active(counts: Counts) -> bool:
    """Keaktifan: followed up or finished something in the period, or received nothing."""
    return counts.followed_up + counts.finished > 0 or counts.received == 0


def _drill_where(
    tenants: Mapping[str, Any], target: Drill, today: date
) -> tuple[Measure, list[ColumnElement[bool]]]:
    if target.step not in MEASURES:
        raise ValueError(f"unknown figure {target.step!r}")
    measure = MEASURES[target.step]
    period = parse_period(target.period_key, today)
    covered = family(tenants, target.tenant)
    if target.region is not None:
        covered = (target.region,) if target.region in covered else ()
    where = [col(F.tenant).in_(covered), measure.where(period, today)]
    if target.agency is not None:
        agency = measure.agency
        where.append(agency.is_(None) if target.agency == "" else agency == target.agency)
    if target.channel is not None:
        where.append(col(F.channel) == target.channel)
    if target.topic is not None:
        where.append(col(F.topic_id) == target.topic)
    return measure, where


def drill(
    factory: sessionmaker[Session],
    tenants: Mapping[str, Any],
    target: Drill,
    *,
    offset: int = 0,
    limit: int = 50,
    now: datetime | None = None,
) -> tuple[int, list[Complaint]]:
    """How many complaints a figure counted, and a page of them (newest first)."""
    zone = zone_or_wib(tenants[target.tenant].spec.region_code)
    today = local(now or datetime.now(UTC), zone).date()
    _measure, where = _drill_where(tenants, target, today)
    with factory() as session:
        total = session.scalar(select(func.count()).select_from(F).where(*where)) or 0
        query = (
            select(Complaint)
            .join(F, col(F.complaint_id) == col(Complaint.id))
            .where(*where)
            .order_by(col(Complaint.created_at).desc(), col(Complaint.id))
            .offset(offset)
            .limit(limit)
        )
        found = list(session.scalars(query))
        session.expunge_all()
    return total, found
