"""A chat message's turn committed, on any chat channel: the chat's state, the
complaint it confirmed, a comment for the registry, the answers, and the message's
``inbound_message`` row marked done, in one transaction.

A chat is keyed by its channel's name and its id there as a string
(``chat_session``: tenant, channel, chat_id). The channel says how its answers are
queued (:data:`Queue`): each one an outbox job written in the same transaction, so a
crash after the commit loses no answer, and one before it leaves the message stored
and not yet taken, to be taken again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from gateway.chat.state import Say
from gateway.storage import intake
from gateway.storage.engine import transaction
from gateway.storage.intake import ACCEPTED, PARSED
from gateway.storage.models import ChatSession, InboundMessage
from gateway.sync import wakeup

#: the channel's answers to ``(tenant, chat_id)`` as outbox jobs, in the caller's
#: transaction: ``queue(session, tenant, chat_id, says)``
Queue = Callable[[Session, str, str, list[Say]], None]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Turn:
    """What one message does to its chat, decided under the chat's lock."""

    state: dict[str, Any]
    language: str
    item: intake.IntakeItem | None = None  # a confirmed complaint
    comment: tuple[str, str, str | None] | None = None  # complaint id, text, author
    says: list[Say] = field(default_factory=list)  # the answers, in order


@dataclass(frozen=True)
class Applied:
    turn: Turn
    complaint: intake.IntakeResult | None


def apply(
    factory: sessionmaker[Session],
    inbound_id: str,
    tenant: str,
    channel: str,
    chat_id: str,
    decide: Callable[[Session, dict[str, Any], str], Turn],
    queue: Queue,
) -> Applied | None:
    """Run ``decide(session, state, language)`` on the chat's stored state and commit
    what it decided (its answers through ``queue``) with the message marked parsed;
    None if another process took the message."""
    with transaction(factory) as session:
        row = session.get(InboundMessage, inbound_id, with_for_update=True)
        if row is None or row.state != ACCEPTED:
            return None
        key = (tenant, channel, chat_id)
        stored = session.get(ChatSession, key, with_for_update=True)
        if stored is None:
            stored = ChatSession(
                tenant=tenant, channel=channel, chat_id=chat_id, updated_at=utcnow()
            )
            session.add(stored)
        turn = decide(session, json.loads(stored.state or "{}"), stored.language)
        stored.state = json.dumps(turn.state, ensure_ascii=False)
        stored.language = turn.language
        stored.blocked_at = None  # it wrote to us: it does not block us
        stored.updated_at = utcnow()
        result = None
        if turn.item is not None:
            result = intake.insert_items(session, [turn.item])[0]
            row.complaint_id = result.complaint_id
        if turn.comment is not None:
            complaint_id, text, author = turn.comment
            intake.add_job(
                session, "comment", tenant, complaint_id, {"text": text, "author": author}
            )
        queue(session, tenant, chat_id, turn.says)
        row.state = PARSED
    if turn.says:
        wakeup.announce_local()
    return Applied(turn, result)


def finish(
    factory: sessionmaker[Session],
    inbound_id: str,
    state: str,
    note: str | None,
    answer: tuple[str, str, list[Say], Queue] | None = None,
) -> None:
    """Mark a message done without touching its chat's state (ignored, quarantined);
    ``answer``: (tenant, chat_id, says, queue), said in the same transaction."""
    with transaction(factory) as session:
        done = session.execute(
            update(InboundMessage)
            .where(col(InboundMessage.id) == inbound_id, col(InboundMessage.state) == ACCEPTED)
            .values(state=state, error=note)
        )
        if answer is not None and answer[2] and done.rowcount:  # type: ignore[attr-defined]
            tenant, chat_id, says, queue = answer
            queue(session, tenant, chat_id, says)
    if answer is not None and answer[2]:
        wakeup.announce_local()
