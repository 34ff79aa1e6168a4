"""The national registry's bodies: parsing answers into port values, and the submission body.

Every name on the wire comes from :mod:`gateway.national.contract`.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from gateway.domain.errors import FieldError
from gateway.national import contract as c
from gateway.ports import (
    Agency,
    ChangeEvent,
    HistoryEntry,
    Receipt,
    RemoteComplaint,
    Submission,
    Topic,
)

#: the bytes of an attachment stored by this gateway
Reader = Callable[[dict[str, Any]], bytes]


class BadBody(ValueError):
    """A body that is JSON but not the shape the contract promises."""


# -- reading bodies -------------------------------------------------------------


def as_dict(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadBody(f"expected an object, got {type(value).__name__}")
    return value


def as_list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise BadBody(f"expected a list, got {type(value).__name__}")
    return value


def req_str(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise BadBody(f"{key} is missing or not a string")
    return str(value)


def opt_str(body: Mapping[str, Any], key: str) -> str | None:
    value = body.get(key)
    return None if value is None else req_str(body, key)


def opt_int(body: Mapping[str, Any], key: str) -> int | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadBody(f"{key} is not an integer")
    return value


def parse_datetime(value: Any) -> datetime:
    """An ISO 8601 timestamp (``Z`` or an offset) as an aware datetime; naive is UTC."""
    if not isinstance(value, str):
        raise BadBody(f"expected an ISO timestamp, got {type(value).__name__}")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise BadBody(f"{value!r} is not an ISO timestamp") from exc
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def opt_datetime(body: Mapping[str, Any], key: str) -> datetime | None:
    value = body.get(key)
    return None if value is None else parse_datetime(value)


def receipt_of(body: Mapping[str, Any], existing: bool) -> Receipt:
    return Receipt(
        tracking_id=req_str(body, c.R_TRACKING_ID),
        status=req_str(body, c.R_STATUS),
        created_at=opt_datetime(body, c.R_CREATED_AT),
        existing=existing,
    )


def change_event_of(body: Mapping[str, Any]) -> ChangeEvent:
    return ChangeEvent(
        tracking_id=req_str(body, c.R_TRACKING_ID),
        external_ref=opt_str(body, c.R_EXTERNAL_REF),
        status=req_str(body, c.R_STATUS),
        response=opt_str(body, c.R_RESPONSE),
        at=parse_datetime(body.get(c.R_AT)),
        agency_code=opt_str(body, c.R_AGENCY_CODE),
        agency_name=opt_str(body, c.R_AGENCY_NAME),
        topic_id=opt_int(body, c.R_TOPIC_ID),
    )


def remote_complaint_of(body: Mapping[str, Any]) -> RemoteComplaint:
    history = [
        HistoryEntry(
            status=req_str(entry, c.R_STATUS),
            at=parse_datetime(entry.get(c.R_AT)),
            response=opt_str(entry, c.R_RESPONSE),
        )
        for entry in map(as_dict, as_list(body.get(c.R_HISTORY) or []))
    ]
    return RemoteComplaint(
        tracking_id=req_str(body, c.R_TRACKING_ID),
        external_ref=opt_str(body, c.R_EXTERNAL_REF),
        status=req_str(body, c.R_STATUS),
        agency_code=opt_str(body, c.R_AGENCY_CODE),
        history=history,
    )


def topic_of(body: Mapping[str, Any]) -> Topic:
    topic_id = opt_int(body, c.R_ID)
    if topic_id is None:
        raise BadBody(f"{c.R_ID} is missing")
    return Topic(id=topic_id, parent_id=opt_int(body, c.R_PARENT_ID), name=req_str(body, c.R_NAME))


def agency_of(body: Mapping[str, Any]) -> Agency:
    return Agency(
        code=req_str(body, c.R_CODE),
        name=req_str(body, c.R_NAME),
        level=req_str(body, c.R_LEVEL),
        region_code=opt_str(body, c.F_REGION_CODE),
    )


def field_errors(body: Any) -> list[FieldError]:
    """The field errors of a 400/422 body: ``errors`` as a list of objects, a
    field-to-message(s) object, or FastAPI's ``detail`` list."""
    if not isinstance(body, dict):
        return []
    errors = body.get(c.R_ERRORS, body.get(c.R_DETAIL))
    found: list[FieldError] = []
    if isinstance(errors, dict):
        for name, messages in errors.items():
            for message in messages if isinstance(messages, list) else [messages]:
                found.append(FieldError(str(name), str(message)))
    elif isinstance(errors, list):
        for item in errors:
            if isinstance(item, dict):
                found.append(FieldError(error_field(item), error_message(item)))
            else:
                found.append(FieldError("", str(item)))
    return found


def error_field(item: Mapping[str, Any]) -> str:
    for key in c.ERROR_FIELD_KEYS:
        value = item.get(key)
        if isinstance(value, list):  # FastAPI: ["body", "reporter", "phone"]
            parts = [str(p) for p in value]
            return ".".join(parts[1:] if parts[:1] == ["body"] else parts)
        if value is not None:
            return str(value)
    return ""


def error_message(item: Mapping[str, Any]) -> str:
    for key in c.ERROR_MESSAGE_KEYS:
        if item.get(key) is not None:
            return str(item[key])
    return "invalid"


def submission_body(submission: Submission) -> dict[str, Any]:
    """The JSON body of ``POST complaints`` for ``submission``."""
    s = submission
    reporter = {
        c.F_REPORTER_NAME: s.reporter_name,
        c.F_REPORTER_PHONE: s.reporter_phone,
        c.F_REPORTER_EMAIL: s.reporter_email,
    }
    body = {
        c.F_EXTERNAL_REF: s.external_ref,
        c.F_TITLE: s.title,
        c.F_CONTENT: s.content,
        c.F_CLASSIFICATION: s.classification,
        c.F_TOPIC_ID: s.topic_id,
        c.F_AGENCY_CODE: s.agency_code,
        c.F_REGION_CODE: s.region_code,
        c.F_LOCATION: s.location,
        c.F_LATITUDE: s.latitude,
        c.F_LONGITUDE: s.longitude,
        c.F_INCIDENT_DATE: s.incident_date,
        c.F_ANONYMOUS: s.anonymous,
        c.F_CONFIDENTIAL: s.confidential,
        c.F_CHANNEL: s.channel,
        c.F_REPORTER: reporter if any(v is not None for v in reporter.values()) else None,
        c.F_ATTACHMENTS: [dict(a) for a in s.attachments],
    }
    if s.incident_at is not None:
        body[c.F_INCIDENT_AT] = s.incident_at
    return body


def inline_attachments(
    body: dict[str, Any], is_local: Callable[[dict[str, Any]], bool], read: Reader
) -> dict[str, Any]:
    """``body`` with each attachment that nothing outside can fetch (``is_local``)
    carried as the file itself: base64 ``content`` and its ``sha256`` instead of ``url``."""
    items = []
    for item in body[c.F_ATTACHMENTS]:
        if is_local(item):
            data = read(item)
            item = {k: v for k, v in item.items() if k != c.F_ATTACHMENT_URL} | {
                c.F_ATTACHMENT_CONTENT: base64.b64encode(data).decode("ascii"),
                c.F_ATTACHMENT_SHA256: hashlib.sha256(data).hexdigest(),
            }
        items.append(item)
    return body | {c.F_ATTACHMENTS: items}


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if seconds == seconds else None  # NaN is no delay
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


# -- the client -----------------------------------------------------------------
