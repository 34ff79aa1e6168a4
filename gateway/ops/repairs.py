"""Fixing what is stuck: a failed submission's values, and quarantined raw inputs.

A submission the registry refused (a 400 naming ``agency_code``, say: the tenant's
mapping gave a code the registry no longer lists) fails for good. An operator
corrects the complaint's mapped values here and replays it: the edit, the job back
in the queue and both audit rows commit in one transaction, and only while the
complaint has no national tracking ID (once the registry has it, the gateway's copy
must not drift from the national one). A topic or agency corrected here is kept, with
the text, for the classifier to learn from (:mod:`gateway.storage.corrections`).

A raw input that could not become a complaint is kept ``quarantined`` in
``inbound_message``. Its channel's :attr:`ChannelAdapter.replay` takes it again,
with the fields the operator corrected; or the operator dismisses it with a reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from gateway.domain.zones import local, zone_or_wib
from gateway.logs import scrub_text
from gateway.ops import accounts, jobs
from gateway.ops.models import Operator
from gateway.ops.paging import PAGE_SIZE, Paging
from gateway.ops.repair_form import EDITABLE
from gateway.storage import corrections, outbox
from gateway.storage.engine import transaction
from gateway.storage.intake import QUARANTINED
from gateway.storage.models import Complaint, InboundMessage
from gateway.sync import wakeup

if TYPE_CHECKING:
    from gateway.bootstrap import Container
    from gateway.channels import ChannelAdapter

DISMISSED = "dismissed"
MAX_REASON = 500
MAX_VALUE = 10_000


class Refused(Exception):
    """The repair cannot be made (the job or input moved on meanwhile); says why."""


def fix_and_replay(
    factory: sessionmaker[Session], operator: Operator, job_id: int, values: Mapping[str, Any]
) -> list[str]:
    """Correct the failed submission's complaint and queue it again; the fields changed.

    Raises :class:`Refused` when the job is no longer a failed submission or the
    registry already has the complaint.
    """
    now = accounts.now_utc()
    with transaction(factory) as session:
        job = jobs.locked_failed(session, job_id)
        if job is None or job.kind != "submit":
            raise Refused("Tugas ini sudah tidak berstatus gagal, atau bukan pengiriman.")
        complaint = session.get(Complaint, job.complaint_id, with_for_update=True)
        if complaint is None or complaint.tracking_id is not None:
            raise Refused("Pengaduan ini sudah tercatat di registri nasional.")
        changed = []
        before = (complaint.incident_date, complaint.region_code)
        labels = corrections.Labels.of(complaint)
        for name in EDITABLE:
            old, new = getattr(complaint, name), values[name]
            if old != new:
                changed.append(f"{name}: {old!r} -> {new!r}")
                setattr(complaint, name, new)
        if complaint.incident_at is not None and before != (
            complaint.incident_date,
            complaint.region_code,
        ):
            moved = incident_moved(complaint.incident_at, before[1], complaint)
            changed.append(f"incident_at: {complaint.incident_at!r} -> {moved!r}")
            complaint.incident_at = moved
        complaint.updated_at = now
        # a topic or agency a person corrected teaches the classifier
        corrections.record(
            session,
            complaint,
            labels,
            source=corrections.CONSOLE,
            corrected_by=operator.username,
            at=now,
        )
        if changed:
            accounts.audit(
                session,
                operator,
                "edit_complaint",
                tenant=job.tenant,
                complaint_id=complaint.id,
                job_id=job.id,
                detail="; ".join(changed),
            )
        outbox.requeue(session, job, now)
        accounts.audit(
            session,
            operator,
            "retry_job",
            tenant=job.tenant,
            complaint_id=complaint.id,
            job_id=job.id,
        )
        wakeup.announce(session)
    wakeup.announce_local()
    return changed


def incident_moved(at: datetime, old_region: str, complaint: Complaint) -> datetime | None:
    """The incident's moment after its date or region was corrected: the same local time
    of day on the new date, in the new region's zone; none without a date."""
    if complaint.incident_date is None:
        return None
    clock = local(at, zone_or_wib(old_region)).time()
    zone = zone_or_wib(complaint.region_code)
    return datetime.combine(complaint.incident_date, clock, zone.info).astimezone(UTC)


# -- quarantined inputs -------------------------------------------------------------


@dataclass
class InputPage:
    items: list[InboundMessage]
    paging: Paging


def quarantined(
    factory: sessionmaker[Session], visible: Sequence[str], page: int, tenant: str = ""
) -> InputPage:
    """The visible tenants' quarantined inputs, newest first, a page at a time."""
    names = [t for t in visible if not tenant or t == tenant]
    keep = (("tenant", tenant),)
    if not names:
        return InputPage([], Paging(1, 0, keep))
    where = (col(InboundMessage.tenant).in_(names), col(InboundMessage.state) == QUARANTINED)
    with factory() as session:
        total = int(session.scalar(select(func.count()).where(*where)) or 0)
        paging = Paging.within(page, total, keep)
        items = list(
            session.scalars(
                select(InboundMessage)
                .where(*where)
                .order_by(col(InboundMessage.received_at).desc(), col(InboundMessage.id))
                .offset(paging.offset)
                .limit(PAGE_SIZE)
            )
        )
        session.expunge_all()
    return InputPage(items, paging)


def inbound(factory: sessionmaker[Session], inbound_id: str) -> InboundMessage | None:
    with factory() as session:
        found = session.get(InboundMessage, inbound_id)
        if found is not None:
            session.expunge(found)
    return found


def replay_input(
    container: Container,
    adapter: ChannelAdapter,
    operator: Operator,
    inbound_id: str,
    edits: Mapping[str, str],
) -> str | None:
    """Take a quarantined input again through its channel; the complaint's id if it made
    one now. Raises :class:`RecordError` (the record is still wrong: nothing changes)
    or :class:`Refused`."""
    replayer = adapter.replay
    assert replayer is not None
    with transaction(container.factory) as session:
        found = _locked_input(session, inbound_id)
        tenant, channel, ref = found.tenant, found.channel, found.source_ref
        complaint_id = replayer.take(container, session, found, dict(edits))
        columns = ", ".join(sorted(edits)) or "-"
        accounts.audit(
            session,
            operator,
            "replay_input",
            tenant=tenant,
            complaint_id=complaint_id,
            detail=scrub_text(f"{channel} {ref}; fields edited: {columns}")[:MAX_REASON],
        )
        if complaint_id is not None:
            wakeup.announce(session)
    wakeup.announce_local()
    return complaint_id


def dismiss_input(
    factory: sessionmaker[Session], operator: Operator, inbound_id: str, reason: str
) -> None:
    """Set a quarantined input aside for good, with the operator's reason."""
    with transaction(factory) as session:
        found = _locked_input(session, inbound_id)
        found.state = DISMISSED
        accounts.audit(
            session,
            operator,
            "dismiss_input",
            tenant=found.tenant,
            detail=scrub_text(f"{found.channel} {found.source_ref}: {reason.strip()}")[:MAX_REASON],
        )


def _locked_input(session: Session, inbound_id: str) -> InboundMessage:
    """The quarantined input, locked until the transaction ends; else :class:`Refused`."""
    found = session.scalars(
        select(InboundMessage)
        .where(col(InboundMessage.id) == inbound_id, col(InboundMessage.state) == QUARANTINED)
        .with_for_update()
    ).first()
    if found is None:
        raise Refused("Masukan ini sudah tidak dikarantina.")
    return found
