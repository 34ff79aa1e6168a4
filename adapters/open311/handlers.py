"""What each Open311 route does; :mod:`.adapter` mounts each in ``.json`` and ``.xml``.

Every handler raises :class:`Open311Error` for what the client must fix; the adapter
answers it in the route's format. Nothing here logs personal data.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

import structlog
from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from adapters.open311 import media
from adapters.open311 import services as catalogue_of
from adapters.open311.form import Submitted, read_form, source_ref, to_draft
from adapters.open311.lookup import find_one, find_requests, parse_filter
from adapters.open311.render import Format, Open311Error, answer, invalid
from adapters.open311.settings import CHANNEL, Open311Settings, jurisdiction, open311_channel
from adapters.open311.texts import preferred_language, text
from adapters.open311.views import request_view
from gateway import metrics
from gateway.api.deps import same_secret
from gateway.domain.errors import GatewayError
from gateway.routing import route
from gateway.storage.group_commit import IntakeWriter
from gateway.storage.intake import IntakeItem, external_ref_for

if TYPE_CHECKING:
    from gateway.bootstrap import Container
    from gateway.tenants import Tenant

log = structlog.get_logger("gateway.open311")
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
MAX_FIELDS = 200
_STARTED = datetime.now(UTC)


def _container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def language_of(request: Request, default: str = "id") -> str:
    return preferred_language(request.headers.get("accept-language"), default)


def _jurisdiction(request: Request, given: str | None) -> tuple[Tenant, Open311Settings]:
    if not given:
        raise Open311Error(400, "no_jurisdiction")
    try:
        return jurisdiction(_container(request), given)
    except LookupError:
        raise Open311Error(404, "unknown_jurisdiction", value=given[:64]) from None


def _query_jurisdiction(request: Request) -> tuple[Tenant, Open311Settings, str]:
    tenant, settings = _jurisdiction(request, request.query_params.get("jurisdiction_id"))
    return tenant, settings, language_of(request, settings.language)


async def discovery(request: Request, fmt: Format) -> Response:
    container = _container(request)
    offering = [t for t in container.tenants.values() if open311_channel(t) is not None]
    changeset = _changeset([t.source for t in offering])
    base = (container.settings.public_url or str(request.base_url)).rstrip("/")
    language = language_of(request)
    # not in the spec: with a jurisdiction_id, that jurisdiction's own contact
    try:
        _tenant, own = jurisdiction(container, request.query_params.get("jurisdiction_id", ""))
    except LookupError:
        own = Open311Settings()
    document = {
        "changeset": changeset,
        "contact": own.contact or text("contact", language),
        "key_service": own.key_service or text("key_service", language),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": f"{base}/open311/v2",
                "changeset": changeset,
                "type": "test" if container.sandbox is not None else "production",
                "formats": ["application/json", "application/xml"],
            }
        ],
    }
    return answer(fmt, "discovery", document)


def _changeset(sources: list[Path]) -> str:
    """When the services last changed: the newest of the mapping files offering them."""
    stamps = []
    for source in sources:
        try:
            stamps.append(datetime.fromtimestamp(source.stat().st_mtime, UTC))
        except (OSError, ValueError):
            stamps.append(_STARTED)
    return max(stamps, default=_STARTED).isoformat(timespec="seconds")


async def list_services(request: Request, fmt: Format) -> Response:
    tenant, _settings, language = _query_jurisdiction(request)
    found = catalogue_of.services(tenant, _container(request).catalogue, language)
    return answer(fmt, "services", found)


async def service_definition(request: Request, fmt: Format) -> Response:
    tenant, _settings, language = _query_jurisdiction(request)
    code = request.path_params["service_code"]
    if code not in tenant.spec.categories:
        raise Open311Error(404, "unknown_service", value=code[:64])
    return answer(fmt, "service_definition", catalogue_of.definition(code, language))


async def _read_body(request: Request) -> tuple[list[tuple[str, str]], FormData | None]:
    """The body's fields, and the multipart form (its files) for the caller to close.

    The media type is checked here, not by the guards, so that its 415 is in the
    client's language like every other Open311 error."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("", "application/x-www-form-urlencoded", "multipart/form-data"):
        raise Open311Error(415, "bad_content_type")  # before reading any of it
    if kind == "multipart/form-data":
        try:
            form = await request.form(max_files=MAX_FIELDS, max_fields=MAX_FIELDS)
        except Exception:  # a malformed multipart body, in whatever way the parser found it
            # (one over GATEWAY_MAX_UPLOAD_BYTES too: the guard answers that one 413)
            raise Open311Error(400, "bad_body", value="multipart") from None
        pairs = [(k, v) for k, v in form.multi_items() if not isinstance(v, UploadFile)]
        return pairs, form
    body = await request.body()
    if not kind and body:
        raise Open311Error(415, "bad_content_type")
    try:
        pairs = parse_qsl(
            body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=MAX_FIELDS
        )
    except ValueError:
        raise Open311Error(400, "bad_body", value="form") from None
    return pairs, None


def _media_files(form: FormData | None) -> list[UploadFile]:
    """The files posted as ``media``; a file under any other name is a 400 naming it."""
    files = []
    for key, value in form.multi_items() if form is not None else ():
        if isinstance(value, UploadFile):
            if key != media.FIELD:
                raise invalid("no_files", key[:64])
            files.append(value)
    return files


async def post_request(request: Request, fmt: Format) -> Response:
    pairs, form = await _read_body(request)
    try:
        return await _post(request, fmt, pairs, form)
    finally:
        if form is not None:
            await form.close()  # the uploaded files' temporary files


async def _post(
    request: Request, fmt: Format, pairs: list[tuple[str, str]], form: FormData | None
) -> Response:
    submitted = read_form([*pairs, *parse_qsl(request.url.query, keep_blank_values=True)])
    tenant, settings = _jurisdiction(request, submitted.fields.get("jurisdiction_id"))
    language = language_of(request, settings.language)
    given_key = submitted.fields.get("api_key") or request.headers.get("x-api-key")
    if not same_secret(given_key, tenant.api_key.get_secret_value()):
        metrics.intake(tenant.id, CHANNEL, "unauthorized")
        raise Open311Error(403, "bad_api_key")
    container = _container(request)
    try:
        files = _media_files(form)
        if files:  # looked at, and kept, only once the key is right
            kept = await media.keep(files, container.settings)
            submitted = replace(submitted, media=tuple(kept))
        ref = source_ref(request.headers.get("idempotency-key"), submitted)
        draft = to_draft(submitted, tenant, settings, ref, datetime.now(UTC))
        draft = route(tenant, draft, container.catalogue)
    except Open311Error:
        metrics.intake(tenant.id, CHANNEL, "invalid")
        raise
    except GatewayError:
        metrics.intake(tenant.id, CHANNEL, "invalid")
        raise Open311Error(400, "bad_value", field="service_code") from None
    writer: IntakeWriter = request.app.state.intake
    result = await writer.record(IntakeItem(draft, _raw(submitted), "application/json"))
    metrics.intake(tenant.id, CHANNEL, "accepted" if result.created else "duplicate")
    log.info(
        "open311 request",
        tenant=tenant.id,
        service_code=draft.category,
        complaint_id=result.complaint_id,
        created=result.created,
    )
    notice = (
        text("notice_tracking", language, value=result.tracking_id)
        if result.tracking_id
        else text("notice_received", language)
    )
    posted = {
        "service_request_id": result.complaint_id,
        "token": external_ref_for(result.complaint_id),
        "service_notice": notice,
        "account_id": None,
    }
    return answer(fmt, "service_requests", [posted], status=201 if result.created else 200)


def _raw(submitted: Submitted) -> str:
    return json.dumps(submitted.record(), ensure_ascii=False)


async def list_requests(request: Request, fmt: Format) -> Response:
    tenant, settings, language = _query_jurisdiction(request)
    zone = ZoneInfo(settings.timezone)
    wanted = parse_filter(request.query_params, tenant.spec.categories, zone, datetime.now(UTC))
    container = _container(request)
    found = await asyncio.to_thread(find_requests, container.factory, tenant.id, wanted)
    views = [request_view(c, tenant, container.catalogue, zone, language) for c in found]
    return answer(fmt, "service_requests", views)


async def get_request(request: Request, fmt: Format) -> Response:
    tenant, settings, language = _query_jurisdiction(request)
    wanted = request.path_params["service_request_id"]
    container = _container(request)
    found = await asyncio.to_thread(
        lambda: find_one(container.factory, tenant.id, request_id=wanted)
    )
    if found is None:
        raise Open311Error(404, "unknown_request", value=wanted[:64])
    view = request_view(found, tenant, container.catalogue, ZoneInfo(settings.timezone), language)
    return answer(fmt, "service_requests", [view])


async def get_token(request: Request, fmt: Format) -> Response:
    tenant, _settings, _language = _query_jurisdiction(request)
    token = request.path_params["token"]
    container = _container(request)
    found = await asyncio.to_thread(lambda: find_one(container.factory, tenant.id, token=token))
    if found is None:
        raise Open311Error(404, "unknown_token", value=token[:64])
    body: list[dict[str, Any]] = [{"service_request_id": found.id, "token": found.external_ref}]
    return answer(fmt, "service_requests", body)
