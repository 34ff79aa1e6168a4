"""``GET requests`` filters, and reading a jurisdiction's Open311 requests.

Only the tenant's complaints that came through its open311 channel are ever read.
Filters follow the spec: ``service_request_id`` (comma-separated) overrides every
other; ``start_date``/``end_date`` bound ``requested_datetime`` (90 days when left
out, at most 90 days apart); at most 1000 requests, newest first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col, select

from adapters.open311.form import parse_datetime
from adapters.open311.render import invalid
from adapters.open311.settings import CHANNEL
from adapters.open311.status import canonical_statuses
from gateway.storage.models import Complaint

MAX_REQUESTS = 1000
WINDOW = timedelta(days=90)
#: ids and tokens are UUIDs (and LGW-<uuid>): anything else cannot match, is not looked up
_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")
#: ``status``: open, closed, or both comma-separated (no spaces)
STATUS = re.compile(r"(open|closed)(,(open|closed))*")
_EARLIEST = datetime.min.replace(tzinfo=UTC)
_LATEST = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class RequestFilter:
    ids: tuple[str, ...] | None  # given: only these, nothing else counts
    service_codes: tuple[str, ...] | None
    statuses: tuple[str, ...] | None  # canonical statuses
    start: datetime
    end: datetime


def well_formed_id(value: str) -> bool:
    return bool(_ID.match(value))


def _list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _shift(moment: datetime, delta: timedelta) -> datetime:
    try:
        return moment + delta
    except OverflowError:
        return _LATEST if delta > timedelta(0) else _EARLIEST


def _date(params: Mapping[str, str], name: str, zone: ZoneInfo) -> datetime | None:
    value = params.get(name, "").strip()
    if not value:
        return None
    try:
        return parse_datetime(value, zone).astimezone(UTC)
    except (ValueError, OverflowError):
        raise invalid("bad_date", name) from None


def parse_filter(
    params: Mapping[str, str], categories: Mapping[str, object], zone: ZoneInfo, now: datetime
) -> RequestFilter:
    """The filter a ``GET requests`` query asks for; a 400 naming a wrong parameter."""
    ids = _list(params.get("service_request_id"))
    if len(ids) > MAX_REQUESTS:
        raise invalid("too_many", "service_request_id", MAX_REQUESTS)
    start, end = _date(params, "start_date", zone), _date(params, "end_date", zone)
    if start is not None and end is not None:
        if end < start:
            raise invalid("date_order", "end_date")
        if end - start > WINDOW:
            raise invalid("range_too_long", "end_date", WINDOW.days)
    elif start is not None:
        end = _shift(start, WINDOW)
    elif end is not None:
        start = _shift(end, -WINDOW)
    else:
        end = now.astimezone(UTC)
        start = end - WINDOW
    assert start is not None and end is not None
    raw_status = params.get("status")
    if raw_status is not None and not STATUS.fullmatch(raw_status):
        raise invalid("bad_choice", "status", "open, closed")
    statuses = _list(raw_status)
    codes = _list(params.get("service_code"))
    return RequestFilter(
        ids=tuple(i for i in dict.fromkeys(ids) if well_formed_id(i)) if ids else None,
        service_codes=tuple(c for c in dict.fromkeys(codes) if c in categories) if codes else None,
        statuses=tuple(canonical_statuses(set(statuses))) if statuses else None,
        start=start,
        end=end,
    )


def find_requests(
    factory: sessionmaker[Session], tenant: str, wanted: RequestFilter
) -> list[Complaint]:
    """The tenant's Open311 requests ``wanted`` asks for, newest first (detached)."""
    query = select(Complaint).where(
        col(Complaint.tenant) == tenant, col(Complaint.channel) == CHANNEL
    )
    if wanted.ids is not None:
        if not wanted.ids:
            return []
        query = query.where(col(Complaint.id).in_(wanted.ids))
    else:
        if wanted.service_codes is not None:
            if not wanted.service_codes:
                return []
            query = query.where(col(Complaint.category).in_(wanted.service_codes))
        if wanted.statuses is not None:
            query = query.where(col(Complaint.status).in_(wanted.statuses))
        query = query.where(
            col(Complaint.created_at) >= wanted.start, col(Complaint.created_at) <= wanted.end
        )
    query = query.order_by(col(Complaint.created_at).desc(), col(Complaint.id)).limit(MAX_REQUESTS)
    with factory() as session:
        found = list(session.scalars(query))
        session.expunge_all()
    return found


def find_one(
    factory: sessionmaker[Session],
    tenant: str,
    *,
    request_id: str | None = None,
    token: str | None = None,
) -> Complaint | None:
    """One of the tenant's Open311 requests by its id or its token (external_ref)."""
    key = request_id if request_id is not None else token
    if key is None or not well_formed_id(key):
        return None
    column = col(Complaint.id) if request_id is not None else col(Complaint.external_ref)
    query = select(Complaint).where(
        col(Complaint.tenant) == tenant, col(Complaint.channel) == CHANNEL, column == key
    )
    with factory() as session:
        found = session.scalars(query).first()
        if found is not None:
            session.expunge(found)
    return found
