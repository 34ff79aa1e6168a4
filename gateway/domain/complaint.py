"""The canonical complaint schema every channel is turned into."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

E164 = re.compile(r"^\+[1-9]\d{7,14}$")
# Kemendagri region codes: province "18", regency/city "18.71", district
# "18.71.01", village "18.71.01.1001".
REGION_CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
NIK = re.compile(r"^\d{16}$")

MAX_TITLE = 200
MAX_CONTENT = 10_000


class Classification(StrEnum):
    PENGADUAN = "pengaduan"
    ASPIRASI = "aspirasi"
    PERMINTAAN_INFORMASI = "permintaan_informasi"


class TopicSource(StrEnum):
    """How a complaint's national topic was chosen (see :mod:`gateway.routing`)."""

    GIVEN = "given"  # the channel sent a national topic id
    CATEGORY = "category"  # the tenant's own category, mapped
    KEYWORDS = "keywords"  # one of the tenant's own keyword rules (an override)
    MODEL = "model"  # the learned model's likeliest topic (flagged when it is unsure)
    DEFAULT = "default"  # nothing to go on: the tenant's default topic, flagged for review


class Language(StrEnum):
    ID = "id"
    EN = "en"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Reporter(_Model):
    """Who complains. ``phone`` is E.164 (``+62812...``); channels normalise it."""

    name: Annotated[str, Field(max_length=200)] | None = None
    phone: str | None = None
    email: Annotated[str, Field(max_length=254)] | None = None
    nik: str | None = None

    @field_validator("phone")
    @classmethod
    def _phone_is_e164(cls, value: str | None) -> str | None:
        if value is not None and not E164.match(value):
            raise ValueError("must be an E.164 number such as +6281234567890")
        return value

    @field_validator("email")
    @classmethod
    def _email_shape(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", value):
            raise ValueError("is not an e-mail address")
        return value

    @field_validator("nik")
    @classmethod
    def _nik_shape(cls, value: str | None) -> str | None:
        if value is not None and not NIK.match(value):
            raise ValueError("must be the 16 digits of a NIK")
        return value


class Location(_Model):
    text: Annotated[str, Field(max_length=500)] | None = None
    latitude: Annotated[float, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180)] | None = None

    @model_validator(mode="after")
    def _both_coordinates(self) -> Location:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude go together")
        return self


class Attachment(_Model):
    url: Annotated[str, Field(min_length=1, max_length=2000)]
    filename: Annotated[str, Field(max_length=255)] | None = None
    content_type: Annotated[str, Field(max_length=100)] | None = None
    size: Annotated[int, Field(ge=0)] | None = None


class ComplaintDraft(_Model):
    """A complaint as a channel delivered it, in the canonical shape.

    ``(tenant, channel, source_ref)`` identifies it: the same triple is the same
    complaint, however many times the channel delivers it.
    """

    tenant: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    channel: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z0-9_]+$")]
    source_ref: Annotated[str, Field(min_length=1, max_length=200)]
    title: Annotated[str, Field(min_length=1, max_length=MAX_TITLE)]
    content: Annotated[str, Field(min_length=10, max_length=MAX_CONTENT)]
    classification: Classification = Classification.PENGADUAN
    #: the tenant's own category (a call-centre code, a web-form option), if any
    category: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    topic_id: Annotated[int, Field(ge=1)] | None = None
    agency_code: Annotated[str, Field(max_length=64)] | None = None
    region_code: str
    #: set by :func:`gateway.routing.route`, not by channels
    topic_source: TopicSource | None = None
    #: why a person should look at the routing (set by routing); None when it is sure
    review_reason: Annotated[str, Field(max_length=500)] | None = None
    location: Location | None = None
    incident_date: date | None = None
    #: the incident's moment when its time of day is known, in UTC; ``incident_date``
    #: is then its date in the region's zone (:mod:`gateway.domain.zones`)
    incident_at: datetime | None = None
    anonymous: bool = False
    confidential: bool = False
    reporter: Reporter | None = None
    attachments: Annotated[list[Attachment], Field(max_length=20)] = []
    language: Language = Language.ID

    @field_validator("region_code")
    @classmethod
    def _region_code_shape(cls, value: str) -> str:
        if not REGION_CODE.match(value):
            raise ValueError("must be a Kemendagri region code such as 18 or 18.71")
        return value

    @field_validator("incident_date")
    @classmethod
    def _not_in_future(cls, value: date | None) -> date | None:
        # a day of slack for time zones (WIT is UTC+9)
        if value is not None and (value - date.today()).days > 1:
            raise ValueError("must not be in the future")
        return value

    @field_validator("incident_at")
    @classmethod
    def _aware_and_past(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("must say its zone (an offset such as +08:00)")
        if value - datetime.now(UTC) > timedelta(minutes=5):
            raise ValueError("must not be in the future")
        return value.astimezone(UTC)


def title_from_content(content: str, limit: int = 80) -> str:
    """A title for channels that only carry free text: the first words, not cut mid-word."""
    text = " ".join(content.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"
