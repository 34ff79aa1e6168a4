"""How complaints look on the HTTP surface (staff lookup and public tracking)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from gateway.domain.zones import iso_local, zone_or_wib
from gateway.storage.models import Complaint, StatusEvent


class HistoryView(BaseModel):
    status: str
    national_status: str | None
    response: str | None
    note: str | None
    source: str
    at: datetime


class DueDates(BaseModel):
    verify: date | None
    follow_up: date | None


class TrackView(BaseModel):
    """What anyone holding a tracking ID may see: no content, no reporter."""

    tracking_id: str
    status: str
    national_status: str | None
    agency_name: str | None
    response: str | None
    submitted_at: datetime | None
    due: DueDates
    history: list[HistoryView]


class ComplaintView(BaseModel):
    id: str
    tenant: str
    channel: str
    source_ref: str
    external_ref: str
    tracking_id: str | None
    status: str
    national_status: str | None
    title: str
    content: str
    classification: str
    category: str | None
    topic_id: int | None
    topic_source: str | None
    review_reason: str | None
    agency_code: str | None
    agency_name: str | None
    region_code: str
    location: dict[str, Any] | None
    incident_date: date | None
    #: ISO 8601 with the offset of the region's zone, when the incident's time is known
    incident_at: str | None = None
    anonymous: bool
    confidential: bool
    reporter: dict[str, Any] | None
    attachments: list[dict[str, Any]]
    response: str | None
    failure_reason: str | None
    submitted_at: datetime | None
    due: DueDates
    created_at: datetime
    updated_at: datetime
    history: list[HistoryView]


def _history(events: list[StatusEvent]) -> list[HistoryView]:
    return [
        HistoryView(
            status=e.status,
            national_status=e.national_status,
            response=e.response,
            note=e.note,
            source=e.source,
            at=e.at,
        )
        for e in events
    ]


def complaint_view(c: Complaint, events: list[StatusEvent]) -> ComplaintView:
    location = None
    if c.location_text or c.latitude is not None:
        location = {"text": c.location_text, "latitude": c.latitude, "longitude": c.longitude}
    reporter = None
    if c.reporter_name or c.reporter_phone or c.reporter_email:
        reporter = {"name": c.reporter_name, "phone": c.reporter_phone, "email": c.reporter_email}
    return ComplaintView(
        id=c.id,
        tenant=c.tenant,
        channel=c.channel,
        source_ref=c.source_ref,
        external_ref=c.external_ref,
        tracking_id=c.tracking_id,
        status=c.status,
        national_status=c.national_status,
        title=c.title,
        content=c.content,
        classification=c.classification,
        category=c.category,
        topic_id=c.topic_id,
        topic_source=c.topic_source,
        review_reason=c.review_reason,
        agency_code=c.agency_code,
        agency_name=c.agency_name,
        region_code=c.region_code,
        location=location,
        incident_date=c.incident_date,
        incident_at=(
            iso_local(c.incident_at, zone_or_wib(c.region_code)) if c.incident_at else None
        ),
        anonymous=c.anonymous,
        confidential=c.confidential,
        reporter=reporter,
        attachments=json.loads(c.attachments),
        response=c.last_response,
        failure_reason=c.failure_reason,
        submitted_at=c.submitted_at,
        due=DueDates(verify=c.verify_due, follow_up=c.follow_up_due),
        created_at=c.created_at,
        updated_at=c.updated_at,
        history=_history(events),
    )


def track_view(c: Complaint, events: list[StatusEvent]) -> TrackView:
    assert c.tracking_id is not None
    public = [e for e in events if e.source == "national" or e.national_status]
    hide = c.confidential
    return TrackView(
        tracking_id=c.tracking_id,
        status=c.status,
        national_status=c.national_status,
        agency_name=c.agency_name,
        response=None if hide else c.last_response,
        submitted_at=c.submitted_at,
        due=DueDates(verify=c.verify_due, follow_up=c.follow_up_due),
        history=[
            h.model_copy(update={"response": None if hide else h.response, "note": None})
            for h in _history(public)
        ],
    )
