"""The figures of months that have ended, kept once computed.

Every figure of a month that has ended is settled: its steps happened, its due dates
passed. A month's figures per tenant, measure, breakdown (the total, each agency,
channel and topic) and working-day duration (:mod:`gateway.oversight.cube`) are
computed once from the oversight rows and kept in ``oversight_month``; a quarter or a
year is the sum of its months. The month in progress is always computed afresh.

A step recorded late, with a day in a month that has ended (a feed catching up, a
replay), drops that tenant's kept month (:func:`forget`, in the same transaction as
the step) and raises its version in ``oversight_month_state``. A month is kept only
if its version has not moved since the figures were read (:func:`keep`, which locks
the version rows), and the page reads kept months between two looks at their
versions, so a late step landing while a month is being kept or read never leaves
stale figures behind. A rebuild drops them all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Integer, case, func, literal_column, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import Field, SQLModel, col

#: a kept figure: (tenant, month, measure, breakdown, key, days, how many)
CubeRow = tuple[str, str, str, str, str, int, int]
#: (tenant, month)
Pair = tuple[str, str]


class OversightMonth(SQLModel, table=True):
    __tablename__ = "oversight_month"

    tenant: str = Field(primary_key=True, max_length=64)
    month: str = Field(primary_key=True, max_length=7)  # "2026-11"
    measure: str = Field(primary_key=True, max_length=32)
    #: "" (the tenant's total), "agency", "channel" or "topic"
    kind: str = Field(primary_key=True, max_length=8)
    #: the agency code, channel or topic id ("" for the total or for none)
    key: str = Field(primary_key=True, max_length=64)
    #: a median's working days; a rate's month received (year * 12 + month - 1); else -1
    days: int = Field(primary_key=True)
    n: int = 0


class OversightMonthState(SQLModel, table=True):
    __tablename__ = "oversight_month_state"

    tenant: str = Field(primary_key=True, max_length=64)
    month: str = Field(primary_key=True, max_length=7)
    #: raised by every late step that changes the month's figures
    version: int = 0
    kept: bool = False


def month_key(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def month_number(key: str) -> int:
    """ "2026-11" -> 2026 * 12 + 10: the rates' month received, as kept."""
    year, month = key.split("-")
    return int(year) * 12 + int(month) - 1


def _upsert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(OversightMonthState)


def forget(session: Session, tenant: str, days: Iterable[date | None], today: date) -> None:
    """Drop the kept months of ``tenant`` holding any of ``days`` that have ended, in
    the caller's transaction, and raise their versions."""
    current = month_key(today)
    months = sorted({month_key(d) for d in days if d is not None and month_key(d) < current})
    if not months:
        return
    table = OversightMonthState
    statement = _upsert(session).values(
        [{"tenant": tenant, "month": m, "version": 1, "kept": False} for m in months]
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["tenant", "month"],
            set_={"version": col(table.version) + 1, "kept": False},
        )
    )
    session.execute(
        OversightMonth.__table__.delete().where(  # type: ignore[attr-defined]
            col(OversightMonth.tenant) == tenant, col(OversightMonth.month).in_(months)
        )
    )


def forget_all(session: Session) -> None:
    """A rebuild: every kept month dropped, every version raised."""
    session.execute(OversightMonth.__table__.delete())  # type: ignore[attr-defined]
    session.execute(
        update(OversightMonthState).values(version=col(OversightMonthState.version) + 1, kept=False)
    )


def states(
    session: Session, tenants: Sequence[str], months: Sequence[str]
) -> dict[Pair, tuple[int, bool]]:
    """The version of each (tenant, month) and whether it is kept (absent: 0, no)."""
    if not tenants or not months:
        return {}
    query = select(OversightMonthState).where(
        col(OversightMonthState.tenant).in_(tenants), col(OversightMonthState.month).in_(months)
    )
    return {(s.tenant, s.month): (s.version, s.kept) for s in session.scalars(query)}


def keep(
    factory: sessionmaker[Session],
    read: Mapping[Pair, int],
    rows: Iterable[CubeRow],
) -> set[Pair]:
    """Keep the figures of the months ``read`` (with the version each had before its
    figures were read) whose version has not moved and that nobody kept meanwhile;
    the months kept."""
    if not read:
        return set()
    pairs = sorted(read)
    with factory() as session, session.begin():
        session.execute(
            _upsert(session)
            .values([{"tenant": t, "month": m, "version": 0, "kept": False} for t, m in pairs])
            .on_conflict_do_nothing(index_elements=["tenant", "month"])
        )
        table = OversightMonthState
        locked = session.execute(
            select(col(table.tenant), col(table.month), col(table.version), col(table.kept))
            .where(tuple_(col(table.tenant), col(table.month)).in_(pairs))
            .order_by(col(table.tenant), col(table.month))
            .with_for_update()
        )
        keeping = {(t, m) for t, m, version, kept in locked if not kept and version == read[(t, m)]}
        if not keeping:
            return set()
        values = [
            {"tenant": t, "month": m, "measure": s, "kind": k, "key": key, "days": d, "n": n}
            for t, m, s, k, key, d, n in rows
            if (t, m) in keeping
        ]
        for start in range(0, len(values), 5000):
            session.execute(OversightMonth.__table__.insert(), values[start : start + 5000])  # type: ignore[attr-defined]
        session.execute(
            update(table)
            .where(tuple_(col(table.tenant), col(table.month)).in_(sorted(keeping)))
            .values(kept=True)
        )
    return keeping


def period_sums(
    session: Session, pairs: Sequence[Pair], rates: Sequence[str], first_month: int | None
) -> list[tuple[str, str, str, str, int, int]]:
    """The kept figures of ``pairs`` summed over their months: (tenant for a total, ""
    for a breakdown, measure, breakdown, key, days, how many); a rate's numerator only
    for complaints received from ``first_month`` on (None: every one)."""
    if not pairs:
        return []
    m = OversightMonth
    blank: Any = literal_column("''")
    tenant = case((col(m.kind) == blank, col(m.tenant)), else_=blank)
    where: list[Any] = [tuple_(col(m.tenant), col(m.month)).in_(sorted(pairs))]
    if first_month is not None:
        where.append(
            ~(col(m.measure).in_(rates) & (col(m.days) < literal_column(str(first_month))))
        )
    group = (tenant, col(m.measure), col(m.kind), col(m.key), col(m.days))
    query = select(*group, func.sum(col(m.n)).cast(Integer)).where(*where).group_by(*group)
    return [tuple(row) for row in session.execute(query)]


def trend_sums(session: Session, pairs: Sequence[Pair]) -> list[tuple[str, str, int, int]]:
    """The kept totals of ``pairs`` by month: (month, measure, days, how many)."""
    if not pairs:
        return []
    m = OversightMonth
    group = (col(m.month), col(m.measure), col(m.days))
    query = (
        select(*group, func.sum(col(m.n)).cast(Integer))
        .where(tuple_(col(m.tenant), col(m.month)).in_(sorted(pairs)), col(m.kind) == "")
        .group_by(*group)
    )
    return [tuple(row) for row in session.execute(query)]
