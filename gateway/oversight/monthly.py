"""The twelve-month trend's closed months, kept once computed.

Every figure of a month that has ended is settled: its steps happened, its due dates
passed. The trend's totals of such a month (per tenant, measure and working-day
duration) are computed once from the oversight rows and kept in ``oversight_month``;
the month in progress is always computed afresh. A step recorded late, with a day in
a month that has ended (a feed catching up, a replay), drops that tenant's kept month
(:func:`forget`, in the same transaction as the step), so it is computed again; a
rebuild drops them all.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import Field, SQLModel, col

from gateway.oversight.figures import Period

#: the row that says a (tenant, month) is kept (its other rows may be none)
KEPT = "*"


class OversightMonth(SQLModel, table=True):
    __tablename__ = "oversight_month"

    tenant: str = Field(primary_key=True, max_length=64)
    month: str = Field(primary_key=True, max_length=7)  # "2026-11"
    measure: str = Field(primary_key=True, max_length=32)
    #: working days of the measure's duration; -1 for a measure without one
    days: int = Field(primary_key=True)
    n: int = 0
    #: the rates' numerators (received measure only): followed up, finished by month end
    followed_up: int = 0
    finished: int = 0


def month_key(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def forget(session: Session, tenant: str, days: Iterable[date | None], today: date) -> None:
    """Drop the kept months of ``tenant`` holding any of ``days`` that have ended."""
    current = month_key(today)
    months = {month_key(day) for day in days if day is not None and month_key(day) < current}
    if months:
        session.execute(
            delete(OversightMonth).where(
                col(OversightMonth.tenant) == tenant, col(OversightMonth.month).in_(months)
            )
        )


def kept(
    session: Session, covered: tuple[str, ...], months: list[Period]
) -> tuple[list[OversightMonth], set[tuple[str, str]]]:
    """The kept rows of these tenants and months, and which (tenant, month) are kept."""
    keys = [m.key for m in months]
    rows = list(
        session.scalars(
            select(OversightMonth).where(
                col(OversightMonth.tenant).in_(covered), col(OversightMonth.month).in_(keys)
            )
        )
    )
    done = {(r.tenant, r.month) for r in rows if r.measure == KEPT}
    return [r for r in rows if r.measure != KEPT], done


def keep(
    factory: sessionmaker[Session], tenant: str, month: str, rows: list[OversightMonth]
) -> None:
    """Keep a month's rows; another process keeping it at the same time wins."""
    try:
        with factory() as session, session.begin():
            session.add_all(
                [*rows, OversightMonth(tenant=tenant, month=month, measure=KEPT, days=-1)]
            )
    except IntegrityError:
        pass
