"""What to do with an SMS, decided before anything is stored: the pure part of the channel.

:func:`decide` takes the SMS read as a command (:mod:`adapters.sms.grammar`) and what
the database says about its sender (:class:`Facts`) and answers with an
:class:`Action`:

* a command (``STATUS``, ``INFO``, ``STOP``, nothing at all) is what it says;
* ``LAPOR <text>`` files a complaint, unless the text repeats one of the sender's
  complaints of the last 24 hours (then the answer is that complaint's tracking ID);
  ``LAPOR`` without (enough) text asks for the text;
* a free text (no keyword) that repeats a complaint is that complaint too; any other
  is read by :func:`gateway.understanding.intent.read_intent`: thanks get a polite
  answer, a status question the status answer, chatter the info text, more about the
  sender's open complaint becomes a comment on it, and only a new complaint files one.

:func:`details` reads a new complaint's place and incident date and time from its text.
Neither touches the database; :mod:`adapters.sms.service` does the storing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

import structlog

from adapters.sms.grammar import Parsed
from gateway.domain.complaint import REGION_CODE, Location
from gateway.storage.repeats import Repeat
from gateway.understanding.intent import Intent, IntentKind, read_intent
from gateway.understanding.place import find_place
from gateway.understanding.when import find_when

log = structlog.get_logger("gateway.sms")

#: a complaint shorter than this is no complaint: the citizen is asked for the text
MIN_REPORT = 10

Action = Literal[
    "file",  # a new complaint
    "repeat",  # the same text as a complaint of the last 24 hours: its tracking ID
    "comment",  # more about the open complaint: a comment on it at the registry
    "thanks",  # a polite answer, nothing filed
    "status",  # the status answer
    "info",  # the info text
    "need_text",  # asked for the complaint's text
    "stop",  # no more notifications
    "nothing",  # an empty SMS: no answer
]
ReadIntent = Callable[[str, bool, bool], Intent]


@dataclass(frozen=True)
class Target:
    """The complaint "more" goes to."""

    complaint_id: str
    tracking_id: str | None  # None: not in the national registry yet


@dataclass(frozen=True)
class Facts:
    """What the database says about the sender of an SMS."""

    #: the sender has a complaint of this tenant that is not finished or archived
    open_complaint: bool = False
    #: the last status notification sent to the sender was within the last 3 days
    after_status: bool = False
    #: where "more" goes: the complaint of that notification while it is open, else the
    #: newest open one
    target: Target | None = None
    #: the complaint the text repeats (same text, same sender, within 24 hours)
    repeat: Repeat | None = None


@dataclass(frozen=True)
class Decision:
    action: Action
    note: str  # what the SMS was read as, kept with the raw SMS (no personal data)
    intent: Intent | None = None


def decide(parsed: Parsed, facts: Facts, read: ReadIntent | None = None) -> Decision:
    """What to do with an SMS read as ``parsed`` from a sender with ``facts``."""
    if parsed.command == "empty":
        return Decision("nothing", "empty")
    if parsed.command != "report":
        return Decision(parsed.command, f"command {parsed.command}")
    text = parsed.text
    if parsed.keyword is not None:
        if len(text) < MIN_REPORT:
            return Decision("need_text", "keyword without text")
        if facts.repeat is not None:
            return Decision("repeat", f"keyword, repeats {facts.repeat.complaint_id}")
        return Decision("file", "keyword: new complaint")
    if facts.repeat is not None:
        return Decision("repeat", f"repeats {facts.repeat.complaint_id}")
    intent = _read(read or _read_intent, text, facts)
    said = f"read as {intent.kind.value} ({intent.why}, {intent.confidence:.2f})"
    if intent.kind == IntentKind.THANKS:
        return Decision("thanks", said, intent)
    if intent.kind == IntentKind.STATUS:
        return Decision("status", said, intent)
    if intent.kind == IntentKind.CHATTER:
        return Decision("info", said, intent)
    if intent.kind == IntentKind.MORE and facts.target is not None:
        return Decision("comment", f"{said}: comment on {facts.target.complaint_id}", intent)
    if len(text) < MIN_REPORT:
        return Decision("need_text", f"{said}, too short to file", intent)
    return Decision("file", f"{said}: new complaint", intent)


def _read_intent(text: str, open_complaint: bool, after_status: bool) -> Intent:
    return read_intent(text, open_complaint=open_complaint, after_status=after_status)


def _read(read: ReadIntent, text: str, facts: Facts) -> Intent:
    """The intent of ``text``; a reader that fails takes it as a new complaint (a
    complaint filed by mistake costs less than one lost)."""
    try:
        return read(text, facts.open_complaint, facts.after_status)
    except Exception as exc:
        log.error("sms intent not read", error=type(exc).__name__)
        return Intent(IntentKind.NEW, 0.0, f"intent not read: {type(exc).__name__}")


@dataclass(frozen=True)
class Details:
    """What a new complaint's text says about where and when."""

    location: Location | None = None
    region_code: str | None = None  # a region inside the tenant's that the text names
    incident_date: date | None = None
    incident_at: datetime | None = None  # aware, when a time of day is said


def details(text: str, region: str, now: datetime) -> Details:
    """The place and incident moment of ``text``, for a tenant of region ``region``;
    ``now`` is the SMS's arrival in the tenant's zone (aware). A reader that fails
    leaves its part out: the complaint is filed all the same."""
    location, named = None, None
    try:
        place = find_place(text, region_code=region)
    except Exception as exc:
        log.error("sms place not read", error=type(exc).__name__)
        place = None
    if place is not None and place.text:
        location = Location(text=place.text)
        code = place.region_code
        if code and REGION_CODE.match(code) and (code == region or code.startswith(region + ".")):
            named = code
    try:
        when = find_when(text, now=now)
    except Exception as exc:
        log.error("sms incident time not read", error=type(exc).__name__)
        when = None
    if when is None or when.date > now.date():
        return Details(location, named)
    incident_at = None
    if when.time is not None:
        moment = datetime.combine(when.date, when.time, tzinfo=now.tzinfo)
        incident_at = moment if moment <= now else None  # later today: the date stands alone
    return Details(location, named, when.date, incident_at)
