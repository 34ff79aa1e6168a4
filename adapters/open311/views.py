"""A complaint as an Open311 service request (``GET requests``).

Only what the public may see: no reporter ever; for a confidential complaint not its
description, place, media or the agency's response either, just its status.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from adapters.open311.status import open311_status
from adapters.open311.texts import text
from gateway.domain.status import status_words
from gateway.mappings.catalog import Catalogue
from gateway.storage.models import Complaint
from gateway.tenants import Tenant

END_OF_DAY = time(23, 59, 59)


def request_id(complaint: Complaint) -> str:
    """The service_request_id: the gateway's complaint id (stable, never reused)."""
    return complaint.id


def token_of(complaint: Complaint) -> str:
    """The token: the gateway's own reference, sent to the registry with the complaint."""
    return complaint.external_ref


def service_notice(complaint: Complaint, language: str) -> str:
    if complaint.tracking_id:
        return text("notice_tracking", language, value=complaint.tracking_id)
    return text("notice_received", language)


def _local(moment: datetime | None, zone: ZoneInfo) -> str | None:
    """In the jurisdiction's zone (the database may hand back naive UTC)."""
    if moment is None:
        return None
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone).isoformat(timespec="seconds")


def _due(day: date | None, zone: ZoneInfo) -> str | None:
    """A due date as the end of that day where the jurisdiction is."""
    return datetime.combine(day, END_OF_DAY, zone).isoformat() if day else None


def _media_url(complaint: Complaint) -> str | None:
    try:
        attachments = json.loads(complaint.attachments or "[]")
    except ValueError:
        return None
    for attachment in attachments if isinstance(attachments, list) else []:
        if isinstance(attachment, dict) and isinstance(attachment.get("url"), str):
            return str(attachment["url"])
    return None


def agency_responsible(complaint: Complaint, catalogue: Catalogue) -> str | None:
    """The agency's name as the registry gave it, else the catalogue's, else its code."""
    code = complaint.agency_code
    return complaint.agency_name or (catalogue.agencies.get(code) or code if code else None)


def request_view(
    complaint: Complaint, tenant: Tenant, catalogue: Catalogue, zone: ZoneInfo, language: str
) -> dict[str, Any]:
    """One service request as ``GET requests`` shows it."""
    hidden = complaint.confidential
    status_note = text("status_note", language, value=status_words(complaint.status, language))
    category = tenant.spec.categories.get(complaint.category or "")
    return {
        "service_request_id": request_id(complaint),
        "status": open311_status(complaint.status),
        "status_notes": status_note if hidden else (complaint.last_response or status_note),
        "service_name": (category.label or complaint.category) if category else complaint.category,
        "service_code": complaint.category,
        "description": None if hidden else complaint.content,
        "agency_responsible": agency_responsible(complaint, catalogue),
        "service_notice": service_notice(complaint, language),
        "requested_datetime": _local(complaint.created_at, zone),
        "updated_datetime": _local(complaint.updated_at, zone),
        "expected_datetime": _due(complaint.follow_up_due, zone),
        "address": None if hidden else complaint.location_text,
        "address_id": None,
        "zipcode": None,
        "lat": None if hidden else complaint.latitude,
        "long": None if hidden else complaint.longitude,
        "media_url": None if hidden else _media_url(complaint),
    }
