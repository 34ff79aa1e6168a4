"""The date and time a free text names (stub: filled in by issue 18)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time


@dataclass(frozen=True)
class When:
    date: date
    time: time | None  # local time in the region's zone, when the text says one
    text: str  # the words it was read from, e.g. "tadi malam jam 9"


def find_when(text: str, *, now: datetime) -> When | None:
    """The incident's date (and time) ``text`` names, or None.

    ``now`` is the moment the message arrived, aware, in the region's zone; relative
    words ("kemarin sore", "tadi malam jam 9") count from it, and a date in the
    future is not an incident's date.
    """
    return None
