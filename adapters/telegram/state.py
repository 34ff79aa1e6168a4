"""The conversation's values: moved to :mod:`gateway.chat.state` (kept importable).

The events are what :mod:`.updates` makes of a Telegram update; ``Keyboard`` (rows
of (label, callback data)) is what :mod:`.bot` sends as an inline keyboard.
"""

from __future__ import annotations

from gateway.chat.choices import Keyboard
from gateway.chat.state import (
    SEEN,
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
    "SEEN",
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
]
