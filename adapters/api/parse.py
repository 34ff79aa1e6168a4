"""The API channel's wire model, and its translation to the canonical draft."""

from __future__ import annotations

from datetime import date
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
            region_code=body.region_code or default_region,
            location=body.location,
            incident_date=body.incident_date,
            anonymous=body.anonymous,
            confidential=body.confidential,
            reporter=reporter,
            attachments=body.attachments,
            language=body.language,
        )
    except ValidationError as exc:
        raise _from_validation(exc) from exc


def _from_validation(exc: ValidationError, prefix: str | None = None) -> GatewayError:
    fields = field_errors(exc, prefix=prefix)
    names = ", ".join(sorted({f.field for f in fields}))
    return GatewayError(ErrorKind.INVALID_INPUT, f"invalid fields: {names}", fields)
