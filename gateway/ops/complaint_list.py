"""Finding complaints on the console: filters, a search box and pages of 50.

Every query is limited to the tenants the operator may see, whatever the URL asks.
"Overdue" is :func:`gateway.ops.overdue.past_due`, as on the SLA page. A phone number
never finds a confidential complaint: that would confirm who its reporter is, to any
role and without the audited reveal (its tracking ID or ticket number still finds it).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from gateway.ops.overdue import past_due
from gateway.phone import to_e164
from gateway.storage.models import Complaint

PAGE_SIZE = 50
STATUSES = (
    "received",
    "submitted",
    "verified",
    "dispatched",
    "in_progress",
    "resolved",
    "rejected",
    "failed",
)


@dataclass(frozen=True)
class Filters:
    tenant: str = ""
    channel: str = ""
    status: str = ""
    flagged: bool = False
    overdue: bool = False
    q: str = ""
    page: int = 1

    def query_string(self, page: int) -> str:
        """These filters on page ``page``, as a URL's query (for the pager links)."""
        pairs: list[tuple[str, str]] = [
            (name, value)
            for name, value in (
                ("tenant", self.tenant),
                ("channel", self.channel),
                ("status", self.status),
                ("q", self.q),
            )
            if value
        ]
        pairs += [(name, "1") for name in ("flagged", "overdue") if getattr(self, name)]
        return urlencode([*pairs, ("page", str(page))])


@dataclass
class Page:
    complaints: list[Complaint]
    number: int
    has_next: bool


def _search(q: str) -> ColumnElement[bool]:
    """A tracking ID, the channel's ticket number, the gateway id or the reporter's phone
    (of a complaint that is not confidential)."""
    matches = [
        col(Complaint.tracking_id) == q,
        col(Complaint.source_ref) == q,
        col(Complaint.id) == q,
    ]
    with suppress(ValueError):  # not a phone number: the other fields still match
        phone = col(Complaint.reporter_phone) == to_e164(q)
        matches.append(and_(phone, col(Complaint.confidential).is_(False)))
    return or_(*matches)


def find(
    factory: sessionmaker[Session], visible: Sequence[str], filters: Filters, today: date
) -> Page:
    """One page of the complaints in ``visible`` tenants that match, newest first."""
    tenants = [t for t in visible if not filters.tenant or t == filters.tenant]
    if not tenants:
        return Page([], filters.page, False)
    query = select(Complaint).where(col(Complaint.tenant).in_(tenants))
    if filters.channel:
        query = query.where(col(Complaint.channel) == filters.channel)
    if filters.status:
        query = query.where(col(Complaint.status) == filters.status)
    if filters.flagged:
        query = query.where(col(Complaint.review_reason).is_not(None))
    if filters.overdue:
        query = query.where(past_due(today))
    if filters.q:
        query = query.where(_search(filters.q))
    query = (
        query.order_by(col(Complaint.created_at).desc(), col(Complaint.id))
        .offset((filters.page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    )
    with factory() as session:
        rows = list(session.scalars(query))
        session.expunge_all()
    return Page(rows[:PAGE_SIZE], filters.page, len(rows) > PAGE_SIZE)
