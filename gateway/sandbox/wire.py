"""The sandbox's wire format: request bodies as pydantic models, their parsing into
what the store takes, and :class:`ApiError`, every answer other than 2xx.

Every wrong field of a body comes back in one 400, as ``{"errors": [{"field",
"message"}]}``, whether FastAPI or :func:`parse_body` found it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from gateway.sandbox.catalog import Catalog
from gateway.sandbox.records import NewComplaint

M = TypeVar("M", bound=BaseModel)


class ApiError(Exception):
    """An answer other than 2xx, with its JSON body; turned into a response in one place."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers

    @classmethod
    def fields(cls, errors: Sequence[tuple[str, str]]) -> ApiError:
        return cls(400, {"errors": [{"field": f, "message": m} for f, m in errors]})


def field_errors(errors: Sequence[Any]) -> list[tuple[str, str]]:
    """Pydantic's errors as ``(dotted field, message)``, without FastAPI's location prefix."""
    found = []
    for error in errors:
        loc = [str(p) for p in error.get("loc", ())]
        if loc[:1] in (["body"], ["query"], ["path"]):
            loc = loc[1:]
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        found.append((".".join(loc) or "body", message))
    return found


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


PHONE = r"^\+?[0-9][0-9 ()-]{5,24}$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class ReporterIn(_Wire):
    name: Annotated[str, Field(max_length=200)] | None = None
    phone: Annotated[str, Field(pattern=PHONE)] | None = None
    email: Annotated[str, Field(max_length=254, pattern=EMAIL)] | None = None


#: the largest file a submission may carry inside it (as the gateway's own limit)
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def _sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class AttachmentIn(_Wire):
    """A link the registry fetches (absolute ``url``), or the file itself (base64
    ``content`` with its ``sha256``); the registry keeps the file, not the base64."""

    model_config = ConfigDict(extra="allow")
    url: Annotated[str, Field(min_length=1, max_length=2000)] | None = None
    content: Annotated[str, Field(max_length=(MAX_ATTACHMENT_BYTES + 2) // 3 * 4)] | None = None
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None

    @field_validator("url")
    @classmethod
    def _fetchable(cls, value: str | None) -> str | None:
        if value is not None and not value.lower().startswith(("http://", "https://")):
            raise ValueError("must be an absolute http(s) URL the registry can fetch")
        return value

    @model_validator(mode="after")
    def _link_or_file(self) -> AttachmentIn:
        if (self.url is None) == (self.content is None):
            raise ValueError("needs either url or content (base64), not both")
        if self.content is not None:
            try:
                data = base64.b64decode(self.content, validate=True)
            except binascii.Error:
                raise ValueError("content is not valid base64") from None
            if self.sha256 != _sha256_of(data):  # an integrity check, not a secret
                raise ValueError("sha256 does not match the content")
            self.content = None  # kept: what arrived, not the bytes again
            self.__pydantic_extra__ = {**(self.__pydantic_extra__ or {}), "size": len(data)}
        return self


class ComplaintIn(_Wire):
    """``POST /api/v1/complaints``; validated with ``context={"catalog": Catalog}``."""

    external_ref: Annotated[str, Field(min_length=1, max_length=200)]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    content: Annotated[str, Field(min_length=10, max_length=10_000)]
    classification: Literal["pengaduan", "aspirasi", "permintaan_informasi"] = "pengaduan"
    topic_id: int | None = None
    agency_code: str | None = None
    region_code: str
    location: Annotated[str, Field(max_length=500)] | None = None
    latitude: Annotated[float, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[float | None, Field(ge=-180, le=180, validate_default=True)] = None
    incident_date: date | None = None
    #: optional: the incident's moment with its offset, when its time is known
    incident_at: AwareDatetime | None = None
    anonymous: bool = False
    confidential: bool = False
    channel: Annotated[str, Field(max_length=32)] | None = None
    reporter: ReporterIn | None = None
    attachments: Annotated[list[AttachmentIn], Field(max_length=20)] = []

    @field_validator("topic_id", "agency_code", "region_code")
    @classmethod
    def _in_catalog(cls, value: Any, info: ValidationInfo) -> Any:
        catalog: Catalog = (info.context or {})["catalog"]
        kwargs = {
            "topic_id": None,
            "agency_code": None,
            "region_code": None,
            info.field_name: value,
        }
        for _, message in catalog.check(**kwargs):  # type: ignore[arg-type]
            raise ValueError(message)
        return value

    @field_validator("longitude")
    @classmethod
    def _with_latitude(cls, value: float | None, info: ValidationInfo) -> float | None:
        if "latitude" in info.data and (info.data["latitude"] is None) != (value is None):
            raise ValueError("latitude and longitude go together")
        return value

    @field_validator("incident_date")
    @classmethod
    def _not_in_future(cls, value: date | None) -> date | None:
        if value is not None and value > date.today() + timedelta(days=1):  # WIT is UTC+9
            raise ValueError("must not be in the future")
        return value

    @field_validator("incident_at")
    @classmethod
    def _moment_not_in_future(cls, value: datetime | None) -> datetime | None:
        if value is not None and value > datetime.now(UTC) + timedelta(minutes=5):
            raise ValueError("must not be in the future")
        return value


class CommentIn(_Wire):
    text: Annotated[str, Field(min_length=1, max_length=5000)]
    author: Annotated[str, Field(max_length=200)] | None = None


class AdvanceIn(_Wire):
    tracking_id: str | None = None
    status: str | None = None
    response: Annotated[str, Field(min_length=1)] | None = None
    agency_code: str | None = None


def parse_body(model: type[M], raw: bytes, context: dict[str, Any] | None = None) -> M:
    """``raw`` JSON as ``model``, or an ApiError 400 naming each wrong field."""
    try:
        data = json.loads(raw or b"null")
    except ValueError:
        raise ApiError.fields([("body", "is not valid JSON")]) from None
    if not isinstance(data, dict):
        raise ApiError.fields([("body", "must be a JSON object")])
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        raise ApiError.fields(field_errors(exc.errors())) from None


def parse_complaint(raw: bytes, account: str, catalog: Catalog) -> NewComplaint:
    """A submission as the store takes it, or an ApiError 400 with every field error."""
    body = parse_body(ComplaintIn, raw, {"catalog": catalog})
    return NewComplaint(
        account=account,
        external_ref=body.external_ref,
        topic_id=body.topic_id,
        region_code=body.region_code,
        requested_agency=body.agency_code,
        payload=_payload(body),
    )


def _payload(body: ComplaintIn) -> dict[str, Any]:
    payload = body.model_dump(mode="json")
    payload["attachments"] = [
        {k: v for k, v in a.items() if v is not None} for a in payload["attachments"]
    ]
    return payload
