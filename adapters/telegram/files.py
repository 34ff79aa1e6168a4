"""Files a citizen sends, fetched from Telegram and kept as the complaint's attachments.

A photo (Telegram re-encodes it as JPEG) and a document (a PDF, or an image sent
uncompressed: JPEG, PNG, WEBP) are kept within the same size limit
(``GATEWAY_MAX_ATTACHMENT_BYTES``). A document is kept only when its bytes are one of
those types (:func:`gateway.attachments.sniff`: the declared type is not trusted);
anything else, too large, or not fetched, becomes an event without an attachment and
with the reason in the citizen's language, so the conversation can tell them and
keep the caption.
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING

import structlog
from telegram.error import TelegramError

from adapters.telegram.bot import TenantBot
from adapters.telegram.state import Document, Photo
from adapters.telegram.texts import say
from adapters.telegram.updates import Incoming
from gateway import attachments

if TYPE_CHECKING:
    from gateway.settings import Settings

log = structlog.get_logger("gateway.telegram")

#: what a document may be (by its bytes)
DOCUMENT_TYPES = ("application/pdf", "image/jpeg", "image/png", "image/webp")
_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png", ".webp")
_UNSAFE = re.compile(r"[^\w.\- ()]+")


class Refused(Exception):
    """The file is not kept; the message is the reason, in the citizen's language."""


async def fetch_photo(tb: TenantBot, inc: Incoming, language: str, settings: Settings) -> Photo:
    assert inc.photo is not None and inc.message_id is not None
    photo = inc.photo
    try:
        data = await _download(tb, photo.file_id, photo.file_size, language, settings)
    except Refused as why:
        return Photo(None, inc.caption, inc.message_id, str(why))
    stored = await asyncio.to_thread(
        attachments.store,
        settings.attachments_dir,
        data,
        "image/jpeg",  # Telegram re-encodes every photo as JPEG
        filename=f"telegram-{photo.file_unique_id}.jpg",
        public_url=settings.public_url,
    )
    return Photo(stored, inc.caption, inc.message_id)


async def fetch_document(
    tb: TenantBot, inc: Incoming, language: str, settings: Settings
) -> Document:
    assert inc.document is not None and inc.message_id is not None
    doc = inc.document
    name = _filename(doc.file_name, doc.file_unique_id)
    refused = say("reason_type", language)
    declared = (doc.mime_type or "").lower()
    if declared not in DOCUMENT_TYPES and not name.lower().endswith(_EXTENSIONS):
        return Document(None, inc.caption, inc.message_id, refused)  # not even fetched
    try:
        data = await _download(tb, doc.file_id, doc.file_size, language, settings)
    except Refused as why:
        return Document(None, inc.caption, inc.message_id, str(why))
    kind = attachments.sniff(data)
    if kind not in DOCUMENT_TYPES:
        return Document(None, inc.caption, inc.message_id, refused)
    assert kind is not None
    stored = await asyncio.to_thread(
        attachments.store,
        settings.attachments_dir,
        data,
        kind,
        filename=name,
        public_url=settings.public_url,
    )
    return Document(stored, inc.caption, inc.message_id)


async def _download(
    tb: TenantBot, file_id: str, size: int | None, language: str, settings: Settings
) -> bytes:
    limit = settings.max_attachment_bytes
    too_large = say("reason_too_large", language, size=_size(limit))
    if size and size > limit:
        raise Refused(too_large)
    try:
        found = await tb.bot.get_file(file_id)
        if found.file_size and found.file_size > limit:
            raise Refused(too_large)
        data = bytes(await found.download_as_bytearray())
    except TelegramError as exc:
        log.warning("telegram file not fetched", tenant=tb.id, error=exc.message)
        if "too big" in exc.message.lower():  # Telegram serves bots files up to 20 MB
            raise Refused(too_large) from None
        raise Refused(say("reason_download", language)) from None
    if len(data) > limit:
        raise Refused(too_large)
    return data


def _size(limit: int) -> str:
    """A size limit as people read it: 10 MB, 1.5 MB, 100 KB."""
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    return f"{max(1, limit // 1024)} KB"


def _filename(name: str | None, unique: str) -> str:
    """The document's own name, tidied (no paths, at most 120 characters)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE.sub("_", base).strip(" ._")
    return base[-120:] if base else f"telegram-{unique}"
