"""Read-only queries for lookups (staff API, tracking, CLI)."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from gateway.storage.models import Complaint, StatusEvent

T = TypeVar("T")


def history(session: Session, complaint_id: str) -> list[StatusEvent]:
    return list(
        session.scalars(
            select(StatusEvent)
            .where(StatusEvent.complaint_id == complaint_id)  # type: ignore[arg-type]
            .order_by(StatusEvent.at, StatusEvent.id)  # type: ignore[arg-type]
        )
    )


def complaint_with_history(
    factory: sessionmaker[Session], complaint_id: str
) -> tuple[Complaint, list[StatusEvent]] | None:
    with factory() as session:
        complaint = session.get(Complaint, complaint_id)
        if complaint is None:
            return None
        return complaint, history(session, complaint_id)


def by_tracking_id(
    factory: sessionmaker[Session], tracking_id: str
) -> tuple[Complaint, list[StatusEvent]] | None:
    with factory() as session:
        complaint = session.scalars(
            select(Complaint).where(Complaint.tracking_id == tracking_id)  # type: ignore[arg-type]
        ).first()
        if complaint is None:
            return None
        return complaint, history(session, complaint.id)


def by_source(
    factory: sessionmaker[Session], tenant: str, channel: str, source_ref: str
) -> tuple[Complaint, list[StatusEvent]] | None:
    """A complaint by its channel's own reference, with its history (detached)."""
    with factory() as session:
        complaint = session.scalars(
            select(Complaint).where(
                col(Complaint.tenant) == tenant,
                col(Complaint.channel) == channel,
                col(Complaint.source_ref) == source_ref,
            )
        ).first()
        if complaint is None:
            return None
        events = history(session, complaint.id)
        session.expunge_all()
        return complaint, events


def find(
    factory: sessionmaker[Session],
    tenant: str,
    *,
    channel: str | None = None,
    source_ref: str | None = None,
    tracking_id: str | None = None,
    phone: str | None = None,
    flagged: bool | None = None,
    limit: int = 50,
) -> list[tuple[Complaint, list[StatusEvent]]]:
    """A tenant's complaints, newest first; ``flagged``: only those routing was not sure of."""
    query = select(Complaint).where(Complaint.tenant == tenant)  # type: ignore[arg-type]
    if flagged is not None:
        review = col(Complaint.review_reason)
        query = query.where(review.is_not(None) if flagged else review.is_(None))
    if channel:
        query = query.where(Complaint.channel == channel)  # type: ignore[arg-type]
    if source_ref:
        query = query.where(Complaint.source_ref == source_ref)  # type: ignore[arg-type]
    if tracking_id:
        query = query.where(Complaint.tracking_id == tracking_id)  # type: ignore[arg-type]
    if phone:
        query = query.where(Complaint.reporter_phone == phone)  # type: ignore[arg-type]
    query = query.order_by(Complaint.created_at.desc()).limit(limit)  # type: ignore[attr-defined]
    with factory() as session:
        rows = list(session.scalars(query))
        return [(c, history(session, c.id)) for c in rows]


def detached(factory: sessionmaker[Session], model: type[T], key: object) -> T | None:
    """One row by its primary key, detached from its session (safe to read after it closes)."""
    with factory() as session:
        found = session.get(model, key)
        if found is not None:
            session.expunge(found)
        return found


def complaint(factory: sessionmaker[Session], complaint_id: str) -> Complaint | None:
    return detached(factory, Complaint, complaint_id)
