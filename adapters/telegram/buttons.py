"""The engine's choices as Telegram shows them, and a pressed one back.

The chat engine (:mod:`gateway.chat`) offers choices as rows of (label, id) under a
message (``Say.buttons``); Telegram shows them as an inline keyboard, rows as they
are, each choice's id its callback data (an inline keyboard has no small limit:
:data:`~gateway.chat.choices.TELEGRAM`). :func:`inline_keyboard` is the one renderer
(:func:`adapters.telegram.bot.send_text` uses it). A pressed button comes back as a
callback query whose data :mod:`.updates` hands the engine as a
:class:`~gateway.chat.state.Button`; the engine answers it
(:func:`gateway.chat.answers.press`, kept importable here).
"""

from __future__ import annotations

from adapters.telegram.bot import markup as inline_keyboard
from gateway.chat.answers import press
from gateway.chat.choices import TELEGRAM

__all__ = ["CALLBACK_DATA", "LIMITS", "inline_keyboard", "press"]

#: an inline keyboard has no small limit: the engine's rows are shown as they are
LIMITS = TELEGRAM
#: Telegram keeps at most this many bytes of a button's callback data (a choice's id)
CALLBACK_DATA = 64
