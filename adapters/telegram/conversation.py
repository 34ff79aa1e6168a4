"""The bot's conversation: the channel-neutral chat engine, :mod:`gateway.chat.engine`
(kept importable here, with its values).

:mod:`.turn` calls :func:`step` with the event :mod:`.updates` made of a Telegram
update, and :mod:`.bot` sends what it says, its choices as inline keyboards
(:mod:`.buttons`).
"""

from __future__ import annotations

from gateway.chat.choices import Keyboard
from gateway.chat.engine import (
    OFFER_MIN_CHARS,
    OFFER_MIN_WORDS,
    QUICK_MIN_CHARS,
    QUICK_MIN_WORDS,
    SURE_NEW,
    open_choices,
    step,
)
from gateway.chat.state import (
    Button,
    ChatState,
    Command,
    Contact,
    Context,
    Document,
    Draft,
    Event,
    Location,
    Outcome,
    Photo,
    Reading,
    Say,
    Text,
    Unsupported,
    Venue,
)

__all__ = [
    "OFFER_MIN_CHARS",
    "OFFER_MIN_WORDS",
    "QUICK_MIN_CHARS",
    "QUICK_MIN_WORDS",
    "SURE_NEW",
    "Button",
    "ChatState",
    "Command",
    "Contact",
    "Context",
    "Document",
    "Draft",
    "Event",
    "Keyboard",
    "Location",
    "Outcome",
    "Photo",
    "Reading",
    "Say",
    "Text",
    "Unsupported",
    "Venue",
    "open_choices",
    "step",
]
