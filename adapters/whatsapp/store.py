"""The WhatsApp channel's database work: raw messages taken once, outbound statuses.

Each message of a delivery is an ``inbound_message`` (channel ``whatsapp``,
source_ref ``message:<wamid>``, state ``accepted``) holding a delivery of that
message alone: Meta redelivers whole deliveries, and a message id seen before is
not stored again. The statuses of the gateway's own messages go to
``whatsapp_message`` in the same transaction, each only moving forward
(:data:`~adapters.whatsapp.events.STATUS_ORDER`). The whole delivery commits
before Meta gets its 200.

The stored messages wait in ``accepted`` for the chat engine (:func:`pending`
gives them parsed); nothing here answers a citizen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from adapters.whatsapp.account import CHANNEL
from adapters.whatsapp.events import Delivery, Message, Status, parse_delivery, status_rank
from gateway.chat import store as chat_store
from gateway.storage import intake
from gateway.storage.engine import transaction
from gateway.storage.intake import ACCEPTED
from gateway.storage.models import InboundMessage, WhatsAppMessage
from gateway.storage.queues import chat_key

#: a redelivery racing its first delivery: the loser reads what the winner stored
ATTEMPTS = 3


def utcnow() -> datetime:
    return datetime.now(UTC)


def message_ref(message_id: str) -> str:
    return f"message:{message_id}"


def recipient_key(wa_id: str) -> str:
    """How a recipient is kept: the chat's hashed key, never the number."""
    return chat_key(CHANNEL, wa_id)


@dataclass(frozen=True)
class Stored:
    new: int  # messages stored now
    duplicate: int  # messages stored before (a redelivery)
    statuses: int  # statuses that moved an outbound message forward


def store_delivery(factory: sessionmaker[Session], tenant: str, delivery: Delivery) -> Stored:
    """Commit the delivery's new messages and its statuses in one transaction."""
    for attempt in range(ATTEMPTS):
        try:
            return _store(factory, tenant, delivery)
        except IntegrityError:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _store(factory: sessionmaker[Session], tenant: str, delivery: Delivery) -> Stored:
    refs = {message_ref(r.message.message_id): r for r in delivery.received}
    with transaction(factory) as session:
        seen = set(
            session.scalars(
                select(InboundMessage.source_ref).where(  # type: ignore[call-overload]
                    col(InboundMessage.tenant) == tenant,
                    col(InboundMessage.channel) == CHANNEL,
                    col(InboundMessage.source_ref).in_(list(refs)),
                )
            )
        )
        for ref, received in refs.items():
            if ref not in seen:
                raw = json.dumps(received.raw, ensure_ascii=False, separators=(",", ":"))
                intake.add_inbound(session, tenant, CHANNEL, ref, raw, ACCEPTED)
        moved = sum(record_status(session, tenant, status) for status in delivery.statuses)
    new = len(refs) - len(seen)
    return Stored(new, len(delivery.received) - new, moved)


def record_status(session: Session, tenant: str, status: Status) -> bool:
    """Move an outbound message to ``status`` if that is forward (in the caller's
    transaction); a status of a message not recorded yet creates its row."""
    rank = status_rank(status.status)
    if rank < 0:
        return False  # a status we do not know moves nothing
    now = utcnow()
    row = session.get(WhatsAppMessage, (tenant, status.message_id), with_for_update=True)
    if row is None:
        row = WhatsAppMessage(
            tenant=tenant,
            message_id=status.message_id,
            status=status.status,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
    elif status_rank(row.status) >= rank:
        return False
    row.status = status.status
    if status.recipient and row.recipient is None:
        row.recipient = recipient_key(status.recipient)
    if status.status == "failed":
        row.error_code, row.error_title = status.error_code, status.error_title
    row.updated_at = now
    session.flush()
    return True


def record_sent(
    factory: sessionmaker[Session],
    tenant: str,
    message_id: str,
    wa_id: str,
    complaint_id: str | None = None,
) -> None:
    """A message the Cloud API accepted from the gateway (its statuses follow; one
    may even have come first)."""
    for attempt in range(ATTEMPTS):
        try:
            with transaction(factory) as session:
                row = session.get(WhatsAppMessage, (tenant, message_id), with_for_update=True)
                if row is None:
                    now = utcnow()
                    row = WhatsAppMessage(
                        tenant=tenant,
                        message_id=message_id,
                        status="accepted",
                        created_at=now,
                        updated_at=now,
                    )
                    session.add(row)
                row.recipient = recipient_key(wa_id)
                row.complaint_id = row.complaint_id or complaint_id
            return
        except IntegrityError:
            if attempt == ATTEMPTS - 1:
                raise


def outbound(
    factory: sessionmaker[Session], tenant: str, message_id: str
) -> WhatsAppMessage | None:
    with factory() as session:
        row = session.get(WhatsAppMessage, (tenant, message_id))
        if row is not None:
            session.expunge(row)
        return row


@dataclass(frozen=True)
class Pending:
    id: str  # the inbound_message row
    tenant: str
    message: Message


def pending(factory: sessionmaker[Session], limit: int = 100) -> list[Pending]:
    """Messages stored and not yet taken by the chat engine, oldest first, parsed. A
    stored row that holds no message it can read is quarantined (kept for a look in the
    console), so that it never stands in front of the messages after it."""
    found = []
    for row in intake.accepted(factory, CHANNEL, limit):
        try:
            received = parse_delivery(json.loads(row.payload)).received
        except ValueError:
            received = ()
        if received:
            found.append(Pending(row.id, row.tenant, received[0].message))
        else:
            chat_store.finish(factory, row.id, intake.QUARANTINED, "no message to read")
    return found
