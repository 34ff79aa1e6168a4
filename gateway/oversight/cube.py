"""Each tenant's figures by month, breakdown and working-day duration, computed from
the oversight rows (:mod:`gateway.oversight.aggregate`).

A row of the result is ``(tenant, month, measure, breakdown, key, days, n)``: ``n``
complaints of ``tenant`` counted by ``measure`` (:mod:`gateway.oversight.measures`)
in ``month``, under the total (breakdown ``""``) or one agency, channel or topic,
with ``days`` the median's working days, the rate's month received, or -1. The
month in progress and a range of dates are computed this way at every view; a month
that has ended once, then kept (:mod:`gateway.oversight.monthly`).

On PostgreSQL each measure is one statement grouped by four grouping sets, three
measures at a time on their own connections; on SQLite one statement per breakdown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Integer, String, cast, extract, func, literal_column, select, text
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from gateway.oversight.aggregate import OversightFact as F
from gateway.oversight.measures import MEASURES, MEDIANS, Measure
from gateway.oversight.monthly import CubeRow

#: the breakdowns a measure is counted under (besides the tenant)
KINDS = ("", "agency", "channel", "topic")
#: statements run at once on PostgreSQL (each on its own connection)
PARALLEL = 3
T = TypeVar("T")


def month_text(column: Any, dialect: str) -> Any:
    """A date column's month as "2026-11"."""
    if dialect == "postgresql":
        return func.to_char(column, literal_column("'YYYY-MM'"))
    return func.strftime(literal_column("'%Y-%m'"), column)


def month_number(column: Any) -> Any:
    """A date column's month as year * 12 + month - 1."""
    year = cast(extract("year", column), Integer)
    month = cast(extract("month", column), Integer)
    return year * literal_column("12") + month - literal_column("1")


def _rows(
    measure: Measure, tenants: Sequence[str], start: date, end: date, today: date,
    received: tuple[date, date | None] | None, dialect: str,
) -> Any:  # fmt: skip
    """The measure's rows in [start, end], one column per breakdown, as a subquery."""
    days: Any
    if measure.name in MEDIANS:
        days = func.coalesce(measure.days, literal_column("-1"))
    elif measure.rate:
        days = month_number(col(F.received_day))
    else:
        days = literal_column("-1")
    where = [
        col(F.tenant).in_(tenants),
        measure.day >= start,
        measure.day <= end,
        *measure.conditions(today),
    ]
    if measure.rate and received is not None:
        where.append(col(F.received_day) >= received[0])
        if received[1] is not None:
            where.append(col(F.received_day) <= received[1])
    return (
        select(
            col(F.tenant).label("tenant"),
            month_text(measure.day, dialect).label("month"),
            func.coalesce(measure.agency, literal_column("''")).label("agency"),
            col(F.channel).label("channel"),
            func.coalesce(cast(col(F.topic_id), String), literal_column("''")).label("topic"),
            days.label("days"),
        )
        .where(*where)
        .subquery("r")
    )


def _postgres(session: Session, name: str, rows: Any) -> list[CubeRow]:
    r = rows.c
    query = select(
        r.tenant, r.month, func.grouping(r.agency, r.channel, r.topic),
        r.agency, r.channel, r.topic, r.days, func.count(),
    ).group_by(
        text(
            "GROUPING SETS ((tenant, month, days), (tenant, month, agency, days), "
            "(tenant, month, channel, days), (tenant, month, topic, days))"
        )
    )  # fmt: skip
    # room to hash all four sets at once (the default 4 MB sorts a month on disk)
    session.execute(text("SET LOCAL work_mem = '64MB'"))
    # grouping(): a bit for each column left out of the row's set, agency the highest
    kinds = {7: ("", None), 3: ("agency", 3), 5: ("channel", 4), 6: ("topic", 5)}
    found: list[CubeRow] = []
    for row in session.execute(query):
        kind, at = kinds[row[2]]
        found.append((row[0], row[1], name, kind, "" if at is None else row[at], row[6], row[7]))
    return found


def _sqlite(session: Session, name: str, rows: Any) -> list[CubeRow]:
    r = rows.c
    found: list[CubeRow] = []
    for kind in KINDS:
        keys = [getattr(r, kind)] if kind else []
        group = (r.tenant, r.month, *keys, r.days)
        for row in session.execute(select(*group, func.count()).group_by(*group)):
            key = row[2] if kind else ""
            found.append((row[0], row[1], name, kind, key, row[-2], row[-1]))
    return found


def run_all(factory: sessionmaker[Session], tasks: Sequence[Callable[[Session], T]]) -> list[T]:
    """Run each task on its own session: at once on PostgreSQL, one by one on SQLite."""

    def run(task: Callable[[Session], T]) -> T:
        with factory() as session:
            return task(session)

    with factory() as session:
        dialect = session.get_bind().dialect.name
    if dialect != "postgresql":
        return [run(task) for task in tasks]
    with ThreadPoolExecutor(PARALLEL) as pool:
        return list(pool.map(run, tasks))


def tasks(
    tenants: Sequence[str], start: date, end: date, today: date,
    received: tuple[date, date | None] | None = None, names: Sequence[str] = tuple(MEASURES),
) -> list[Callable[[Session], list[CubeRow]]]:  # fmt: skip
    """The statements giving the rows of ``tenants`` in [start, end] of each measure of
    ``names``; a rate's numerator only for complaints received in ``received`` (from,
    and up to unless None)."""

    def task(name: str) -> Callable[[Session], list[CubeRow]]:
        def count(session: Session) -> list[CubeRow]:
            dialect = session.get_bind().dialect.name
            rows = _rows(MEASURES[name], tenants, start, end, today, received, dialect)
            if dialect == "postgresql":
                return _postgres(session, name, rows)
            return _sqlite(session, name, rows)

        return count

    return [task(name) for name in names] if tenants else []
