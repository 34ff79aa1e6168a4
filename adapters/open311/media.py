"""A photo posted as the file ``media`` with ``POST requests`` (multipart, as the
``three`` Open311 client and browser forms send it), kept as the complaint's attachment.

GeoReport v2 itself knows only ``media_url``; clients that hold the photo post it as a
file instead. It is held to ``GATEWAY_MAX_ATTACHMENT_BYTES`` (413), must be a JPEG, PNG
or WebP by its bytes, whatever it declares (415), and is kept as a chat photo is
(:mod:`gateway.attachments`): served at ``/attachments/<sha256>.<ext>`` and sent to the
registry with the complaint. Both errors name the field ``media``.
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Any

from starlette.datastructures import UploadFile

from adapters.open311.render import Open311Error, invalid
from gateway import attachments

if TYPE_CHECKING:
    from gateway.settings import Settings

FIELD = "media"
#: what a media file may be, by its bytes
TYPES = ("image/jpeg", "image/png", "image/webp")
MAX_FILES = 1  # a request has one photo (media_url is one too)
_UNSAFE = re.compile(r"[^\w.\- ()]+")


async def keep(files: list[UploadFile], settings: Settings) -> list[dict[str, Any]]:
    """The ``media`` files, checked and stored: the canonical attachments (url,
    filename, content_type, size). An empty file part (a form whose file input was left
    empty) counts as none sent."""
    limit = settings.max_attachment_bytes
    found: list[tuple[str | None, bytes, str]] = []
    for upload in files:
        data = await upload.read(limit + 1)
        if not data:
            continue
        if len(found) == MAX_FILES:
            raise invalid("too_many", FIELD, MAX_FILES)
        if len(data) > limit:
            raise Open311Error(413, "media_too_large", field=FIELD, value=size_text(limit))
        kind = attachments.sniff(data)
        if kind is None or kind not in TYPES:
            raise Open311Error(415, "media_type", field=FIELD)
        found.append((upload.filename, data, kind))
    return [
        await asyncio.to_thread(
            attachments.store,
            settings.attachments_dir,
            data,
            kind,
            filename=filename(name, attachments.TYPES[kind]),
            public_url=settings.public_url,
        )
        for name, data, kind in found
    ]


def size_text(limit: int) -> str:
    """A size limit as people read it: 10 MB, 1.5 MB, 100 KB."""
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    return f"{max(1, limit // 1024)} KB"


def filename(name: str | None, ext: str) -> str:
    """The file's own name, tidied (no folders, at most 120 characters), else ``media.<ext>``."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE.sub("_", base).strip(" ._")[:120]
    return base or f"{FIELD}.{ext}"
