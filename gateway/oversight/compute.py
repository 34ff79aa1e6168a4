"""The oversight figures of a tenant and every tenant below it, over a period.

Each figure is a *measure* over the pre-aggregated rows (:mod:`gateway.oversight.aggregate`,
one per complaint): the day column that puts a complaint in the period, an extra
condition, and the agency it counts under. :func:`compute` counts each measure grouped
by (tenant, channel, topic, agency) and rolls the groups up into the total and the
breakdowns; :func:`drill` lists the complaints of one measure with the same condition,
so a figure and its list always agree.

Decisions beyond :mod:`gateway.oversight.figures`:

- ``received`` is the day the gateway stored the complaint (its zone's date);
- the agency a step counts under is the one the complaint had when the step was
  recorded (``received``: the one it was routed to; a complaint handed on from one
  agency to another counts its first disposition and first follow-up under the agency
  that had it then, its finish under the one that finished it). A row rebuilt from the
  history (``gateway oversight rebuild``) has the complaint's current agency for every
  step, since the history does not carry the agency;
- the rates of an agency are over the complaints received under it;
- ``over_sla_*`` counts in the period that holds the due date: the verification due 3
  working days after submission, the follow-up 5 after the first disposition, the
  finish 10 after the first follow-up (the tenant's ``sla``); late when the step (or
  an archive) came after that date, or has not come and the date has passed;
- medians are the middle of the working-day durations (the mean of the two middle ones
  for an even number), whole working days after the day received.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select, text, tuple_
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from gateway.domain.zones import local, zone_or_wib
from gateway.hierarchy import family
from gateway.oversight.aggregate import OversightFact as F
from gateway.oversight.figures import Counts, Drill, Month, Oversight, Period, Row
from gateway.oversight.monthly import OversightMonth, keep, kept, month_key
from gateway.oversight.names import DEFINITIONS, DEFINITIONS_EN, Names
from gateway.oversight.periods import SHORT_MONTHS, last_twelve_months, parse_period
from gateway.storage.models import Complaint

__all__ = ["compute", "drill", "parse_period"]


@dataclass(frozen=True)
class Measure:
    """A figure: complaints whose ``day`` falls in the period (and, for a lateness,
    whose step came after that due day or has not come by today; for a rate's
    numerator, that reached the step by the period's end)."""

    name: str
    day: Any  # the column that puts a complaint in a period
    agency: Any  # the column the measure counts under in the agency breakdown
    days: Any = None  # the working-day duration column a median is taken over
    done: Any = None  # a lateness: the day the due step was done
    reached: Any = None  # a rate's numerator: the day the step was reached

    def where(self, period: Period, today: date) -> ColumnElement[bool]:
        within = (self.day >= period.start, self.day <= period.end)
        return and_(*within, *self.conditions(today, period))

    def conditions(self, today: date, period: Period | None) -> list[ColumnElement[bool]]:
        """The conditions besides the period's (a rate's with ``period`` None: reached)."""
        found = []
        if self.done is not None:
            found.append(or_(self.done > self.day, and_(self.done.is_(None), self.day < today)))
        if self.reached is not None:
            bound = self.reached.is_not(None) if period is None else self.reached <= period.end
            found.append(bound)
        return found


def _step(name: str, step: str, days: Any = None) -> Measure:
    return Measure(name, getattr(F, f"{step}_day"), getattr(F, f"{step}_agency"), days)


MEASURES = {
    m.name: m
    for m in (
        _step("received", "received"),
        _step("verified", "verified", col(F.days_to_verify)),
        _step("dispatched", "dispatched"),
        _step("followed_up", "followed_up", col(F.days_to_follow_up)),
        _step("finished", "finished", col(F.days_to_finish)),
        _step("archived", "archived"),
        Measure(
            "over_sla_verify",
            col(F.verify_due),
            col(F.received_agency),
            done=col(F.verify_done),
        ),
        Measure(
            "over_sla_follow_up",
            col(F.follow_up_due),
            col(F.dispatched_agency),
            done=col(F.follow_up_done),
        ),
        Measure(
            "over_sla_finish",
            col(F.finish_due),
            col(F.followed_up_agency),
            done=col(F.finish_done),
        ),
        Measure(
            "followed_up_by_end",
            col(F.received_day),
            col(F.received_agency),
            reached=col(F.followed_up_day),
        ),
        Measure(
            "finished_by_end",
            col(F.received_day),
            col(F.received_agency),
            reached=col(F.finished_day),
        ),
    )
}
MEDIANS = {
    "verified": "median_days_to_verify",
    "followed_up": "median_days_to_follow_up",
    "finished": "median_days_to_finish",
}


class _Tally:
    """Counts and duration histograms of each measure, per breakdown key."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        self.days: dict[tuple[str, str, str], Counter[int]] = defaultdict(Counter)

    def add(self, measure: str, keys: Iterable[tuple[str, str]], n: int, days: Any) -> None:
        for key in keys:
            self.counts[key][measure] += n
            if days is not None:
                self.days[(*key, measure)][int(days)] += n

    def counts_of(self, key: tuple[str, str]) -> Counts:
        c = self.counts.get(key, Counter())
        received = c["received"]
        medians = {
            field: median(self.days.get((*key, measure), Counter()))
            for measure, field in MEDIANS.items()
        }
        return Counts(
            received=received,
            verified=c["verified"],
            dispatched=c["dispatched"],
            followed_up=c["followed_up"],
            finished=c["finished"],
            archived=c["archived"],
            follow_up_rate=c["followed_up_by_end"] / received if received else None,
            finish_rate=c["finished_by_end"] / received if received else None,
            over_sla_verify=c["over_sla_verify"],
            over_sla_follow_up=c["over_sla_follow_up"],
            over_sla_finish=c["over_sla_finish"],
            **medians,
        )


def median(histogram: Mapping[int, int]) -> float | None:
    """The median of values given as {value: how many}; None when empty."""
    total = sum(histogram.values())
    if not total:
        return None
    wanted = ((total - 1) // 2, total // 2)
    found: list[int] = []
    seen = 0
    for value in sorted(histogram):
        count = histogram[value]
        for index in wanted:
            if seen <= index < seen + count:
                found.append(value)
        seen += count
    return (found[0] + found[1]) / 2


def _text(value: Any) -> str:
    return "" if value is None else str(value)


#: measures counted in one statement: they share the day and the agency column
SCANS = (
    ("received", "followed_up_by_end", "finished_by_end"),
    *((name,) for name in MEASURES if name not in ("received", "followed_up_by_end",
                                                   "finished_by_end")),
)  # fmt: skip
#: the period's grouping sets: its total and each breakdown
_SETS = ("", "region", "agency", "channel", "topic")
#: statements run at once on PostgreSQL (each on its own connection)
PARALLEL = 3
Row5 = tuple[str, Any, Any, int, list[int]]


def _rate_sums(names: tuple[str, ...], day: Any, ends: list[Period]) -> list[Any]:
    """For each rate measure after the first of ``names``: how many reached its step by
    the end of the period (of the month, for the trend) holding ``day``."""
    sums = []
    for name in names[1:]:
        reached = MEASURES[name].reached
        by_end = case(
            *((and_(day >= p.start, day <= p.end, reached <= p.end), 1) for p in ends),
            else_=0,
        )
        sums.append(func.sum(by_end))
    return sums


def _trend(
    session: Session,
    names: tuple[str, ...],
    covered: tuple[str, ...],
    months: list[Period],
    today: date,
) -> list[Row5]:
    """The twelve months' rows of ``names``: by day (and duration)."""
    measure = MEASURES[names[0]]
    days = measure.days if measure.days is not None else literal(None)
    query = (
        select(measure.day, days, func.count(), *_rate_sums(names, measure.day, months))
        .where(
            col(F.tenant).in_(covered),
            measure.day >= months[0].start,
            measure.day <= months[-1].end,
            *measure.conditions(today, None),
        )
        .group_by(measure.day, days)
    )
    return [("trend", row[0], row[1], row[2], list(row[3:])) for row in session.execute(query)]


def _period(
    session: Session,
    names: tuple[str, ...],
    covered: tuple[str, ...],
    period: Period,
    today: date,
) -> list[Row5]:
    """The period's rows of ``names``: its total and each breakdown's (and duration)."""
    measure = MEASURES[names[0]]
    days = measure.days if measure.days is not None else literal(None)
    sums = _rate_sums(names, measure.day, [period])
    keys: dict[str, tuple[Any, ...]] = {
        "": (),
        "region": (col(F.tenant),),
        "agency": (measure.agency,),
        "channel": (col(F.channel),),
        "topic": (col(F.topic_id),),
    }
    where = (col(F.tenant).in_(covered), measure.where(period, today))
    found: list[Row5] = []
    if session.get_bind().dialect.name == "postgresql":
        columns = (col(F.tenant), measure.agency, col(F.channel), col(F.topic_id))
        query = (
            select(func.grouping(*columns), *columns, days, func.count(), *sums)
            .where(*where)
            .group_by(func.grouping_sets(*(tuple_(*keys[k], days) for k in _SETS)))
        )
        # grouping(): a bit for each column left out of the row's set, the first highest
        sets = {15: "", 7: "region", 11: "agency", 13: "channel", 14: "topic"}
        for row in session.execute(query):
            kind = sets[row[0]]
            key = "" if kind == "" else _text(row[_SETS.index(kind)])
            found.append((kind, key, row[5], row[6], list(row[7:])))
        return found
    for kind in _SETS:  # SQLite: no grouping sets, one statement per set
        group = (*keys[kind], days)
        query = select(*group, func.count(), *sums).where(*where).group_by(*group)
        for row in session.execute(query):
            key = _text(row[0]) if keys[kind] else ""
            size = len(group)
            found.append((kind, key, row[size - 1], row[size], list(row[size + 1 :])))
    return found


#: what a row of a grouping set adds to: (breakdown, the key column or None for the
#: total, the duration column or None for counts, the measures)
Target = tuple[str, Any, Any, tuple[str, ...]]
#: a grouping set and its targets
GroupingSet = tuple[tuple[Any, ...], list[Target]]


def _period_sets() -> tuple[list[GroupingSet], ...]:
    """The grouping sets of the period's three statements on PostgreSQL: the counts, the
    medians' working-day histograms by (tenant, channel, topic) and by agency (run at
    once, on a connection each). The total, region, channel and topic come from
    one set (tenant, channel, topic), rolled up here; the agencies from one set of every
    agency column a measure counts under."""
    fine = (col(F.tenant), col(F.channel), col(F.topic_id))
    keys: tuple[tuple[str, Any], ...] = (
        ("", None),
        ("region", col(F.tenant)),
        ("channel", col(F.channel)),
        ("topic", col(F.topic_id)),
    )
    by_agency: dict[str, list[str]] = defaultdict(list)
    agencies: dict[str, Any] = {}
    for name, measure in MEASURES.items():
        by_agency[measure.agency.key].append(name)
        agencies[measure.agency.key] = measure.agency
    counts: list[GroupingSet] = [
        (fine, [(kind, key, None, tuple(MEASURES)) for kind, key in keys]),
        (
            tuple(agencies.values()),
            [("agency", agencies[c], None, tuple(names)) for c, names in by_agency.items()],
        ),
    ]
    histograms: list[GroupingSet] = []
    for name in MEDIANS:
        measure = MEASURES[name]
        histograms.append(
            ((*fine, measure.days), [(kind, key, measure.days, (name,)) for kind, key in keys])
        )
        histograms.append(
            ((measure.agency, measure.days), [("agency", measure.agency, measure.days, (name,))])
        )
    return counts, histograms[0::2], histograms[1::2]


#: the period's statements on PostgreSQL, run at once
PERIOD_PARTS = _period_sets()


def _period_scan(
    session: Session,
    sets: list[GroupingSet],
    covered: tuple[str, ...],
    period: Period,
    today: date,
    tally: _Tally,
) -> None:
    """PostgreSQL: every measure of ``sets`` in one read of the period's rows, a count
    per measure with its condition as a FILTER, grouped by each of ``sets``."""
    columns: list[Any] = []
    for group, _targets in sets:
        for column in group:
            if all(column.key != c.key for c in columns):
                columns.append(column)
    names = [n for n in MEASURES if any(n in t[3] for _g, ts in sets for t in ts)]
    days_in = {MEASURES[n].day.key: MEASURES[n].day for n in names}
    # the tenants in each arm: each arm an index range (tenant, day), read as a BitmapOr
    tenant = col(F.tenant).in_(covered)
    within = or_(*(and_(tenant, d >= period.start, d <= period.end) for d in days_in.values()))
    counts = [func.count().filter(MEASURES[n].where(period, today)) for n in names]

    def index(column: Any) -> int:
        return next(i for i, c in enumerate(columns) if c.key == column.key)

    grouping = ", ".join("(" + ", ".join(c.key for c in group) + ")" for group, _ in sets)
    query = (
        select(func.grouping(*columns), *columns, *counts)
        .where(within)
        .group_by(text(f"GROUPING SETS ({grouping})"))
    )
    # grouping(): a bit for each column left out of the row's set, the first highest
    masks: dict[int, list[Target]] = {}
    for group, targets in sets:
        kept_columns = {index(c) for c in group}
        width = len(columns)
        masks[sum(1 << (width - 1 - i) for i in range(width) if i not in kept_columns)] = targets
    # the planner takes the set of every agency column for ~10^5 groups (there are a few
    # hundred) and would sort on disk: room for the hash tables instead
    session.execute(text("SET LOCAL work_mem = '64MB'"))
    for row in session.execute(query):
        for kind, key, days, measures in masks[row[0]]:
            value = "" if key is None else _text(row[1 + index(key)])
            duration = None if days is None else row[1 + index(days)]
            if days is not None and duration is None:
                continue
            for name in measures:
                n = row[1 + len(columns) + names.index(name)]
                if not n:
                    continue
                if duration is None:
                    tally.counts[(kind, value)][name] += n
                else:
                    tally.days[(kind, value, name)][int(duration)] += n


def _kept_trend(
    factory: sessionmaker[Session],
    covered: tuple[str, ...],
    months: list[Period],
    today: date,
) -> list[OversightMonth]:
    """The trend's rows of the months that have ended, kept or computed and kept."""
    to_keep: list[tuple[str, str, list[OversightMonth]]] = []
    with factory() as session:
        rows, done = kept(session, covered, months)
        for tenant in covered:
            missing = [m for m in months if (tenant, m.key) not in done]
            if not missing:
                continue
            found: dict[tuple[str, str, int], OversightMonth] = {}
            for names in SCANS:
                for _kind, day, duration, n, rates in _trend(
                    session, names, (tenant,), missing, today
                ):
                    month = month_key(day)
                    days = -1 if duration is None else int(duration)
                    row = found.setdefault(
                        (month, names[0], days),
                        OversightMonth(tenant=tenant, month=month, measure=names[0], days=days),
                    )
                    row.n += n
                    if rates:
                        row.followed_up += int(rates[0] or 0)
                        row.finished += int(rates[1] or 0)
            for m in missing:
                fresh = [r for (month, _, _), r in found.items() if month == m.key]
                to_keep.append((tenant, m.key, fresh))
                rows += [OversightMonth(**r.model_dump()) for r in fresh]
    for tenant, month, fresh in to_keep:  # after the reads: SQLite has one writer
        keep(factory, tenant, month, fresh)
    return rows


def _tallies(
    factory: sessionmaker[Session], covered: tuple[str, ...], period: Period, today: date
) -> tuple[_Tally, list[Month]]:
    """The period's total and breakdowns, and the twelve months' totals (those that
    have ended kept in ``oversight_month``, :mod:`gateway.oversight.monthly`)."""
    months = last_twelve_months(period)
    ended = [m for m in months if month_key(m.start) < month_key(today)]
    running = [m for m in months if m not in ended]
    with factory() as session:
        dialect = session.get_bind().dialect.name
    tally = _Tally()
    parts: list[_Tally] = []
    tasks = [] if dialect == "postgresql" else [(names, "period") for names in SCANS]
    if running:
        tasks += [(names, "trend") for names in SCANS]

    def run(task: tuple[tuple[str, ...], str]) -> list[Row5]:
        names, part = task
        with factory() as session:
            if part == "trend":
                return _trend(session, names, covered, running, today)
            return _period(session, names, covered, period, today)

    def scan(sets: list[GroupingSet]) -> _Tally:
        part = _Tally()
        with factory() as session:
            _period_scan(session, sets, covered, period, today, part)
        return part

    if dialect == "postgresql":
        with ThreadPoolExecutor(PARALLEL) as pool:
            scans = [pool.submit(scan, sets) for sets in PERIOD_PARTS]
            results = list(pool.map(run, tasks))
            parts = [s.result() for s in scans]
    else:
        results = [run(task) for task in tasks]
    for part in parts:
        for key, counter in part.counts.items():
            tally.counts[key].update(counter)
        for hkey, histogram in part.days.items():
            tally.days[hkey].update(histogram)
    trend = {m.key: _Tally() for m in months}
    for (names, _part), rows in zip(tasks, results, strict=True):
        for kind, key, duration, n, rates in rows:
            if kind == "trend":
                target, keys = trend[month_key(key)], [("", "")]
            else:
                target, keys = tally, [(kind, key)]
            target.add(names[0], keys, n, duration)
            for name, value in zip(names[1:], rates, strict=True):
                target.add(name, keys, int(value or 0), None)
    for row in _kept_trend(factory, covered, ended, today) if ended else []:
        target = trend[row.month]
        target.add(row.measure, [("", "")], row.n, None if row.days < 0 else row.days)
        if row.measure == "received":
            target.add("followed_up_by_end", [("", "")], row.followed_up, None)
            target.add("finished_by_end", [("", "")], row.finished, None)
    monthly = [
        Month(
            m.key,
            f"{SHORT_MONTHS[m.start.month - 1]} {m.start.year}",
            trend[m.key].counts_of(("", "")),
        )
        for m in months
    ]
    return tally, monthly


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
        definitions=DEFINITIONS,
        definitions_en=DEFINITIONS_EN,
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
