"""The shape of what the sandbox store keeps: its SQLite tables and indexes, the
complaint as submitted, the view of an open complaint the workflow decides on, one
step it takes, and the opaque cursor of the change feed. The queries are in
:mod:`gateway.sandbox.store`.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS complaints (
    id INTEGER PRIMARY KEY, tracking_no INTEGER NOT NULL UNIQUE, account TEXT NOT NULL,
    external_ref TEXT NOT NULL, status TEXT NOT NULL, topic_id INTEGER,
    region_code TEXT NOT NULL, requested_agency TEXT, agency_code TEXT, agency_name TEXT,
    next_step_at REAL, created_at TEXT NOT NULL, payload TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS complaints_by_ref ON complaints (account, external_ref);
CREATE INDEX IF NOT EXISTS complaints_by_ref_only ON complaints (external_ref);
CREATE INDEX IF NOT EXISTS complaints_due ON complaints (next_step_at)
    WHERE next_step_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY, complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    account TEXT NOT NULL, status TEXT NOT NULL, response TEXT, agency_code TEXT,
    agency_name TEXT, at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_feed ON events (account, id);
CREATE INDEX IF NOT EXISTS events_by_complaint ON events (complaint_id, id);
CREATE TABLE IF NOT EXISTS comments (
    id INTEGER PRIMARY KEY, complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    text TEXT NOT NULL, author TEXT, at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS comments_by_complaint ON comments (complaint_id, id);
"""


class BadCursor(ValueError):
    """A ``cursor`` this feed never gave out."""


def encode_cursor(event_id: int) -> str:
    """The opaque cursor after event ``event_id``."""
    return base64.urlsafe_b64encode(f"ev:{event_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The event id a cursor stands for; 0 (the beginning) for None or empty."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if text.startswith("ev:"):
            return int(text[3:])
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise BadCursor(f"{cursor!r} is not a cursor of this feed")


def iso(ts: float) -> str:
    """An epoch timestamp as ISO 8601 in UTC, to the millisecond."""
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class OpenComplaint:
    """What the workflow needs to know to take a complaint's next step."""

    id: int
    tracking_id: str
    status: str
    topic_id: int | None
    region_code: str
    requested_agency: str | None
    agency_code: str | None
    agency_name: str | None


@dataclass(frozen=True)
class Step:
    """One change of a complaint: a new status and/or response, and when the next is due."""

    status: str
    response: str | None
    agency_code: str | None
    agency_name: str | None
    next_step_at: float | None
    #: the topic verification gave the complaint when it reclassified it, else None
    topic_id: int | None = None


@dataclass(frozen=True)
class NewComplaint:
    account: str
    external_ref: str
    topic_id: int | None
    region_code: str
    requested_agency: str | None
    payload: dict[str, Any]
