"""A small Open311 GeoReport v2 client, as an app or a city portal would write one.

It speaks the spec's resources in JSON or XML and gives back the same Python values
either way (XML is parsed and typed back: ``lat`` a float, ``metadata`` a bool), so a
test can compare the two formats. A non-2xx answer raises :class:`Open311Failure`
with the Open311 errors parsed from the body.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import httpx

#: list elements and their items' names, as the spec writes them
LISTS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}
#: (parent element, element) typed back from XML's text
FLOATS = {("request", "lat"), ("request", "long")}
INTS = {("error", "code"), ("attribute", "order")}
BOOLS = {("service", "metadata"), ("attribute", "variable"), ("attribute", "required")}
MEDIA = {"json": "application/json", "xml": "application/xml"}


class Open311Failure(Exception):
    def __init__(self, status: int, errors: list[dict[str, Any]], content_type: str) -> None:
        super().__init__(f"HTTP {status}: {errors}")
        self.status = status
        self.errors = errors
        self.content_type = content_type

    @property
    def description(self) -> str:
        return " | ".join(str(e.get("description")) for e in self.errors)


def _typed(where: tuple[str, str], text: str | None) -> Any:
    if text is None:
        return None
    if where in FLOATS:
        return float(text)
    if where in INTS:
        return int(text)
    if where in BOOLS:
        return text == "true"
    return text


def from_xml(element: ET.Element, parent: str = "") -> Any:
    """An Open311 XML element as JSON-like values (lists for the spec's list elements)."""
    if element.tag in LISTS:
        return [from_xml(child, element.tag) for child in element]
    children = list(element)
    if not children and element.tag not in ("service", "request", "error", "endpoint"):
        return _typed((parent, element.tag), element.text)
    return {child.tag: from_xml(child, element.tag) for child in children}


def parse_xml(body: bytes) -> Any:
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'), body[:60]
    return from_xml(ET.fromstring(body))


@dataclass
class Open311Client:
    http: httpx.Client
    endpoint: str  # e.g. http://127.0.0.1:8000/open311/v2
    jurisdiction_id: str | None
    api_key: str | None = None
    fmt: Literal["json", "xml"] = "json"
    language: str | None = None
    last: httpx.Response | None = field(default=None, repr=False)

    def _call(
        self, method: str, resource: str, params: dict[str, Any] | None = None, **kw: Any
    ) -> Any:
        query = {k: v for k, v in (params or {}).items() if v is not None}
        headers = dict(kw.pop("headers", {}))
        if self.language:
            headers["Accept-Language"] = self.language
        url = f"{self.endpoint}/{resource}.{self.fmt}"
        answer = self.http.request(method, url, params=query, headers=headers, **kw)
        self.last = answer
        kind = answer.headers.get("content-type", "").split(";")[0]
        assert kind == MEDIA[self.fmt], f"{url} answered {kind}: {answer.text[:200]}"
        value = parse_xml(answer.content) if self.fmt == "xml" else answer.json()
        if answer.status_code >= 400:
            raise Open311Failure(answer.status_code, value, kind)
        return value

    def _jurisdiction(self) -> dict[str, Any]:
        return {"jurisdiction_id": self.jurisdiction_id}

    def discovery(self) -> dict[str, Any]:
        """The discovery document (with the jurisdiction's own contact, when it has one)."""
        return dict(self._call("GET", "discovery", self._jurisdiction()))

    def services(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "services", self._jurisdiction()))

    def definition(self, service_code: str) -> dict[str, Any]:
        return dict(self._call("GET", f"services/{service_code}", self._jurisdiction()))

    def post_request(
        self,
        service_code: str,
        *,
        attributes: dict[str, str] | None = None,
        idempotency_key: str | None = None,
        multipart: bool = False,
        **fields: Any,
    ) -> dict[str, Any]:
        """POST requests; the answer's one item (``service_request_id``, ``token``, ...)."""
        form: dict[str, Any] = {
            "jurisdiction_id": self.jurisdiction_id,
            "api_key": self.api_key,
            "service_code": service_code,
            **fields,
        }
        for code, value in (attributes or {}).items():
            form[f"attribute[{code}]"] = value
        form = {k: str(v) for k, v in form.items() if v is not None}
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        if multipart:  # each field its own part, as browsers send a form with a file input
            files = {k: (None, v) for k, v in form.items()}
            answer = self._call("POST", "requests", files=files, headers=headers)
        else:
            answer = self._call("POST", "requests", data=form, headers=headers)
        [item] = answer
        return dict(item)

    def requests(
        self,
        *,
        service_request_id: Iterable[str] | None = None,
        service_code: Iterable[str] | None = None,
        start_date: datetime | str | None = None,
        end_date: datetime | str | None = None,
        status: Iterable[str] | None = None,
    ) -> list[dict[str, Any]]:
        params = {
            **self._jurisdiction(),
            "service_request_id": _joined(service_request_id),
            "service_code": _joined(service_code),
            "start_date": _when(start_date),
            "end_date": _when(end_date),
            "status": _joined(status),
        }
        return list(self._call("GET", "requests", params))

    def request(self, service_request_id: str) -> dict[str, Any]:
        [item] = self._call("GET", f"requests/{service_request_id}", self._jurisdiction())
        return dict(item)

    def token(self, token: str) -> dict[str, Any]:
        [item] = self._call("GET", f"tokens/{token}", self._jurisdiction())
        return dict(item)


def _joined(values: Iterable[str] | None) -> str | None:
    return None if values is None else ",".join(values)


def _when(value: datetime | str | None) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value
