"""Every tenant's WhatsApp number in this process: one HTTP client for them all, and
the conversation over WhatsApp.

Each stored message (:func:`adapters.whatsapp.store.pending`) becomes one of the chat
engine's events (:func:`event_of`): a text (``batal``, ``status ID``, ``lapor``,
``english`` typed alone are commands), a place, a photo or document fetched through
the Graph API media endpoints and kept as an attachment, a reply button or list row
chosen as the choice pressed, anything else as unsupported; a reaction is ignored.
The channel-neutral turn (:mod:`gateway.chat.turn`) runs on the chat's stored state in
the message's transaction (:func:`gateway.chat.store.apply`), which commits the
complaint, a comment and the answers as ``reply`` outbox jobs
(:func:`queue_replies`) with the message marked done. Sending those jobs is
:mod:`adapters.whatsapp.reply`'s.

:meth:`WhatsAppChannel.take_pending` takes what is stored; nothing calls it in the
serving process yet (the channel's adapter has no ``make_service``).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import httpx
import structlog
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from adapters.whatsapp import store
from adapters.whatsapp.account import CHANNEL, WhatsAppAccount, account_of
from adapters.whatsapp.client import WhatsAppClient
from adapters.whatsapp.errors import CloudApiError
from adapters.whatsapp.events import Message
from gateway import attachments, metrics
from gateway.channels import kept
from gateway.chat import store as chat_store
from gateway.chat import turn
from gateway.chat.commands import read_command
from gateway.chat.state import (
    Button,
    Contact,
    Document,
    Event,
    Location,
    Photo,
    Say,
    Text,
    Unsupported,
    Venue,
)
from gateway.chat.texts import TEXTS, say
from gateway.phone import to_e164
from gateway.storage import chats, intake
from gateway.storage.queues import chat_key

if TYPE_CHECKING:
    from gateway.bootstrap import Container
    from gateway.settings import Settings

log = structlog.get_logger("gateway.whatsapp")
KEY = "whatsapp"
#: the outbox job that says one answer to a chat, as every chat channel's (the
#: dispatcher hands it to :meth:`adapters.whatsapp.reply.WhatsAppReplier.say`):
#: {"channel": "whatsapp", "to" (the wa_id), "text", "buttons": [[[label, id], ...]]}
REPLY_KIND = "reply"
#: what a document may be (by its bytes); a photo is any image kept
DOCUMENT_TYPES = ("application/pdf", "image/jpeg", "image/png", "image/webp")
WHATSAPP_TEXTS = {
    **TEXTS,
    "reason_download": ("gagal diunduh dari WhatsApp", "it could not be fetched from WhatsApp"),
}


def queue_replies(session: Session, tenant: str, chat_id: str, says: list[Say]) -> None:
    """The answers to ``chat_id`` (a wa_id) as ``reply`` jobs, in the caller's
    transaction, queued per chat (the queue's key is hashed: no number on the console)."""
    for said in says:
        payload: dict[str, Any] = {"channel": CHANNEL, "to": chat_id, "text": said.text}
        if said.buttons:
            payload["buttons"] = [[list(button) for button in row] for row in said.buttons]
        intake.add_job(session, REPLY_KIND, tenant, chat_key(CHANNEL, chat_id), payload)


class WhatsAppChannel:
    def __init__(self, container: Container) -> None:
        self.container = container
        self.factory: sessionmaker[Session] = container.factory
        self._accounts: dict[str, WhatsAppAccount] | None = None
        self._http: httpx.AsyncClient | None = None

    @classmethod
    def of(cls, container: Container) -> WhatsAppChannel:
        return kept(container, KEY, lambda: cls(container))

    @property
    def accounts(self) -> dict[str, WhatsAppAccount]:
        """Each tenant's number (tenants with an enabled whatsapp channel)."""
        if self._accounts is None:
            found = {}
            for tenant in self.container.tenants.values():
                account = account_of(tenant)
                if account is not None:
                    found[tenant.id] = account
            self._accounts = found
        return self._accounts

    def client(self, tenant: str) -> WhatsAppClient:
        """The tenant's Cloud API client (KeyError: no whatsapp channel)."""
        if self._http is None:
            timeout = httpx.Timeout(10.0, connect=5.0)
            self._http = httpx.AsyncClient(timeout=timeout, follow_redirects=False)
        settings = self.container.settings
        return WhatsAppClient(
            self.accounts[tenant],
            settings.whatsapp_api_url,
            settings.whatsapp_api_version,
            self._http,
        )

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    # --- the conversation ---------------------------------------------------------

    async def take_pending(self) -> int:
        """Take every stored message not yet taken, oldest first; how many were."""
        taken = 0
        while batch := await asyncio.to_thread(store.pending, self.factory):
            for item in batch:
                await self._process_one(item)
            taken += len(batch)
        return taken

    async def _process_one(self, item: store.Pending) -> None:
        try:
            await self.process(item)
        except (asyncio.CancelledError, OperationalError):
            raise
        except Exception as exc:  # a bug or a shape we did not foresee: keep it for replay
            log.exception("whatsapp message quarantined", tenant=item.tenant)
            await self._finish(item, intake.QUARANTINED, type(exc).__name__)

    async def process(self, item: store.Pending) -> None:
        account = self.accounts.get(item.tenant)
        if account is None:
            await self._finish(item, intake.IGNORED, "the tenant has no whatsapp channel now")
            return
        message = item.message
        if message.kind == "reaction":
            await self._finish(item, intake.IGNORED, "a reaction")
            return
        tenant = self.container.tenants[item.tenant]
        chat = message.sender
        info = await asyncio.to_thread(chats.chat_info, self.factory, tenant.id, CHANNEL, chat)
        language = info.language or tenant.spec.language
        event = await self.event_of(item.tenant, message, language)
        commented = None
        if isinstance(event, Text) and message.context_id is not None:
            commented = await asyncio.to_thread(self._notified, item.tenant, message)
        who = turn.Chat(tenant, CHANNEL, chat, message.profile_name, account.settings.timezone)
        now = datetime.now(ZoneInfo(account.settings.timezone))
        raw = {"message_id": message.message_id}
        taken = turn.Taken(who, event, commented, now, raw, typed_choices=True)

        def decide(session: Session, stored: dict[str, Any], language: str) -> chat_store.Turn:
            return turn.decide(self.container, taken, session, stored, language)[0]

        applied = await asyncio.to_thread(
            chat_store.apply, self.factory, item.id, tenant.id, CHANNEL, chat, decide, queue_replies
        )
        if applied is not None and applied.complaint is not None:
            outcome = "accepted" if applied.complaint.created else "duplicate"
            metrics.intake(tenant.id, CHANNEL, outcome)

    def _notified(self, tenant: str, message: Message) -> str | None:
        """The complaint of the notification ``message`` answers (sent to its sender)."""
        assert message.context_id is not None
        sent = store.outbound(self.factory, tenant, message.context_id)
        if sent is None or sent.recipient != store.recipient_key(message.sender):
            return None
        return sent.complaint_id

    async def event_of(self, tenant: str, message: Message, language: str) -> Event:
        """The engine's event for a message (a photo or document fetched and kept first)."""
        if message.kind in ("image", "document") and message.media is not None:
            return await self._attachment(tenant, message, language)
        return event_of(message)

    async def _attachment(self, tenant: str, message: Message, language: str) -> Event:
        media, mid = message.media, message.message_id
        assert media is not None
        settings: Settings = self.container.settings
        photo = message.kind == "image"
        make = Photo if photo else Document
        limit = settings.max_attachment_bytes
        try:
            found = await self.client(tenant).download(media.id, limit)
        except CloudApiError as exc:
            log.warning("whatsapp media not fetched", tenant=tenant, error=str(exc))
            if "larger than" in str(exc):
                size = f"{limit / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
                reason = say("reason_too_large", language, size=size)
            else:
                reason = say("reason_download", language, WHATSAPP_TEXTS)
            return make(None, media.caption, mid, reason)
        kind = attachments.sniff(found.content)
        if kind is None or kind not in DOCUMENT_TYPES or (photo and not kind.startswith("image/")):
            return make(None, media.caption, mid, say("reason_type", language))
        stored = await asyncio.to_thread(
            attachments.store,
            settings.attachments_dir,
            found.content,
            kind,
            filename=(media.filename or "").replace("\\", "/").rsplit("/", 1)[-1][-120:] or None,
            public_url=settings.public_url,
        )
        return make(stored, media.caption, mid)

    async def _finish(self, item: store.Pending, state: str, note: str | None) -> None:
        await asyncio.to_thread(chat_store.finish, self.factory, item.id, state, note)


def event_of(message: Message) -> Event:
    """The engine's event for a message that needs nothing fetched."""
    mid = message.message_id
    if message.kind == "text":
        text = (message.text or "").strip()
        return read_command(text, mid, bare=True) or Text(text, mid)
    if message.kind == "reply" and message.reply_id:
        return Button(message.reply_id)
    place = message.place
    if message.kind == "location" and place is not None and place.latitude is not None:
        if place.longitude is not None and place.name:
            return Venue(place.name, place.address, place.latitude, place.longitude, mid)
        if place.longitude is not None:
            return Location(place.latitude, place.longitude, mid)
    if message.kind == "contacts":
        for shared in message.contacts:
            for phone in shared.phones:
                if "".join(ch for ch in phone if ch.isdigit()) == message.sender:  # their own
                    try:
                        return Contact(to_e164(f"+{message.sender}"), mid)
                    except ValueError:
                        pass
        return Contact(None, mid)
    kind = message.kind
    if kind == "audio" and message.media is not None and message.media.voice:
        kind = "voice"
    return Unsupported(kind if kind in ("audio", "voice", "video", "sticker") else "other", mid)
