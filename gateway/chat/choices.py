"""The choices the conversation offers under a message, and how many a channel shows.

The engine lays its choices out as rows of (label, id), a :data:`Keyboard`: the id is
what a pressed choice answers with (a :class:`~gateway.chat.state.Button`'s data, such
as ``send:3``), the rows a hint for channels that show rows. Telegram shows them as
they are (an inline keyboard has no small limit). A channel with small limits gets an
:class:`Offer` from :func:`fit`: WhatsApp's reply buttons hold at most 3 choices with
titles up to 20 characters, and a list at most 10 rows with titles up to 24, so more
than 3 choices become a list, and more than 10 the first rows of one, the rest
reachable by typing (:func:`typed`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

#: rows of (label, choice id)
Keyboard = list[list[tuple[str, str]]]

Kind = Literal["buttons", "list"]


@dataclass(frozen=True)
class Choice:
    id: str  # what the choice answers with: a Button event's data
    label: str


@dataclass(frozen=True)
class Limits:
    """What a channel shows under one message; None: no small limit."""

    buttons: int | None  # choices shown as buttons
    button_title: int | None  # characters of a button's title
    rows: int | None  # rows of a list
    row_title: int | None  # characters of a row's title


TELEGRAM = Limits(buttons=None, button_title=None, rows=None, row_title=None)
WHATSAPP = Limits(buttons=3, button_title=20, rows=10, row_title=24)


@dataclass(frozen=True)
class Offer:
    """Choices as one channel shows them under a message."""

    kind: Kind
    choices: tuple[Choice, ...]
    #: some choices were left out: the citizen reaches them by typing
    more: bool = False


def choices_of(keyboard: Keyboard | None) -> tuple[Choice, ...]:
    """The choices of a keyboard, row by row."""
    return tuple(Choice(data, label) for row in keyboard or [] for label, data in row)


def fit(choices: Sequence[Choice], limits: Limits, *, keep: int = 0) -> Offer:
    """``choices`` as ``limits`` lets a channel show them: buttons while they fit, then
    a list, then the first rows of a list. ``keep``: the last choices (Other, Cancel)
    stay when rows are left out. Titles too long are cut, ending with "…"."""
    if limits.buttons is None or len(choices) <= limits.buttons:
        return Offer("buttons", tuple(_cut(c, limits.button_title) for c in choices))
    shown = list(choices)
    more = limits.rows is not None and len(shown) > limits.rows
    if limits.rows is not None and more:
        kept = min(keep, limits.rows)
        shown = shown[: limits.rows - kept] + (shown[len(shown) - kept :] if kept else [])
    return Offer("list", tuple(_cut(c, limits.row_title) for c in shown), more)


#: ids of choices that stay at the end of a shortened list (their action, or value)
_LAST = ("cancel", "other", "skip")


def offer(keyboard: Keyboard | None, limits: Limits) -> Offer | None:
    """A message's choices (``Say.buttons``) as a channel with ``limits`` shows them;
    None: the message offers none. Cancel, Other and Skip stay when rows are left out."""
    choices = choices_of(keyboard)
    if not choices:
        return None
    keep = 0
    for choice in reversed(choices):
        parts = choice.id.split(":")
        if parts[0] not in _LAST and parts[-1] not in _LAST:
            break
        keep += 1
    return fit(choices, limits, keep=keep)


def typed(text: str, choices: Sequence[Choice]) -> Choice | None:
    """The choice a typed answer names: its number in the offer (1, 2, ...) or its
    label (case, spacing and emoji aside); None: none, or more than one."""
    said = _words(text)
    if not said:
        return None
    if said.isdigit():
        n = int(said)
        return choices[n - 1] if 1 <= n <= len(choices) else None
    found = [c for c in choices if _words(c.label) == said]
    if not found:
        found = [c for c in choices if len(said) >= 3 and _words(c.label).startswith(said)]
    return found[0] if len(found) == 1 else None


def _words(text: str) -> str:
    kept = "".join(ch if ch.isalnum() else " " for ch in text.casefold())
    return " ".join(kept.split())


def _cut(choice: Choice, limit: int | None) -> Choice:
    if limit is None or len(choice.label) <= limit:
        return choice
    return Choice(choice.id, choice.label[: limit - 1].rstrip() + "…")
