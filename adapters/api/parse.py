"""The API channel's wire model, and its translation to the canonical draft."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gateway.api.errors import field_errors
from gateway.domain.complaint import (
    Attachment,
    Classification,
    ComplaintDraft,
    Language,
    Location,
    Reporter,
)
from gateway.domain.errors import ErrorKind, GatewayError, invalid
from gateway.domain.zones import zone_or_wib
from gateway.phone import to_e164

CHANNEL = "api"


class ReporterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(max_length=200)] | None = None
    phone: Annotated[str, Field(max_length=40)] | None = Field(
        None,
        description="Any Indonesian written form; stored as E.164",
        examples=["0812-3456-7890"],
    )
    email: Annotated[str, Field(max_length=254)] | None = None
    nik: Annotated[str, Field(max_length=16)] | None = None


class ComplaintIn(BaseModel):
    """A complaint from a trusted system, in the canonical shape."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "source_ref": "TICKET-2026-0001",
                    "title": "Jalan berlubang di Jl. Teuku Umar",
                    "content": "Jalan berlubang besar di depan pasar, 2 minggu belum diperbaiki.",
                    "region_code": "18.71",
                    "location": {"text": "Jl. Teuku Umar, Kedaton, Bandar Lampung"},
                    "reporter": {"name": "Siti Aminah", "phone": "0812-3456-7890"},
                }
            ]
        },
    )

    source_ref: Annotated[str, Field(min_length=1, max_length=200)]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    content: Annotated[str, Field(min_length=10, max_length=10_000)]
    classification: Classification = Classification.PENGADUAN
    category: Annotated[str, Field(min_length=1, max_length=64)] | None = Field(
        None, description="The tenant's own category code, mapped to a national topic"
    )
    topic_id: int | None = Field(
        None, description="National topic; left out, the gateway classifies the text"
    )
    agency_code: Annotated[str, Field(max_length=64)] | None = None
    region_code: str | None = None
    location: Location | None = None
    incident_date: date | None = None
    incident_time: time | None = Field(
        None,
        description="The incident's time of day in the region's zone (WIB, WITA or WIT, "
        "from region_code); needs incident_date",
        examples=["14:05"],
    )
    incident_at: datetime | None = Field(
        None,
        description="The incident's moment, ISO 8601 with its offset; instead of "
        "incident_date + incident_time",
        examples=["2026-03-21T14:05:00+08:00"],
    )
    anonymous: bool = False
    confidential: bool = False
    reporter: ReporterIn | None = None
    attachments: Annotated[list[Attachment], Field(max_length=20)] = []
    language: Language = Language.ID


def to_draft(body: ComplaintIn, tenant: str, default_region: str) -> ComplaintDraft:
    """Normalise (phone to E.164, tenant defaults) and validate into the canonical draft;
    :func:`gateway.routing.route` then decides its topic and agency."""
    reporter = None
    if body.reporter is not None:
        phone = None
        if body.reporter.phone:
            try:
                phone = to_e164(body.reporter.phone)
            except ValueError as exc:
                raise invalid("reporter.phone", str(exc)) from exc
        try:
            reporter = Reporter(
                name=body.reporter.name,
                phone=phone,
                email=body.reporter.email,
                nik=body.reporter.nik,
            )
        except ValidationError as exc:
            raise _from_validation(exc, prefix="reporter") from exc
    region_code = body.region_code or default_region
    incident_date, incident_at = _incident(body, region_code)
    try:
        return ComplaintDraft(
            tenant=tenant,
            channel=CHANNEL,
            source_ref=body.source_ref,
            title=body.title,
            content=body.content,
            classification=body.classification,
            category=body.category,
            topic_id=body.topic_id,
            agency_code=body.agency_code,
            region_code=region_code,
            location=body.location,
            incident_date=incident_date,
            incident_at=incident_at,
            anonymous=body.anonymous,
            confidential=body.confidential,
            reporter=reporter,
            attachments=body.attachments,
            language=body.language,
        )
    except ValidationError as exc:
        raise _from_validation(exc) from exc


def _incident(body: ComplaintIn, region_code: str) -> tuple[date | None, datetime | None]:
    """The incident's date and, when its time is known, its moment: ``incident_at`` as
    given, or ``incident_date`` + ``incident_time`` in the region's zone."""
    if body.incident_time is not None and body.incident_at is not None:
        raise invalid("incident_time", "give incident_at or incident_time, not both")
    if body.incident_time is not None:
        if body.incident_date is None:
            raise invalid("incident_time", "needs incident_date")
        zone = zone_or_wib(region_code).info
        moment = datetime.combine(body.incident_date, body.incident_time.replace(tzinfo=None))
        return body.incident_date, moment.replace(tzinfo=zone)
    if body.incident_at is not None:
        if body.incident_at.tzinfo is None:
            raise invalid("incident_at", "must say its zone (an offset such as +08:00)")
        if not 1900 < body.incident_at.year < 2100:
            raise invalid("incident_at", "is not a plausible date")
        local_date = body.incident_at.astimezone(zone_or_wib(region_code).info).date()
        if body.incident_date is not None and body.incident_date != local_date:
            raise invalid("incident_date", "is not the date of incident_at in the region's zone")
        return local_date, body.incident_at
    return body.incident_date, None


def _from_validation(exc: ValidationError, prefix: str | None = None) -> GatewayError:
    fields = field_errors(exc, prefix=prefix)
    names = ", ".join(sorted({f.field for f in fields}))
    return GatewayError(ErrorKind.INVALID_INPUT, f"invalid fields: {names}", fields)
