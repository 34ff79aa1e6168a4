"""Who a chat channel may still write to: ``chat_session`` rows shared by the chat-like
channels (a Telegram chat, an SMS number). A chat that blocked the bot (Telegram 403,
an SMS ``STOP``) gets no notifications until it writes again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from gateway.storage.engine import transaction
from gateway.storage.models import ChatSession


@dataclass(frozen=True)
class ChatInfo:
    language: str | None  # None: the chat has never written
    blocked: bool


def chat_info(factory: sessionmaker[Session], tenant: str, channel: str, chat_id: str) -> ChatInfo:
    with factory() as session:
        stored = session.get(ChatSession, (tenant, channel, chat_id))
        if stored is None:
            return ChatInfo(None, False)
        return ChatInfo(stored.language, stored.blocked_at is not None)


def mark_blocked(session: Session, tenant: str, channel: str, chat_id: str, blocked: bool) -> None:
    """Block or unblock ``chat_id`` in the caller's transaction (no row: not blocked)."""
    now = datetime.now(UTC)
    stored = session.get(ChatSession, (tenant, channel, chat_id), with_for_update=True)
    if stored is None:
        if not blocked:
            return
        stored = ChatSession(tenant=tenant, channel=channel, chat_id=chat_id, updated_at=now)
        session.add(stored)
    stored.blocked_at = now if blocked else None
    stored.updated_at = now


def set_blocked(
    factory: sessionmaker[Session], tenant: str, channel: str, chat_id: str, blocked: bool
) -> None:
    with transaction(factory) as session:
        mark_blocked(session, tenant, channel, chat_id, blocked)
