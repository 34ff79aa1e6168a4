"""A webhook delivery of the Cloud API as small channel-neutral events (pure functions).

A delivery (``{"object": "whatsapp_business_account", "entry": [{"changes": [{"field":
"messages", "value": {...}}]}]}``) holds messages from citizens and statuses of the
gateway's own messages, possibly several of each. :func:`parse_delivery` never raises:
a shape it does not know is skipped (a delivery) or becomes an ``unsupported`` message
(a message with an id). Each message also comes with its own one-message delivery
(:attr:`Received.raw`), the part that is stored: parsing it again gives the same event.

Message shapes: https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

#: message types read into an event of the same ``kind``; others are ``unsupported``
MEDIA_TYPES = ("image", "document", "audio", "video", "sticker")
#: statuses of an outbound message, in the order they may only move forward
STATUS_ORDER = ("accepted", "sent", "delivered", "read", "failed")


@dataclass(frozen=True)
class Media:
    id: str
    mime_type: str | None = None
    caption: str | None = None
    filename: str | None = None
    sha256: str | None = None
    voice: bool = False


@dataclass(frozen=True)
class Place:
    latitude: float | None
    longitude: float | None
    name: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class SharedContact:
    name: str | None
    phones: tuple[str, ...] = ()


@dataclass(frozen=True)
class Message:
    """One message from a citizen. ``kind``: text, image, document, audio, video,
    sticker, location, contacts, reply (a reply button or list row chosen; a
    template's quick reply button), reaction or unsupported."""

    kind: str
    message_id: str
    sender: str  # the citizen's wa_id: a phone number, personal data
    at: datetime | None
    type: str = ""  # the type WhatsApp gave
    text: str | None = None
    media: Media | None = None
    place: Place | None = None
    contacts: tuple[SharedContact, ...] = ()
    reply_id: str | None = None  # the chosen button's or row's id (a template's payload)
    reply_title: str | None = None
    reacted_to: str | None = None  # the message id a reaction is about
    emoji: str | None = None  # None: the reaction was removed
    context_id: str | None = None  # the message this one quotes or answers
    profile_name: str | None = None  # personal data
    note: str | None = None  # why it is unsupported (WhatsApp's error title)


@dataclass(frozen=True)
class Status:
    """What happened to one of the gateway's own messages."""

    message_id: str
    status: str  # sent | delivered | read | failed (others kept as given)
    recipient: str | None  # the citizen's wa_id: personal data
    at: datetime | None
    error_code: int | None = None
    error_title: str | None = None


@dataclass(frozen=True)
class Received:
    message: Message
    raw: dict[str, Any]  # a delivery holding this message alone


@dataclass(frozen=True)
class Delivery:
    phone_number_ids: tuple[str, ...]
    received: tuple[Received, ...]
    statuses: tuple[Status, ...]
    skipped: int  # messages without an id, changes of other fields
    foreign: int = 0  # changes of another phone number than the one asked for


def parse_delivery(body: object, number: str | None = None) -> Delivery:
    """Every message and status of a delivery (only of the phone number id ``number``,
    when given: an app's webhook may carry several numbers); never raises."""
    phones: list[str] = []
    foreign = 0
    received: list[Received] = []
    statuses: list[Status] = []
    skipped = 0
    for entry, value in _values(body):
        if value is None:
            skipped += 1
            continue
        metadata = _dict(value.get("metadata"))
        phone_id = _str(metadata.get("phone_number_id"))
        if number is not None and phone_id != number:
            foreign += 1
            continue
        if phone_id and phone_id not in phones:
            phones.append(phone_id)
        contacts = [c for c in _list(value.get("contacts")) if isinstance(c, dict)]
        for raw in _list(value.get("messages")):
            message = parse_message(raw, contacts)
            if message is None:
                skipped += 1
                continue
            received.append(Received(message, _alone(entry, value, raw, contacts)))
        for raw in _list(value.get("statuses")):
            status = parse_status(raw)
            if status is None:
                skipped += 1
            else:
                statuses.append(status)
    return Delivery(tuple(phones), tuple(received), tuple(statuses), skipped, foreign)


def parse_message(raw: object, contacts: list[dict[str, Any]] | None = None) -> Message | None:
    """One message; None only when it has no id or sender (nothing to take it once by)."""
    if not isinstance(raw, dict):
        return None
    message_id, sender = _str(raw.get("id")), _str(raw.get("from"))
    if not message_id or not sender:
        return None
    kind = _str(raw.get("type")) or "unknown"
    profile = None
    for contact in contacts or []:
        if _str(contact.get("wa_id")) == sender:
            profile = _str(_dict(contact.get("profile")).get("name"))
    base: dict[str, Any] = {
        "message_id": message_id,
        "sender": sender,
        "at": _time(raw.get("timestamp")),
        "type": kind,
        "context_id": _str(_dict(raw.get("context")).get("id")),
        "profile_name": profile,
    }
    try:
        found = _body(kind, raw)
    except (TypeError, ValueError, AttributeError):
        found = None
    if found is None:
        errors = [e for e in _list(raw.get("errors")) if isinstance(e, dict)]
        note = _str(errors[0].get("title")) if errors else None
        return Message(kind="unsupported", note=note or f"type {kind[:40]!r}", **base)
    return Message(**found, **base)


def _body(kind: str, raw: dict[str, Any]) -> dict[str, Any] | None:
    """The fields of a message of type ``kind``; None when unknown or misshapen."""
    part = raw.get(kind)
    if kind == "text":
        body = _str(_dict(part).get("body"))
        return None if body is None else {"kind": "text", "text": body}
    if kind in MEDIA_TYPES:
        media = _dict(part)
        media_id = _str(media.get("id"))
        if not media_id:
            return None
        found = Media(
            media_id,
            _str(media.get("mime_type")),
            _str(media.get("caption")),
            _str(media.get("filename")),
            _str(media.get("sha256")),
            media.get("voice") is True,
        )
        return {"kind": kind, "media": found, "text": found.caption}
    if kind == "location":
        place = _dict(part)
        lat, lon = _float(place.get("latitude")), _float(place.get("longitude"))
        if lat is None or lon is None:
            return None
        return {
            "kind": "location",
            "place": Place(lat, lon, _str(place.get("name")), _str(place.get("address"))),
        }
    if kind == "contacts":
        shared = tuple(_contact(c) for c in _list(part) if isinstance(c, dict))
        return {"kind": "contacts", "contacts": shared} if shared else None
    if kind == "interactive":
        chosen = _dict(part)
        reply = _dict(chosen.get(_str(chosen.get("type")) or ""))
        if _str(chosen.get("type")) not in ("button_reply", "list_reply") or not _str(
            reply.get("id")
        ):
            return None
        title = _str(reply.get("title"))
        return {"kind": "reply", "reply_id": _str(reply["id"]), "reply_title": title}
    if kind == "button":  # a template's quick reply button
        button = _dict(part)
        text, payload = _str(button.get("text")), _str(button.get("payload"))
        if text is None and payload is None:
            return None
        return {"kind": "reply", "reply_id": payload or text, "reply_title": text, "text": text}
    if kind == "reaction":
        reaction = _dict(part)
        about = _str(reaction.get("message_id"))
        if not about:
            return None
        return {"kind": "reaction", "reacted_to": about, "emoji": _str(reaction.get("emoji"))}
    return None


def parse_status(raw: object) -> Status | None:
    if not isinstance(raw, dict):
        return None
    message_id, status = _str(raw.get("id")), _str(raw.get("status"))
    if not message_id or not status:
        return None
    errors = [e for e in _list(raw.get("errors")) if isinstance(e, dict)]
    code = errors[0].get("code") if errors else None
    title = (_str(errors[0].get("title")) or _str(errors[0].get("message"))) if errors else None
    return Status(
        message_id,
        status[:16],
        _str(raw.get("recipient_id")),
        _time(raw.get("timestamp")),
        code if isinstance(code, int) and not isinstance(code, bool) else None,
        title[:300] if title else None,
    )


def status_rank(status: str) -> int:
    """Where a status stands (-1: one we do not know, which moves nothing)."""
    return STATUS_ORDER.index(status) if status in STATUS_ORDER else -1


def _values(body: object) -> Iterator[tuple[dict[str, Any], dict[str, Any] | None]]:
    """Each change's ``value`` with its entry; None for a change of another field."""
    for entry in _list(_dict(body).get("entry")):
        if not isinstance(entry, dict):
            continue
        for change in _list(entry.get("changes")):
            if not isinstance(change, dict):
                continue
            value = change.get("value")
            ok = change.get("field") == "messages" and isinstance(value, dict)
            yield entry, value if ok else None


def _alone(
    entry: dict[str, Any], value: dict[str, Any], message: Any, contacts: list[dict[str, Any]]
) -> dict[str, Any]:
    sender = message.get("from")
    own = [c for c in contacts if c.get("wa_id") == sender]
    alone: dict[str, Any] = {k: v for k, v in value.items() if k not in ("messages", "statuses")}
    alone.update(contacts=own, messages=[message])
    change = {"field": "messages", "value": alone}
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": entry.get("id"), "changes": [change]}],
    }


def _contact(raw: dict[str, Any]) -> SharedContact:
    name = _dict(raw.get("name"))
    phones = [_dict(p) for p in _list(raw.get("phones"))]
    numbers = tuple(n for p in phones if (n := _str(p.get("phone")) or _str(p.get("wa_id"))))
    return SharedContact(_str(name.get("formatted_name")) or _str(name.get("first_name")), numbers)


def _time(value: object) -> datetime | None:
    try:
        seconds = int(str(value))
        return datetime.fromtimestamp(seconds, UTC) if 0 <= seconds < 2**33 else None
    except (TypeError, ValueError, OverflowError):
        return None


def _float(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _str(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _dict(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []
