"""A Telegram chat's complaints: :mod:`gateway.chat.reports` for the chat's numeric id
(kept importable here)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from adapters.telegram.bot import CHANNEL
from gateway.chat import reports
from gateway.chat.reports import AFTER_STATUS, ChatFacts

__all__ = ["AFTER_STATUS", "ChatFacts", "chat_facts", "status_text"]


def chat_facts(
    session: Session, tenant: str, chat: int, said_at: str | None, now: datetime
) -> ChatFacts:
    """``said_at``: when the conversation last said something to the chat (ISO)."""
    return reports.chat_facts(session, tenant, CHANNEL, str(chat), said_at, now)


def status_text(session: Session, tenant: str, chat: int, query: str, lang: str) -> str:
    """The answer to /status (the chat's reports) or /status <ID> (one of them)."""
    return reports.status_text(session, tenant, CHANNEL, str(chat), query, lang)
