"""A Telegram update, as python-telegram-bot parses it, turned into what the bot does:
the chat engine's input event (:mod:`gateway.chat.state`), with what Telegram adds.

Every update gets one :class:`Incoming`: the conversation event it carries, or why
it is ignored on purpose (edited messages, channel posts, chatter in groups). Nothing
here raises on an unexpected shape: an update this module does not know is ignored
with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from telegram import Document, Message, PhotoSize, Update

from gateway.chat.commands import read_command
from gateway.chat.state import (
    Button,
    Contact,
    Event,
    Location,
    Text,
    Unsupported,
    Venue,
)
from gateway.phone import to_e164

#: message kinds answered with "I cannot read that yet"
UNSUPPORTED = (
    "sticker",
    "voice",
    "audio",
    "video",
    "video_note",
    "animation",
    "poll",
    "dice",
)


@dataclass(frozen=True)
class Incoming:
    update_id: int
    chat_id: int | None = None
    private: bool = True
    #: the conversation event; None: nothing to do (see ``ignored``)
    event: Event | None = None
    ignored: str | None = None
    user_name: str | None = None
    language_code: str | None = None
    #: a photo to fetch first (the largest size); the event is made once it is here
    photo: PhotoSize | None = None
    #: a document to fetch first (its caption is the complaint's text)
    document: Document | None = None
    caption: str | None = None
    message_id: int | None = None
    #: the bot's message this one replies to (a reply to a notification is a comment)
    reply_to: int | None = None
    callback_id: str | None = None
    #: a group message addressed to the bot (a command or a mention): say "private chat"
    group_address: bool = False
    #: the citizen blocked (True) or unblocked (False) the bot
    blocked: bool | None = None


def describe(update: Update, bot_username: str | None = None) -> Incoming:
    uid = update.update_id
    if update.callback_query is not None:
        query = update.callback_query
        message = query.message
        chat = message.chat if message is not None else None
        if chat is None or chat.type != "private":
            return Incoming(uid, ignored="button outside a private chat", callback_id=query.id)
        return Incoming(
            uid,
            chat_id=chat.id,
            event=Button(query.data or ""),
            user_name=_name(query.from_user),
            language_code=query.from_user.language_code if query.from_user else None,
            callback_id=query.id,
        )
    if update.my_chat_member is not None:
        member = update.my_chat_member
        if member.chat.type != "private":
            return Incoming(uid, ignored="membership change in a group")
        status = member.new_chat_member.status
        return Incoming(
            uid,
            chat_id=member.chat.id,
            blocked=status in ("kicked", "left"),
            ignored="the citizen blocked or unblocked the bot",
        )
    if update.edited_message is not None:
        return Incoming(uid, ignored="edited message (the first version was taken)")
    if update.channel_post is not None or update.edited_channel_post is not None:
        return Incoming(uid, ignored="channel post")
    message = update.message
    if message is None:
        return Incoming(uid, ignored=f"update kind not handled: {_kind(update)}")
    return _message(uid, message, bot_username)


def _message(uid: int, message: Message, bot_username: str | None) -> Incoming:
    chat = message.chat
    user = message.from_user
    replied = message.reply_to_message
    base = Incoming(
        uid,
        chat_id=chat.id,
        user_name=_name(user),
        language_code=user.language_code if user else None,
        message_id=message.message_id,
        reply_to=(
            replied.message_id
            if replied is not None and replied.from_user is not None and replied.from_user.is_bot
            else None
        ),
    )
    if chat.type != "private":
        text = message.text or ""
        addressed = text.startswith("/") or (
            bot_username is not None and f"@{bot_username}".lower() in text.lower()
        )
        return Incoming(
            uid,
            chat_id=chat.id,
            private=False,
            group_address=addressed,
            ignored="group chat (reports are taken in private chats)",
        )
    mid = message.message_id
    if message.text is not None:
        text = message.text.strip()
        command = read_command(text, mid)  # /name args, /name@bot args
        if command is not None:
            return replace(base, event=command)
        return replace(base, event=Text(text, mid))
    if message.photo:
        largest = max(message.photo, key=lambda p: (p.file_size or 0, p.width * p.height))
        return replace(base, photo=largest, caption=message.caption)
    if message.animation is None and message.document is not None:
        return replace(base, document=message.document, caption=message.caption)
    if message.venue is not None:  # before location: a venue message carries both
        venue = message.venue
        where = venue.location
        place = Venue(venue.title, venue.address, where.latitude, where.longitude, mid)
        return replace(base, event=place)
    if message.location is not None:
        where = message.location
        return replace(base, event=Location(where.latitude, where.longitude, mid))
    if message.contact is not None:
        contact = message.contact
        own = user is not None and contact.user_id == user.id
        phone = None
        if own:
            try:
                phone = to_e164(contact.phone_number)
            except ValueError:
                phone = None
        return replace(base, event=Contact(phone, mid))
    for kind in UNSUPPORTED:
        if getattr(message, kind, None):
            return replace(base, event=Unsupported(kind, mid))
    if message.caption is not None:  # e.g. a document we do not take, with a caption
        return replace(base, event=Unsupported("other", mid))
    return replace(base, ignored="service message (join, pin, ...)")


def _name(user: object) -> str | None:
    if user is None:
        return None
    first = getattr(user, "first_name", None) or ""
    last = getattr(user, "last_name", None) or ""
    name = f"{first} {last}".strip()
    return name[:200] or None


def _kind(update: Update) -> str:
    for key, value in update.to_dict().items():
        if key != "update_id" and value is not None:
            return key
    return "empty"
