"""The Open311 GeoReport v2 routes under ``/open311/v2``, each as ``.json`` and ``.xml``.

- ``GET discovery``: endpoints, formats, changeset, contact;
- ``GET services?jurisdiction_id=``: the tenant's categories as services;
- ``GET services/{service_code}``: the attributes (incident date, classification,
  anonymous, confidential);
- ``POST requests``: a new service request (form-encoded or multipart, with the
  tenant's ``api_key``; a photo as ``media_url`` or as the multipart file ``media``); a
  retry (same ``Idempotency-Key``, else same content) answers the same
  ``service_request_id``;
- ``GET requests``, ``GET requests/{id}``, ``GET tokens/{token}``.

Errors are Open311's (``[{"code": 400, "description": "..."}]`` or ``<errors>``), in
the route's format, never a stack trace.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from adapters.open311 import handlers
from adapters.open311 import schema as doc
from adapters.open311.lookup import STATUS
from adapters.open311.render import Format, Open311Error, error_answer
from adapters.open311.reply import PulledReplier
from adapters.open311.settings import CHANNEL, check_channel
from gateway.channels import ChannelAdapter

log = structlog.get_logger("gateway.open311")
PREFIX = "/open311/v2"
router = APIRouter(prefix=PREFIX, tags=["open311"])

Handler = Callable[[Request, Format], Awaitable[Response]]


class XmlResponse(Response):
    media_type = "application/xml"


def _endpoint(handler: Handler, fmt: Format) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request, fmt)
        except Open311Error as error:
            return error_answer(fmt, error, handlers.language_of(request))
        except (OperationalError, PoolTimeout) as exc:
            log.error("database unavailable", error=type(exc).__name__)
            answer = error_answer(fmt, Open311Error(503, "unavailable"), "id")
            answer.headers["Retry-After"] = "5"
            return answer

    endpoint.__doc__ = handler.__doc__
    return endpoint


def _add(
    method: str,
    resource: str,
    handler: Handler,
    *,
    summary: str,
    description: str,
    ok: dict[int, tuple[Any, str, str]],
    errors: tuple[int, ...],
    parameters: list[dict[str, Any]],
    body: dict[str, Any] | None = None,
) -> None:
    fmt: Format
    for fmt in ("json", "xml"):
        extra: dict[str, Any] = {"parameters": [*parameters, doc.LANGUAGE]}
        if body is not None:
            extra["requestBody"] = body
        router.add_api_route(
            f"/{resource}.{fmt}",
            _endpoint(handler, fmt),
            methods=[method],
            name=f"open311_{handler.__name__}_{fmt}",
            summary=f"{summary} ({fmt.upper()})",
            description=description,
            status_code=min(ok),
            response_description=ok[min(ok)][1],
            response_class=XmlResponse if fmt == "xml" else Response,
            responses=doc.responses(fmt, ok, errors),
            openapi_extra=extra,
        )


_XML_REQUESTS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<service_requests><request>'
    "<service_request_id>5f0c…</service_request_id><status>open</status>…"
    "</request></service_requests>"
)
_REQUEST_ID = doc.path("service_request_id", "A service_request_id from POST requests")

_add(
    "GET",
    "discovery",
    handlers.discovery,
    summary="Service discovery",
    description="Where the GeoReport v2 endpoint is, its formats and contact.",
    ok={200: (doc.DiscoveryOut, "The discovery document", "<discovery>…</discovery>")},
    errors=(),
    parameters=[doc.query("jurisdiction_id", "Optional (not in the spec): its own contact")],
)
_add(
    "GET",
    "services",
    handlers.list_services,
    summary="Service list",
    description="The jurisdiction's categories, each a service (metadata: attributes).",
    ok={200: (list[doc.ServiceOut], "The services", "<services><service>…</service></services>")},
    errors=(400, 404, 503),
    parameters=[doc.JURISDICTION],
)
_add(
    "GET",
    "services/{service_code}",
    handlers.service_definition,
    summary="Service definition",
    description="The attributes a service takes: incident date, classification, "
    "anonymous and confidential.",
    ok={200: (doc.DefinitionOut, "The definition", "<service_definition>…</service_definition>")},
    errors=(400, 404, 503),
    parameters=[doc.path("service_code", "A service_code from GET services"), doc.JURISDICTION],
)
_add(
    "POST",
    "requests",
    handlers.post_request,
    summary="Create a service request",
    description="A new request: 201, or 200 with the same service_request_id for a retry "
    "(the same Idempotency-Key, or without one the same content). Needs the tenant's "
    "api_key, a service_code, a description, and lat and long or address_string. A photo "
    "comes as media_url, or (multipart) as the file media.",
    ok={
        201: (list[doc.PostedOut], "Created", _XML_REQUESTS),
        200: (list[doc.PostedOut], "Made before (a retry): the same request", _XML_REQUESTS),
    },
    errors=(400, 403, 404, 413, 415, 503),
    parameters=[
        doc.query("jurisdiction_id", "The tenant, if not in the body"),
        doc.IDEMPOTENCY_KEY,
    ],
    body=doc.REQUEST_BODY,
)
_add(
    "GET",
    "requests",
    handlers.list_requests,
    summary="Service requests",
    description="The jurisdiction's Open311 requests, newest first, at most 1000; "
    "requested in the last 90 days unless start_date/end_date say otherwise "
    "(at most 90 days apart). service_request_id overrides every other filter.",
    ok={200: (list[doc.RequestOut], "The requests", _XML_REQUESTS)},
    errors=(400, 404, 503),
    parameters=[
        doc.JURISDICTION,
        doc.query("service_request_id", "Comma-separated ids; overrides the other filters"),
        doc.query("service_code", "Comma-separated service codes"),
        doc.query("start_date", "ISO 8601, on requested_datetime, e.g. 2026-03-01T00:00:00Z"),
        doc.query("end_date", "ISO 8601, on requested_datetime"),
        doc.query("status", "open, closed or open,closed", pattern=f"^{STATUS.pattern}$"),
    ],
)
_add(
    "GET",
    "requests/{service_request_id}",
    handlers.get_request,
    summary="One service request",
    description="A request of this jurisdiction by its service_request_id.",
    ok={200: (list[doc.RequestOut], "The request (a list of one)", _XML_REQUESTS)},
    errors=(400, 404, 503),
    parameters=[_REQUEST_ID, doc.JURISDICTION],
)
_add(
    "GET",
    "tokens/{token}",
    handlers.get_token,
    summary="Service request id from a token",
    description="The service_request_id a token (from POST requests) stands for.",
    ok={200: (list[doc.TokenOut], "The id (a list of one)", _XML_REQUESTS)},
    errors=(400, 404, 503),
    parameters=[doc.path("token", "A token from POST requests"), doc.JURISDICTION],
)

_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


@router.api_route("/{anything:path}", methods=_METHODS, include_in_schema=False)
async def elsewhere(request: Request) -> Response:
    """Any other address under the prefix: Open311's own 404 (or 405 with ``Allow``), in
    the format the path asks for, rather than the gateway's generic error."""
    path: str = request.scope["path"]
    fmt: Format = "xml" if path.endswith(".xml") else "json"
    language = handlers.language_of(request)
    allowed = sorted(
        {
            method
            for route in router.routes
            if isinstance(route, APIRoute) and route.endpoint is not elsewhere
            if route.path_regex.match(path)
            for method in route.methods or ()
        }
    )
    if not allowed:
        return error_answer(fmt, Open311Error(404, "unknown_resource"), language)
    refused = error_answer(
        fmt, Open311Error(405, "method_not_allowed", value=request.method[:16]), language
    )
    refused.headers["Allow"] = ", ".join(allowed)
    return refused


ADAPTER = ChannelAdapter(
    channel=CHANNEL,
    router=router,
    make_replier=lambda _container: PulledReplier(),
    check_channel=check_channel,
)
