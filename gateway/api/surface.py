"""The public HTTP surface by route family: what each takes, and how a refusal looks there.

The ASGI guards (:mod:`gateway.api.middleware`, :mod:`gateway.api.ratelimit`,
:mod:`gateway.api.headers`) look a request's path up here once and act on its
:class:`Family`: the media types its bodies may have (anything else is 415), whether
it takes file uploads (multipart bodies then get ``max_upload_bytes`` instead of
``max_body_bytes``), where its tenant is named (the per-tenant rate limit), whether it
is rate limited at all, and the shape of its error bodies: the uniform
``{"error": {...}}`` everywhere, Open311's ``[{"code", "description"}]`` under
``/open311`` (GeoReport v2 has its own error format).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from pydantic_core import from_json
from starlette.types import Scope, Send

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


@dataclass(frozen=True, slots=True)
class Family:
    name: str
    #: a path starting with ``prefix`` (or equal to it without its trailing slash)
    prefix: str
    #: media types a body may have; ``None``: not checked here (GET-only routes, and
    #: paths that are not routes answer 404/405 from the router)
    accepts: frozenset[str] | None = None
    #: multipart bodies carry files: held to ``max_upload_bytes``, each file to its
    #: channel's own limit
    uploads: bool = False
    #: the tenant is this segment of ``path.split("/")`` ...
    tenant_segment: int | None = None
    #: ... or this query parameter
    tenant_query: str | None = None
    rate_limited: bool = True
    errors: Literal["uniform", "open311"] = "uniform"
    #: the console's own security headers (``gateway.ops.auth``) instead of the API's
    console: bool = False
    #: a public look-up by a number anyone could count (``gateway.api.ratelimit``'s
    #: look-up limits): every path of the family (``True``), or those whose segment
    #: ``lookup[0]`` of ``path.split("/")`` is ``lookup[1]``
    lookup: bool | tuple[int, str] = False

    def tenant(self, scope: Scope) -> str | None:
        """The tenant a request names, unchecked (the caller compares it with the known ones)."""
        if self.tenant_segment is not None:
            path: str = scope["path"]
            parts = path.split("/", self.tenant_segment + 1)
            return parts[self.tenant_segment] if len(parts) > self.tenant_segment else None
        if self.tenant_query is not None:
            raw: bytes = scope.get("query_string", b"")
            query = raw.decode("latin-1")
            for name, value in parse_qsl(query):
                if name == self.tenant_query:
                    return value
        return None

    def looks_up(self, path: str) -> bool:
        """``path`` is a public look-up (``/track/<id>``, a web form's status)."""
        if isinstance(self.lookup, tuple):
            index, word = self.lookup
            parts = path.split("/", index + 1)
            return len(parts) > index and parts[index] == word
        return self.lookup

    def takes(self, media_type: str | None) -> bool:
        """A body of ``media_type`` (``None``: no Content-Type) is for this family's routes."""
        if self.accepts is None:
            return True
        if media_type is None:
            # as FastAPI reads it: a JSON-only route takes a body without Content-Type as JSON
            return self.accepts == {JSON}
        return media_type in self.accepts

    def accepted(self) -> str:
        return ", ".join(sorted(self.accepts or ()))


_API = Family("api", "/channels/api/", frozenset({JSON}), tenant_segment=3)
FAMILIES: tuple[Family, ...] = (
    _API,
    Family("callcenter", "/channels/callcenter/", frozenset({JSON}), tenant_segment=3),
    Family(
        "webform",
        "/channels/webform/",
        frozenset({JSON, FORM, MULTIPART}),
        uploads=True,
        tenant_segment=3,
        lookup=(5, "status"),  # /channels/webform/<tenant>/<form>/status/<submission>
    ),
    # /channels/sms/<kannel|http>/<tenant>
    Family("sms", "/channels/sms/", frozenset({FORM, JSON}), tenant_segment=4),
    Family("telegram", "/channels/telegram/", frozenset({JSON}), tenant_segment=3),
    Family("track", "/track/", lookup=True),  # public status by tracking ID
    Family(
        "open311",
        "/open311/",
        # form-encoded or multipart, the file `media` a photo: its route answers another
        # media type (415) itself, in the client's language as every Open311 error
        uploads=True,
        tenant_query="jurisdiction_id",
        errors="open311",
    ),
    # probes must never be throttled: an orchestrator would take a busy process out
    Family("probes", "/healthz/", rate_limited=False),
    Family("probes", "/readyz/", rate_limited=False),
    Family("probes", "/metrics/", rate_limited=False),
    Family("console-static", "/ops/static/", rate_limited=False, console=True),
    Family("console", "/ops/", frozenset({FORM}), console=True),  # its forms are urlencoded
    # the sandbox registry (development only, not public); the gateway's own sync
    # engine calls it over loopback, so it is never throttled
    Family("sandbox", "/sandbox/", rate_limited=False),
    Family("sandbox", "/_sandbox/", rate_limited=False),
)
OTHER = Family("other", "/")  # staff lookup, attachments, docs; unknown paths


def parse_json(body: bytes | str) -> Any:
    """A JSON body, for the routes that read theirs themselves. ``ValueError`` for bad
    JSON, invalid UTF-8 and lone surrogates (``"\\ud800"``: no database stores them,
    Python's ``json`` lets them through)."""
    return from_json(body)


def family_of(path: str) -> Family:
    for family in FAMILIES:
        prefix = family.prefix
        if path.startswith(prefix) or path == prefix[:-1]:
            return family
    return OTHER


def refusal(
    family: Family, status: int, code: str, message: str, field: tuple[str, str] | None = None
) -> tuple[bytes, bytes]:
    """The body and content type of a refusal on ``family``'s routes."""
    if family.errors == "open311":
        return json.dumps([{"code": status, "description": message}]).encode(), JSON.encode()
    error: dict[str, object] = {"code": code, "message": message}
    if field is not None:
        error["fields"] = [{"field": field[0], "message": field[1]}]
    return json.dumps({"error": error}).encode(), JSON.encode()


def open311_xml(status: int, message: str) -> bytes:
    """GeoReport v2's error list, for the ``.xml`` format."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<errors><error>'
        f"<code>{status}</code><description>{escape(message)}</description>"
        "</error></errors>"
    ).encode()


async def send_refusal(
    send: Send,
    scope: Scope,
    family: Family,
    status: int,
    code: str,
    message: str,
    *,
    field: tuple[str, str] | None = None,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    """Answer ``status`` before the app sees the request; the connection is closed after
    (the body may not have been read)."""
    if family.errors == "open311" and scope["path"].endswith(".xml"):
        body, media = open311_xml(status, message), b"application/xml"
    else:
        body, media = refusal(family, status, code, message, field)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", media),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
