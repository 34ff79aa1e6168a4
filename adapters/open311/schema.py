"""The Open311 routes as the OpenAPI schema tells them: bodies, parameters, every status.

Each resource has a ``.json`` and an ``.xml`` route; each declares exactly the media
type it answers with, for its success and for each error status it can return.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from adapters.open311.render import JSON, XML, Format


class ErrorOut(BaseModel):
    code: int
    description: str


class EndpointOut(BaseModel):
    specification: str
    url: str
    changeset: str
    type: Literal["production", "test"]
    formats: list[str]


class DiscoveryOut(BaseModel):
    changeset: str
    contact: str
    key_service: str
    endpoints: list[EndpointOut]


class ServiceOut(BaseModel):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: Literal["realtime", "batch", "blackbox"]
    keywords: str
    group: str


class ValueOut(BaseModel):
    key: str
    name: str


class AttributeOut(BaseModel):
    variable: bool
    code: str
    datatype: Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
    required: bool
    datatype_description: str | None
    order: int
    description: str
    values: list[ValueOut]


class DefinitionOut(BaseModel):
    service_code: str
    attributes: list[AttributeOut]


class PostedOut(BaseModel):
    service_request_id: str
    token: str
    service_notice: str
    account_id: str | None


class TokenOut(BaseModel):
    service_request_id: str
    token: str


class RequestOut(BaseModel):
    service_request_id: str
    status: Literal["open", "closed"]
    status_notes: str | None
    service_name: str | None
    service_code: str | None
    description: str | None
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: str | None
    updated_datetime: str | None
    expected_datetime: str | None
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None


ERRORS = {
    400: "A field is missing or wrong (the description names it), or jurisdiction_id "
    "was not provided",
    403: "api_key was not provided or is not valid for this jurisdiction_id",
    404: "Unknown jurisdiction_id (or it offers no Open311), service, request or token",
    413: "The body is too large, or the file media (at most GATEWAY_MAX_ATTACHMENT_BYTES)",
    415: "The body is neither application/x-www-form-urlencoded nor multipart/form-data, "
    "or the file media is not a JPEG, PNG or WebP photo",
    503: "The database is unavailable; try again",
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}
XML_ERROR = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<errors><error><code>400</code>'
    "<description>service_code was not found</description></error></errors>"
)


def responses(
    fmt: Format, ok: dict[int, tuple[Any, str, str]], errors: tuple[int, ...]
) -> dict[int | str, dict[str, Any]]:
    """``responses=`` of a route: each success ``{status: (model, description, xml
    example)}`` and each error status, in ``fmt``'s media type only."""
    found: dict[int | str, dict[str, Any]] = {}
    for status, (model, description, example) in ok.items():
        if fmt == "json":
            found[status] = {"model": model, "description": description}
        else:
            found[status] = {"description": description, "content": _xml(example)}
    for status in errors:
        if fmt == "json":
            found[status] = {"model": list[ErrorOut], "description": ERRORS[status]}
        else:
            found[status] = {"description": ERRORS[status], "content": _xml(XML_ERROR)}
        if status == 503:
            found[status]["headers"] = RETRY_AFTER
    return found


def _xml(example: str) -> dict[str, Any]:
    return {XML: {"schema": {"type": "string"}, "example": example}}


def query(name: str, description: str, *, required: bool = False, **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": {"type": "string", **schema},
    }


def path(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string"},
    }


JURISDICTION = query(
    "jurisdiction_id", "The tenant (province or city), e.g. lampung", required=True
)
LANGUAGE = {
    "name": "Accept-Language",
    "in": "header",
    "required": False,
    "description": "Texts in Bahasa Indonesia (id, the default) or English (en)",
    "schema": {"type": "string"},
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "The same key again returns the request made the first time (without "
    "one, the same content does)",
    "schema": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[!-~]+$"},
}
FORM_FIELDS: dict[str, dict[str, Any]] = {
    "jurisdiction_id": {"type": "string", "description": "The tenant, e.g. lampung"},
    "api_key": {"type": "string", "description": "The tenant's API key"},
    "service_code": {"type": "string", "description": "One of GET services' codes"},
    "lat": {"type": "number", "minimum": -90, "maximum": 90, "description": "WGS84 latitude"},
    "long": {"type": "number", "minimum": -180, "maximum": 180, "description": "WGS84 longitude"},
    "address_string": {"type": "string", "maxLength": 500},
    "address_id": {"type": "string"},
    "description": {"type": "string", "minLength": 10, "maxLength": 4000},
    "first_name": {"type": "string", "maxLength": 99},
    "last_name": {"type": "string", "maxLength": 99},
    "phone": {"type": "string", "description": "Any Indonesian written form"},
    "email": {"type": "string"},
    "device_id": {"type": "string"},
    "account_id": {"type": "string"},
    "media_url": {"type": "string", "description": "An http(s) URL of a photo"},
    "attribute[incident_date]": {"type": "string", "description": "ISO 8601, not in the future"},
    "attribute[classification]": {
        "type": "string",
        "enum": ["pengaduan", "aspirasi", "permintaan_informasi"],
    },
    "attribute[anonymous]": {"type": "string", "enum": ["ya", "tidak"]},
    "attribute[confidential]": {"type": "string", "enum": ["ya", "tidak"]},
}
_FORM_SCHEMA = {
    "type": "object",
    "properties": FORM_FIELDS,
    "required": ["jurisdiction_id", "api_key", "service_code", "description"],
}
_MEDIA_FILE = {
    "type": "string",
    "format": "binary",
    "description": "A photo (JPEG, PNG or WebP by its bytes; at most GATEWAY_MAX_ATTACHMENT_"
    "BYTES, 10 MB by default), kept as the request's attachment like media_url",
}
REQUEST_BODY = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {"schema": _FORM_SCHEMA},
        "multipart/form-data": {
            "schema": {**_FORM_SCHEMA, "properties": {**FORM_FIELDS, "media": _MEDIA_FILE}}
        },
    },
}
MEDIA = {"json": JSON, "xml": XML}
