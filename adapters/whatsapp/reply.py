"""Status changes and agency responses told to the citizen on WhatsApp, within the
24-hour window; and the conversation's messages (:meth:`WhatsAppReplier.say`).

A business may write freely to a citizen only within 24 hours of the citizen's last
message, and after that only with an approved template. So a notification goes as
the tenant's reply text (:func:`gateway.replies.reply_text`, as on Telegram) while
the chat's last inbound message is under 24 hours old, and otherwise as the
template the mapping names (``settings.templates``: ``response`` for an agency's
response, ``status`` for any other change), its parameters filled from the same
values, in the chat's language.

When the citizen last wrote: ``chat_session.updated_at`` of the chat (channel
``whatsapp``, chat id the citizen's wa_id, the head of the complaint's source_ref
as on Telegram). Each inbound message's turn sets it (and clears a block), one row
read by its key; the ``inbound_message`` rows keep the sender only inside their raw
payload, so finding a chat's latest there would read every recent message of the
tenant. It is when the gateway took the message, a little after the citizen sent it,
so the window may be thought open a little too long: Meta then answers 131047
(re-engagement required) and the template is sent at once, in the same attempt.
No row (the chat never wrote, or its key is another): the template, which is always
allowed.

Errors (:mod:`adapters.whatsapp.errors`) keep their kind and Meta's code in their
message: a retry-later one (throughput, temporary) is raised as retryable or
throttled and the outbox tries again; a permanent one fails the job with its code.
A citizen who blocked the number (:attr:`~adapters.whatsapp.errors.CloudApiError.blocked`)
is marked blocked (``chat_session.blocked_at``) and the job is done, not retried, as
on Telegram; nothing more is sent to that chat until the citizen writes again. Each
message the Cloud API accepted is recorded (:func:`adapters.whatsapp.store.record_sent`)
with its complaint, so that its statuses attach.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import structlog
from sqlalchemy.orm import Session, sessionmaker

from adapters.whatsapp import adapter, store
from adapters.whatsapp.account import CHANNEL
from adapters.whatsapp.client import Row, Sent, WhatsAppClient
from adapters.whatsapp.errors import CloudApiError
from adapters.whatsapp.service import WhatsAppChannel
from gateway.chat.choices import WHATSAPP, offer
from gateway.domain.errors import ErrorKind, GatewayError
from gateway.domain.status import Status, status_words
from gateway.ports import ChatReply, Notification
from gateway.replies import reason_of, reply_text
from gateway.storage import chats, queries
from gateway.storage.models import ChatSession, Complaint

if TYPE_CHECKING:
    from gateway.bootstrap import Container

log = structlog.get_logger("gateway.notify")

#: how long after the citizen's last message a free text may be sent
WINDOW = timedelta(hours=24)
#: "re-engagement message": the window had closed after all
RE_ENGAGEMENT = 131047
#: a template parameter: one line, no more than this many characters
PARAMETER = 600
#: the label of the button that opens a list of choices (the language is not known)
LIST_BUTTON = "Pilih / Choose"


def utcnow() -> datetime:
    return datetime.now(UTC)


def chat_of(source_ref: str) -> str | None:
    """The citizen's wa_id: the head of a WhatsApp complaint's source_ref
    (``<wa_id>:<report>``, as a Telegram complaint's is ``<chat id>:<report>``)."""
    head = source_ref.split(":", 1)[0]
    return head if head.isdigit() else None


@dataclass(frozen=True)
class Chat:
    language: str | None  # None: the chat has never written
    blocked: bool
    last_inbound: datetime | None

    def open_at(self, now: datetime) -> bool:
        """Whether a free text may go now (the citizen wrote less than 24 hours ago)."""
        return self.last_inbound is not None and now - self.last_inbound < WINDOW


def chat_state(factory: sessionmaker[Session], tenant: str, wa_id: str) -> Chat:
    with factory() as session:
        stored = session.get(ChatSession, (tenant, CHANNEL, wa_id))
        if stored is None:
            return Chat(None, False, None)
        last = stored.updated_at
        if last.tzinfo is None:  # SQLite keeps no zone: it is UTC
            last = last.replace(tzinfo=UTC)
        return Chat(stored.language, stored.blocked_at is not None, last)


def template_key(notification: Notification) -> str:
    """``response`` when the agency has responded, else ``status``."""
    responded = notification.status == Status.IN_PROGRESS.value and bool(notification.response)
    return "response" if responded else "status"


def template_values(
    notification: Notification, complaint: Complaint, language: str
) -> dict[str, str]:
    """What a template's parameters may name: a reply text's values, each one line
    (a parameter may hold no line breaks), ``-`` when not known yet."""
    due = complaint.follow_up_due or complaint.verify_due
    tracking = notification.tracking_id or complaint.tracking_id
    values = {
        "tracking_id": tracking,
        "status": status_words(notification.status, language),
        "agency": complaint.agency_name,
        "response": notification.response,
        "due_date": due.strftime("%d/%m/%Y") if due else None,
        "title": complaint.title,
        "reason": reason_of(notification, complaint, language),
        "ref": tracking or complaint.source_ref,
    }
    return {key: _one_line(value) for key, value in values.items()}


def _one_line(value: str | None) -> str:
    text = " ".join((value or "").split())
    if len(text) > PARAMETER:
        text = text[: PARAMETER - 1].rstrip() + "…"
    return text or "-"


class WhatsAppReplier:
    channel = CHANNEL

    def __init__(self, whatsapp: WhatsAppChannel, clock: Callable[[], datetime] = utcnow) -> None:
        self.whatsapp = whatsapp
        self.clock = clock

    @classmethod
    def of(cls, container: Container) -> WhatsAppReplier:
        return cls(WhatsAppChannel.of(container))

    async def send(self, notification: Notification) -> None:
        tenant = notification.tenant
        account = self.whatsapp.accounts.get(tenant)
        if account is None:
            raise GatewayError(ErrorKind.PERMANENT, f"tenant {tenant} has no whatsapp channel")
        wa_id = chat_of(notification.source_ref)
        if wa_id is None:
            raise GatewayError(ErrorKind.PERMANENT, "the complaint's source_ref names no chat")
        factory = self.whatsapp.container.factory
        chat = await asyncio.to_thread(chat_state, factory, tenant, wa_id)
        if chat.blocked:
            log.info(
                "notification skipped: the citizen blocked the number",
                tenant=tenant,
                complaint_id=notification.complaint_id,
            )
            return
        complaint = await asyncio.to_thread(queries.complaint, factory, notification.complaint_id)
        if complaint is None:
            raise GatewayError(ErrorKind.PERMANENT, "the complaint does not exist")
        language = chat.language or notification.language
        client = self.whatsapp.client(tenant)
        try:
            if chat.open_at(self.clock()):
                sent, how = await self._text(client, wa_id, notification, complaint, language)
            else:
                how = "template"
                sent = await self._template(client, wa_id, notification, complaint, language)
        except CloudApiError as exc:
            await self._failed(exc, tenant, wa_id, complaint.id)
            return
        await asyncio.to_thread(
            store.record_sent, factory, tenant, sent.message_id, sent.wa_id or wa_id, complaint.id
        )
        log.info("whatsapp notification sent", tenant=tenant, complaint_id=complaint.id, how=how)

    async def _text(
        self,
        client: WhatsAppClient,
        wa_id: str,
        notification: Notification,
        complaint: Complaint,
        language: str,
    ) -> tuple[Sent, str]:
        """The reply text; the template at once if the window had closed after all."""
        tenant = self.whatsapp.container.tenants[notification.tenant]
        try:
            text = reply_text(tenant, notification, complaint, language)
            return await client.send_text(wa_id, text), "text"
        except CloudApiError as exc:
            if exc.code != RE_ENGAGEMENT:
                raise
        log.info(
            "whatsapp window closed before its time; sending the template",
            tenant=notification.tenant,
            complaint_id=complaint.id,
            code=RE_ENGAGEMENT,
        )
        sent = await self._template(client, wa_id, notification, complaint, language)
        return sent, "template after 131047"

    async def _template(
        self,
        client: WhatsAppClient,
        wa_id: str,
        notification: Notification,
        complaint: Complaint,
        language: str,
    ) -> Sent:
        key = template_key(notification)
        templates = client.account.settings.templates
        if templates is None:
            raise GatewayError(
                ErrorKind.PERMANENT,
                "the citizen's last WhatsApp message is 24 hours old or more and the "
                f"mapping names no template (whatsapp settings.templates.{key})",
            )
        template = getattr(templates, key)
        values = template_values(notification, complaint, language)
        return await client.send_template(
            wa_id,
            template.name,
            template.language.code(language),
            [values[name] for name in template.parameters],
        )

    async def _failed(
        self, error: CloudApiError, tenant: str, wa_id: str, complaint_id: str | None
    ) -> None:
        """A blocked citizen: marked, and the job done; anything else raised as it is
        (its kind says retry later or permanent, its message Meta's code)."""
        if not error.blocked:
            log.info(
                "whatsapp send failed",
                tenant=tenant,
                complaint_id=complaint_id,
                code=error.code,
                verdict=error.verdict,
                account_problem=error.account_problem,
            )
            raise error
        factory = self.whatsapp.container.factory
        await asyncio.to_thread(chats.set_blocked, factory, tenant, CHANNEL, wa_id, True)
        log.info(
            "whatsapp citizen does not take our messages; notifications stop",
            tenant=tenant,
            complaint_id=complaint_id,
            code=error.code,
        )

    async def say(self, reply: ChatReply) -> None:
        """A conversation's message: a text, or its choices as reply buttons (up to 3)
        or a list (up to 10 rows). It answers the citizen, so the window is open."""
        if reply.tenant not in self.whatsapp.accounts:
            raise GatewayError(
                ErrorKind.PERMANENT, f"tenant {reply.tenant} has no whatsapp channel"
            )
        client = self.whatsapp.client(reply.tenant)
        shown = offer(reply.buttons, WHATSAPP)
        try:
            if shown is None:
                await client.send_text(reply.to, reply.text)
            elif shown.kind == "buttons":
                await client.send_buttons(
                    reply.to, reply.text, [(c.id, c.label) for c in shown.choices]
                )
            else:
                rows = [Row(c.id, c.label) for c in shown.choices]
                await client.send_list(reply.to, reply.text, LIST_BUTTON, rows)
        except CloudApiError as exc:
            await self._failed(exc, reply.tenant, reply.to, None)


#: the WhatsApp channel among the adapters (``adapters/registry.py``), with this replier
ADAPTER = replace(adapter.ADAPTER, make_replier=WhatsAppReplier.of)
