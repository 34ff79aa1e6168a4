"""The Telegram channel's database work: raw updates, chat state, sent notifications.

A raw update is an ``inbound_message`` (channel ``telegram``, source_ref
``update:<update_id>``), committed before Telegram gets its 200: a redelivered
update finds its row and is not taken twice. Processing one update commits, in
one transaction, the chat's new state, the complaint it confirmed (if any), the
bot's answers as ``reply`` outbox jobs (:func:`add_replies`) and the update's row
marked done: a crash after that commit loses no answer, the dispatcher sends them
(at least once, in order per chat). That transaction is the chat engine's, the same
for every chat channel (:mod:`gateway.chat.store`); here it is keyed by the chat's
numeric id.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from adapters.telegram.bot import CHANNEL
from gateway.chat import reports
from gateway.chat import store as chat_store
from gateway.chat.state import Say
from gateway.chat.store import Applied, Turn
from gateway.fieldmap import RecordError
from gateway.storage import chats, intake
from gateway.storage.claims import chat_key
from gateway.storage.engine import transaction
from gateway.storage.intake import ACCEPTED
from gateway.storage.models import ChatMessage, Complaint, InboundMessage
from gateway.sync import wakeup

if TYPE_CHECKING:
    from gateway.bootstrap import Container

__all__ = [
    "Applied",
    "Pending",
    "Turn",
    "add_replies",
    "apply",
    "chat_complaints",
    "chat_info",
    "chat_of",
    "complaint_ref",
    "finish",
    "notified_complaint",
    "record_sent",
    "replay",
    "set_blocked",
    "store_update",
    "update_ref",
    "utcnow",
]


def utcnow() -> datetime:
    return datetime.now(UTC)


def update_ref(update_id: int) -> str:
    return f"update:{update_id}"


def complaint_ref(chat_id: int, report: int) -> str:
    """A complaint's source_ref: the chat and its report number."""
    return reports.complaint_ref(str(chat_id), report)


def chat_of(source_ref: str) -> int | None:
    head = source_ref.split(":", 1)[0]
    return int(head) if head.lstrip("-").isdigit() else None


def store_update(factory: sessionmaker[Session], tenant: str, update_id: int, raw: str) -> bool:
    """Commit the raw update; False when it was stored before (a redelivery)."""
    try:
        with transaction(factory) as session:
            intake.add_inbound(session, tenant, CHANNEL, update_ref(update_id), raw, ACCEPTED)
    except IntegrityError:
        return False
    return True


#: an update stored and not yet processed: its row id, tenant and raw JSON
Pending = intake.Accepted


def pending(factory: sessionmaker[Session], limit: int = 100) -> list[Pending]:
    """Updates stored and not yet processed, oldest first."""
    return intake.accepted(factory, CHANNEL, limit)


def finish(
    factory: sessionmaker[Session],
    inbound_id: str,
    state: str,
    note: str | None,
    tenant: str | None = None,
    chat_id: int | None = None,
    says: list[Say] | None = None,
) -> None:
    """Mark an update done without touching a chat's state (ignored, quarantined);
    ``says`` go to ``chat_id`` (in the same transaction)."""
    answer = None
    if says and tenant is not None and chat_id is not None:
        answer = (tenant, str(chat_id), says, add_replies)
    chat_store.finish(factory, inbound_id, state, note, answer)
    if says and answer is None:
        wakeup.announce_local()


def add_replies(session: Session, tenant: str, chat_id: int | str, says: list[Say]) -> None:
    """The bot's messages to ``chat_id`` as ``reply`` jobs, in the caller's transaction."""
    for said in says:
        payload: dict[str, Any] = {"channel": CHANNEL, "to": str(chat_id), "text": said.text}
        if said.buttons:
            payload["buttons"] = [[list(button) for button in row] for row in said.buttons]
        intake.add_job(session, "reply", tenant, chat_key(CHANNEL, str(chat_id)), payload)


def apply(
    factory: sessionmaker[Session],
    inbound_id: str,
    tenant: str,
    chat_id: int,
    decide: Callable[[Session, dict[str, Any], str], Turn],
) -> Applied | None:
    """Run ``decide(session, state, language)`` on the chat's stored state and commit
    what it decided (the bot's answers too) with the update marked parsed; None if
    another process took the update (:func:`gateway.chat.store.apply`)."""
    return chat_store.apply(factory, inbound_id, tenant, CHANNEL, str(chat_id), decide, add_replies)


def set_blocked(factory: sessionmaker[Session], tenant: str, chat_id: int, blocked: bool) -> None:
    chats.set_blocked(factory, tenant, CHANNEL, str(chat_id), blocked)


def chat_info(factory: sessionmaker[Session], tenant: str, chat_id: int) -> chats.ChatInfo:
    return chats.chat_info(factory, tenant, CHANNEL, str(chat_id))


def notified_complaint(
    factory: sessionmaker[Session], tenant: str, chat_id: int, message_id: int
) -> str | None:
    """The complaint a notification the bot sent (``message_id``) was about."""
    with factory() as session:
        return session.scalar(
            select(ChatMessage.complaint_id).where(  # type: ignore[call-overload]
                col(ChatMessage.tenant) == tenant,
                col(ChatMessage.channel) == CHANNEL,
                col(ChatMessage.chat_id) == str(chat_id),
                col(ChatMessage.message_id) == str(message_id),
            )
        )


def record_sent(
    factory: sessionmaker[Session], tenant: str, chat_id: int, message_id: int, complaint_id: str
) -> None:
    try:
        with transaction(factory) as session:
            session.add(
                ChatMessage(
                    tenant=tenant,
                    channel=CHANNEL,
                    chat_id=str(chat_id),
                    message_id=str(message_id),
                    complaint_id=complaint_id,
                    sent_at=utcnow(),
                )
            )
    except IntegrityError:
        pass  # recorded by an earlier attempt of the same job


def chat_complaints(
    session: Session, tenant: str, chat_id: int, limit: int = 10
) -> list[Complaint]:
    """The chat's complaints, newest first (in the caller's session)."""
    return reports.chat_complaints(session, tenant, CHANNEL, str(chat_id), limit)


def replay(
    container: Container, session: Session, inbound: InboundMessage, edits: dict[str, str]
) -> str | None:
    """An operator's replay of a quarantined update: back to ``accepted``, as received,
    for the service to process again (after the fix of what made it fail)."""
    if edits:
        raise RecordError(next(iter(edits)), "a Telegram update is replayed as received")
    inbound.state = ACCEPTED
    inbound.error = None
    return None
