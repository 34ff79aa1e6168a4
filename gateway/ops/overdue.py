"""Complaints past their national due dates: the SLA page and the "overdue" filter.

The one definition, in SQL, used by both :mod:`gateway.ops.complaint_list` (its
"Lewat tenggat" filter) and the SLA page, with "today" the WIB date:

* past its verification due date: ``verify_due`` is before today and the national
  admin has not verified it yet (still ``received``, ``submitted`` or ``failed``);
* past its follow-up due date: ``follow_up_due`` is before today and it is not
  finished (neither ``resolved`` nor ``rejected``).

The due dates are set by :mod:`gateway.storage.complaints` (verification on
submission, follow-up on disposition) and never cleared, so the status is what
tells whether a due date still counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, case, func, or_, select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from gateway.domain.status import Status
from gateway.ops.paging import PAGE_SIZE, Paging, rows_before
from gateway.storage.models import Complaint

#: not yet verified nationally: the verification due date still counts
UNVERIFIED = (Status.RECEIVED.value, Status.SUBMITTED.value, Status.FAILED.value)
#: finished: no due date counts any more
FINISHED = tuple(s.value for s in Status if s.is_terminal)


def verify_overdue(today: date) -> ColumnElement[bool]:
    return and_(col(Complaint.verify_due) < today, col(Complaint.status).in_(UNVERIFIED))


def follow_up_overdue(today: date) -> ColumnElement[bool]:
    return and_(col(Complaint.follow_up_due) < today, col(Complaint.status).not_in(FINISHED))


def past_due(today: date) -> ColumnElement[bool]:
    """Past its verification or its follow-up due date, on ``today`` (WIB)."""
    return or_(verify_overdue(today), follow_up_overdue(today))


def _missed_since(today: date) -> ColumnElement[date]:
    """The earliest due date a complaint past due has missed (sorts most overdue first)."""
    verify, follow_up = col(Complaint.verify_due), col(Complaint.follow_up_due)
    return case(
        (and_(verify_overdue(today), follow_up_overdue(today), follow_up < verify), follow_up),
        (verify_overdue(today), verify),
        else_=follow_up,
    )


@dataclass(frozen=True)
class Missed:
    #: ``verifikasi`` or ``tindak lanjut``
    what: str
    due: date
    days: int


@dataclass(frozen=True)
class OverdueRow:
    """A complaint past due, without any personal data of its reporter."""

    id: str
    tenant: str
    tracking_id: str | None
    title: str
    status: str
    missed: list[Missed]


@dataclass(frozen=True)
class OverduePage:
    rows: list[OverdueRow]
    tenant: str
    paging: Paging


def find(
    factory: sessionmaker[Session], visible: Sequence[str], tenant: str, page: int, today: date
) -> OverduePage:
    """Page ``page`` of the complaints past due in ``visible`` tenants, most overdue first."""
    tenants = [t for t in visible if not tenant or t == tenant]
    if not tenants:
        return OverduePage([], tenant, Paging(page, 0, (("tenant", tenant),)))
    where = (col(Complaint.tenant).in_(tenants), past_due(today))
    query = (
        select(
            col(Complaint.id),
            col(Complaint.tenant),
            col(Complaint.tracking_id),
            col(Complaint.title),
            col(Complaint.status),
            col(Complaint.verify_due),
            col(Complaint.follow_up_due),
            verify_overdue(today).label("verify_missed"),
            follow_up_overdue(today).label("follow_up_missed"),
        )
        .where(*where)
        .order_by(_missed_since(today), col(Complaint.created_at), col(Complaint.id))
        .offset(rows_before(page))
        .limit(PAGE_SIZE)
    )
    with factory() as session:
        total = session.scalar(select(func.count()).select_from(Complaint).where(*where)) or 0
        found = session.execute(query).all()
    rows = [
        OverdueRow(r.id, r.tenant, r.tracking_id, r.title, r.status, _missed(today, r))
        for r in found
    ]
    return OverduePage(rows, tenant, Paging(page, int(total), (("tenant", tenant),)))


def _missed(today: date, row: Row[Any]) -> list[Missed]:
    """The due dates the query found missed, with the days since each."""
    dues = (
        ("verifikasi", row.verify_due, row.verify_missed),
        ("tindak lanjut", row.follow_up_due, row.follow_up_missed),
    )
    return [Missed(what, due, (today - due).days) for what, due, missed in dues if missed]
