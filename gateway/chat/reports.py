"""A chat's complaints as the conversation needs them, on any chat channel: the answer
to ``status``, and what its latest messages say about the next text (an open
complaint, a status message the chat just read), all read in the caller's session.

A chat is its channel's name and its id there as a string (a Telegram chat id, a
WhatsApp number's wa_id), as in ``chat_session`` and ``chat_message``; its complaints
have the source_ref ``<chat id>:<report number>`` (:func:`complaint_ref`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from gateway.chat.texts import say
from gateway.domain.dates import stored_utc
from gateway.domain.status import is_finished, status_words
from gateway.storage.models import ChatMessage, Complaint

#: a text this soon after a status message may be about it (thanks, more)
AFTER_STATUS = timedelta(days=3)


def complaint_ref(chat_id: str, report: int) -> str:
    """A complaint's source_ref: the chat and its report number."""
    return f"{chat_id}:{report}"


def chat_complaints(
    session: Session, tenant: str, channel: str, chat_id: str, limit: int = 10
) -> list[Complaint]:
    """The chat's complaints, newest first (in the caller's session)."""
    rows = session.scalars(
        select(Complaint)
        .where(
            col(Complaint.tenant) == tenant,
            col(Complaint.channel) == channel,
            col(Complaint.source_ref).startswith(f"{chat_id}:", autoescape=True),
        )
        .order_by(col(Complaint.created_at).desc())
        .limit(limit)
    )
    return list(rows)


@dataclass(frozen=True)
class ChatFacts:
    """What the chat's history says about its next text (for reading its intent)."""

    open_complaint: bool  # a complaint of the chat is not finished
    after_status: bool  # the last message the chat got was a status message, lately
    #: where "more about it" goes: the complaint of that status message, else the
    #: newest unfinished one; (complaint id, tracking ID or "")
    comment_target: tuple[str, str] | None


def chat_facts(
    session: Session,
    tenant: str,
    channel: str,
    chat_id: str,
    said_at: str | None,
    now: datetime,
) -> ChatFacts:
    """``said_at``: when the conversation last said something to the chat (ISO)."""
    recent = chat_complaints(session, tenant, channel, chat_id, 10)
    unfinished = [c for c in recent if not is_finished(c.status)]
    last = session.execute(
        select(col(ChatMessage.complaint_id), col(ChatMessage.sent_at))
        .where(
            col(ChatMessage.tenant) == tenant,
            col(ChatMessage.channel) == channel,
            col(ChatMessage.chat_id) == chat_id,
        )
        .order_by(col(ChatMessage.sent_at).desc())
        .limit(1)
    ).first()
    target: Complaint | None = unfinished[0] if unfinished else None
    after = False
    if last is not None:
        sent = stored_utc(last.sent_at)
        said = stored_utc(datetime.fromisoformat(said_at)) if said_at else None
        if now - sent <= AFTER_STATUS and (said is None or sent > said):
            after = True
            target = session.get(Complaint, last.complaint_id) or target
    return ChatFacts(
        open_complaint=bool(unfinished),
        after_status=after,
        comment_target=(target.id, target.tracking_id or "") if target is not None else None,
    )


def status_text(
    session: Session, tenant: str, channel: str, chat_id: str, query: str, lang: str
) -> str:
    """The answer to ``status`` (the chat's reports) or ``status <ID>`` (one of them)."""
    found = chat_complaints(session, tenant, channel, chat_id, 10 if query == "*" else 500)
    if query == "*":
        if not found:
            return say("no_reports", lang)
        lines = [say("reports_header", lang)]
        for c in found:
            ref = c.tracking_id or say("pending_ref", lang)
            status = status_words(c.status, lang)
            lines.append(say("report_line", lang, ref=ref, status=status, title=c.title[:80]))
        return "\n".join(lines)
    wanted = query.strip().upper()
    for c in found:
        if c.tracking_id and c.tracking_id.upper() == wanted:
            due = c.follow_up_due or c.verify_due
            return say(
                "report_detail",
                lang,
                ref=c.tracking_id,
                status=status_words(c.status, lang),
                agency=c.agency_name or "-",
                due=due.strftime("%d/%m/%Y") if due else "-",
                response=c.last_response or "-",
                title=c.title,
            )
    return say("report_not_found", lang, ref=query.strip()[:40])
