"""What an SMS or chat text is, before any ticket is made (stub: filled in by issue 18)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class IntentKind(StrEnum):
    NEW = "new"  # a new complaint: the only kind that creates a national ticket
    MORE = "more"  # more about the sender's open complaint: a comment on it
    THANKS = "thanks"  # thanks or acknowledgement: answered politely, nothing filed
    STATUS = "status"  # a question about the state of a complaint
    CHATTER = "chatter"  # greetings, tests, nothing usable


@dataclass(frozen=True)
class Intent:
    kind: IntentKind
    confidence: float
    why: str


def read_intent(text: str, *, open_complaint: bool = False, after_status: bool = False) -> Intent:
    """What ``text`` is.

    ``open_complaint``: the sender has a complaint that is not finished;
    ``after_status``: the text replies to, or came soon after, a status message the
    gateway sent the sender (so it is likelier to be thanks or more about it).
    """
    return Intent(IntentKind.NEW, 0.5, "stub")
