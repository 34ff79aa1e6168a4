"""Corrections: what people changed of the topic and agency a complaint was routed to.

An operator corrects them in the console (:func:`gateway.ops.repairs.fix_and_replay`),
or the national verification does, and the change feed shows it
(:func:`from_feed`, called by the status puller). Either way the text the classifier
read, the labels before and after, who corrected them and when are kept in the same
transaction as the change, so the classifier can learn from them
(:func:`latest_topics`, read by ``gateway classifier train --with-corrections``).

Nothing is kept when nothing changed. An agency the registry assigns to a complaint the
gateway sent without one is not a correction (there was nothing to correct); a topic
the registry gives one that had none is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Engine, func, or_, select
from sqlalchemy.orm import Session
from sqlmodel import col

from gateway.ports import ChangeEvent
from gateway.storage.intake import utcnow
from gateway.storage.models import Complaint, Correction

#: the text kept: as much as routing classifies (gateway.routing.CLASSIFY_CHARS)
TEXT_CHARS = 2_000
CONSOLE = "console"
NATIONAL = "national"
#: who corrected, when the national verification did
NATIONAL_VERIFICATION = "national verification"


def text_of(complaint: Complaint) -> str:
    """The text the classifier read: title and content, as :func:`gateway.routing.route`."""
    return f"{complaint.title}\n{complaint.content}"[:TEXT_CHARS]


@dataclass(frozen=True)
class Labels:
    """A complaint's topic and agency at one moment."""

    topic_id: int | None
    agency_code: str | None
    topic_source: str | None = None

    @classmethod
    def of(cls, complaint: Complaint) -> Labels:
        return cls(complaint.topic_id, complaint.agency_code, complaint.topic_source)


def record(
    session: Session,
    complaint: Complaint,
    before: Labels,
    *,
    source: str,
    corrected_by: str,
    at: datetime | None = None,
) -> Correction | None:
    """Keep the change from ``before`` to the complaint's labels now, in the caller's
    transaction; None when neither changed (or only a missing agency was filled in)."""
    topic_changed = complaint.topic_id != before.topic_id
    agency_changed = before.agency_code is not None and complaint.agency_code != (
        before.agency_code
    )
    if not (topic_changed or agency_changed):
        return None
    row = Correction(
        tenant=complaint.tenant,
        complaint_id=complaint.id,
        channel=complaint.channel,
        text=text_of(complaint),
        topic_before=before.topic_id,
        topic_after=complaint.topic_id,
        agency_before=before.agency_code,
        agency_after=complaint.agency_code,
        topic_source=before.topic_source,
        source=source,
        corrected_by=corrected_by[:64],
        at=at or utcnow(),
    )
    session.add(row)
    return row


# -- the national change feed -----------------------------------------------------


def labels_before(
    session: Session, tenant: str, events: Sequence[ChangeEvent]
) -> dict[str, tuple[str, Labels]]:
    """Per event key (tracking ID or external ref), the complaint's id and labels before
    a page of the feed is applied; only for events that say a topic or an agency.

    One query for the whole page, no lock.
    """
    telling = [e for e in events if e.topic_id is not None or e.agency_code]
    if not telling:
        return {}
    tracking = sorted({e.tracking_id for e in telling})
    refs = sorted({e.external_ref for e in telling if e.external_ref})
    where: ColumnElement[bool] = col(Complaint.tracking_id).in_(tracking)
    if refs:
        where = or_(where, col(Complaint.external_ref).in_(refs))
    rows = session.execute(
        select(
            col(Complaint.id),
            col(Complaint.tracking_id),
            col(Complaint.external_ref),
            col(Complaint.topic_id),
            col(Complaint.agency_code),
            col(Complaint.topic_source),
        ).where(col(Complaint.tenant) == tenant, where)
    )
    found: dict[str, tuple[str, Labels]] = {}
    for row in rows:
        labels = Labels(row.topic_id, row.agency_code, row.topic_source)
        found[f"ref:{row.external_ref}"] = (row.id, labels)
        if row.tracking_id is not None:
            found[f"tid:{row.tracking_id}"] = (row.id, labels)
    return found


def from_feed(
    session: Session,
    tenant: str,
    events: Sequence[ChangeEvent],
    before: dict[str, tuple[str, Labels]],
) -> int:
    """After a page of the feed is applied: take each topic the registry set on the
    complaint, and keep a correction for each complaint whose topic or agency the
    registry changed (``before``: :func:`labels_before`). How many were kept.

    The agency is the one :func:`gateway.storage.complaints.apply_change` applied from
    the events; an event it ignored changes no label here either.
    """
    topics: dict[str, int] = {}  # complaint id -> the registry's latest topic
    starts: dict[str, Labels] = {}
    at: dict[str, datetime] = {}
    moved: set[str] = set()  # complaints whose labels the page may have changed
    for event in events:
        found = before.get(f"tid:{event.tracking_id}") or before.get(f"ref:{event.external_ref}")
        if found is None:
            continue
        complaint_id, labels = found
        start = starts.setdefault(complaint_id, labels)
        if event.topic_id is not None:
            topics[complaint_id] = event.topic_id
        if event.agency_code and start.agency_code not in (None, event.agency_code):
            moved.add(complaint_id)
        at[complaint_id] = event.at
    moved |= {cid for cid, topic in topics.items() if topic != starts[cid].topic_id}
    kept = 0
    for complaint_id in sorted(moved):  # one lock order
        complaint = session.get(Complaint, complaint_id, with_for_update=True)
        if complaint is None:
            continue
        if complaint_id in topics and topics[complaint_id] != complaint.topic_id:
            complaint.topic_id = topics[complaint_id]
            complaint.updated_at = utcnow()
        corrected = record(
            session,
            complaint,
            starts[complaint_id],
            source=NATIONAL,
            corrected_by=NATIONAL_VERIFICATION,
            at=at[complaint_id],
        )
        kept += corrected is not None
    return kept


# -- reading them back --------------------------------------------------------------


def latest_topics(engine: Engine) -> list[Correction]:
    """The latest correction of each complaint whose topic a person corrected, oldest
    complaint first: the text and the topic it should have had (``topic_after``).

    A complaint whose corrections only ever changed its agency is left out: its topic
    is still the classifier's own guess, not a person's.
    """
    topic_fixed = (
        select(col(Correction.complaint_id))
        .where(
            or_(
                col(Correction.topic_before).is_(None),
                col(Correction.topic_before) != col(Correction.topic_after),
            ),
            col(Correction.topic_after).is_not(None),
        )
        .distinct()
    )
    newest = (
        select(func.max(col(Correction.id)))
        .where(col(Correction.complaint_id).in_(topic_fixed))
        .group_by(col(Correction.tenant), col(Correction.complaint_id))
    )
    with Session(engine) as session:
        rows = list(
            session.scalars(
                select(Correction)
                .where(col(Correction.id).in_(newest), col(Correction.topic_after).is_not(None))
                .order_by(col(Correction.id))
            )
        )
        session.expunge_all()
    return rows
