"""The web-form channel's routes: signed pushes from portals, and a status they can embed.

``POST /channels/webform/{tenant}/{form}``: JSON, form-encoded or multipart, with the
form's own field names (the mapping's ``fields``). Authenticated by
``<signature_header>: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`` with
``<timestamp_header>: <unix seconds>`` (older or newer than ``max_skew_seconds`` is a
replay: 401), or the secret in ``X-API-Key`` when the mapping says ``auth: api_key``.
Attachments: URLs (fetched) or files (multipart), within the size and type limits.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import html
import json
import time
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

import httpx
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.datastructures import UploadFile

from adapters.webform.longtext import TextStore, attach, fit
from adapters.webform.replay import personal_columns, replay
from adapters.webform.reply import WebformReplier
from adapters.webform.schema import FORM_BODY, STATUS_ANSWERS, SUBMIT_ANSWERS, SubmissionStatus
from adapters.webform.service import PullService
from adapters.webform.settings import CHANNEL, WebformSettings, check_channel
from gateway import attachments, metrics
from gateway.api.deps import same_secret
from gateway.api.surface import FORM, MULTIPART, parse_json
from gateway.api.views import track_view
from gateway.channels import ChannelAdapter, Replayer
from gateway.domain.complaint import Attachment
from gateway.domain.errors import ErrorKind, FieldError, GatewayError, invalid
from gateway.fieldmap import FieldMapping, RecordError
from gateway.storage import queries
from gateway.storage.group_commit import IntakeWriter
from gateway.storage.intake import IntakeItem
from gateway.tenants import Tenant

router = APIRouter(prefix="/channels/webform", tags=["channels"])


def form_mapping(request: Request, tenant: str, form: str) -> FieldMapping:
    container = request.app.state.container
    found: Tenant | None = container.tenants.get(tenant)
    channel = None
    if found is not None:
        channel = next(
            (c for c in found.spec.channels if c.type == CHANNEL and c.id == form and c.enabled),
            None,
        )
    if found is None or channel is None:
        raise GatewayError(
            ErrorKind.NOT_FOUND, f"no web form {form[:32]!r} for tenant {tenant[:64]!r}"
        )
    settings = WebformSettings.model_validate(channel.settings)
    return FieldMapping(found, CHANNEL, channel.id, channel.fields, settings, container.catalogue)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def status_token(secret: str, tenant: str, form: str, submission: str) -> str:
    """The token of a submission's public status page: 128 bits nobody without the
    form's secret can compute, the same for the same submission every time."""
    message = f"status\0{tenant}\0{form}\0{submission}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def _status_secret(mapping: FieldMapping) -> str:
    return mapping.tenant.secrets["webhook_secret"].get_secret_value()


def _authenticate(request: Request, mapping: FieldMapping, body: bytes) -> None:
    settings: WebformSettings = mapping.settings
    secret = mapping.tenant.secrets["webhook_secret"].get_secret_value()
    if settings.auth == "api_key":
        given = request.headers.get("x-api-key", "")
        if not same_secret(given, secret):
            raise GatewayError(ErrorKind.UNAUTHORIZED, "missing or wrong X-API-Key")
        return
    stamp = request.headers.get(settings.timestamp_header, "")
    given = request.headers.get(settings.signature_header, "").removeprefix("sha256=")
    if not stamp or not given:
        raise GatewayError(
            ErrorKind.UNAUTHORIZED,
            f"missing {settings.signature_header} or {settings.timestamp_header}",
        )
    expected = signature(secret, stamp, body)
    if not same_secret(given.lower(), expected):
        raise GatewayError(ErrorKind.UNAUTHORIZED, f"wrong {settings.signature_header}")
    try:
        age = abs(time.time() - float(stamp))
    except ValueError:
        raise GatewayError(
            ErrorKind.UNAUTHORIZED, f"{settings.timestamp_header} is not a unix time"
        ) from None
    if age > settings.max_skew_seconds:
        raise GatewayError(
            ErrorKind.UNAUTHORIZED,
            f"{settings.timestamp_header} is {age:.0f} s away from now "
            f"(more than {settings.max_skew_seconds} s: a replay?)",
        )


@router.post("/{tenant}/{form}", responses=SUBMIT_ANSWERS, openapi_extra={"requestBody": FORM_BODY})
async def submit_form(
    request: Request,
    tenant: Annotated[str, Path(max_length=64)],
    form: Annotated[str, Path(max_length=32)],
) -> JSONResponse:
    """A portal's submission; answers 202 once stored, 200 for one stored before."""
    mapping = form_mapping(request, tenant, form)
    settings: WebformSettings = mapping.settings
    body = await request.body()
    _authenticate(request, mapping, body)
    # the media type is one of the three: gateway.api.middleware refused any other (415)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    files: list[UploadFile] = []
    parsed = None
    if kind == FORM:
        values = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    elif kind == MULTIPART:
        parsed = await request.form(max_files=settings.max_attachments, max_fields=200)
        values = {}
        for key, value in parsed.multi_items():
            if isinstance(value, UploadFile):
                files.append(value)
            else:
                values[key] = value
    else:
        try:
            values = parse_json(body)
        except ValueError:
            raise invalid("body", "is not JSON") from None
        if not isinstance(values, dict):
            raise invalid("body", "must be a JSON object (the form's fields)")
    try:
        kept = await _attachments(request, mapping, values, files)
    finally:
        if parsed is not None:
            await parsed.close()  # the uploaded files' temporary files
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    config = request.app.state.container.settings
    texts = TextStore(config.attachments_dir, config.public_url)
    fitted, whole_text = await asyncio.to_thread(fit, mapping, values, texts)
    try:
        draft = mapping.draft(fitted, today)
    except RecordError as exc:
        raise invalid(exc.column, exc.reason) from None
    if kept:
        draft = draft.model_copy(update={"attachments": [Attachment(**a) for a in kept]})
    draft = attach(draft, whole_text)  # a text longer than the registry takes: cut, kept
    raw = json.dumps({**values, "_attachments": kept}, ensure_ascii=False, default=str)
    writer: IntakeWriter = request.app.state.intake
    result = await writer.record(IntakeItem(draft, raw, "application/json"))
    metrics.intake(mapping.tenant.id, CHANNEL, "accepted" if result.created else "duplicate")
    tenant_id, form_id = mapping.tenant.id, mapping.channel_id
    token = status_token(_status_secret(mapping), tenant_id, form_id, draft.source_ref)
    status_url = f"/channels/webform/{tenant_id}/{form_id}/status/{draft.source_ref}?token={token}"
    return JSONResponse(
        {
            "id": result.complaint_id,
            "submission": draft.source_ref,
            "status": result.status,
            "tracking_id": result.tracking_id,
            "duplicate": not result.created,
            "status_url": status_url,
        },
        status_code=202 if result.created else 200,
    )


async def _attachments(
    request: Request, mapping: FieldMapping, values: dict[str, Any], files: list[UploadFile]
) -> list[dict[str, Any]]:
    """Files posted, or URLs given, checked (size, real type) and kept."""
    settings: WebformSettings = mapping.settings
    container = request.app.state.container
    field = settings.attachments_field
    found: list[tuple[str, bytes, str | None]] = []  # (where, data, filename)
    for index, upload in enumerate(files):
        data = await upload.read(settings.max_attachment_bytes + 1)
        found.append((f"{field}[{index}]", data, upload.filename))
    urls = values.pop(field, None)
    if isinstance(urls, str) and urls:
        urls = [u for u in urls.split() if u]
    if urls:
        if not isinstance(urls, list) or len(urls) + len(files) > settings.max_attachments:
            raise invalid(
                field, f"at most {settings.max_attachments} attachments, as a list of URLs"
            )
        for index, url in enumerate(urls):
            where = f"{field}[{index}]"
            found.append(
                (where, await _fetch(str(url), where, settings.max_attachment_bytes), None)
            )
    kept = []
    for where, data, filename in found:
        if len(data) > settings.max_attachment_bytes:
            raise GatewayError(
                ErrorKind.TOO_LARGE,
                f"{where} is larger than {settings.max_attachment_bytes} bytes",
                [FieldError(where, "too large")],
            )
        kind = attachments.sniff(data)
        if kind is None or kind not in settings.allowed_types:
            raise GatewayError(
                ErrorKind.UNSUPPORTED_MEDIA,
                f"{where} is not one of {', '.join(settings.allowed_types)}",
                [FieldError(where, "type not allowed")],
            )
        kept.append(
            await asyncio.to_thread(
                attachments.store,
                container.settings.attachments_dir,
                data,
                kind,
                filename=filename,
                public_url=container.settings.public_url,
            )
        )
    return kept


async def _fetch(url: str, where: str, limit: int) -> bytes:
    if not url.startswith(("http://", "https://")):
        raise invalid(where, "must be an http(s) URL")
    try:
        async with (
            httpx.AsyncClient(timeout=10, follow_redirects=True) as client,
            client.stream("GET", url) as answer,
        ):
            if answer.status_code != 200:
                raise invalid(where, f"could not be fetched (HTTP {answer.status_code})")
            data = b""
            async for chunk in answer.aiter_bytes():
                data += chunk
                if len(data) > limit:
                    break
            return data
    except httpx.HTTPError as exc:
        raise invalid(where, f"could not be fetched ({type(exc).__name__})") from None


@router.get(
    "/{tenant}/{form}/status/{submission}",
    tags=["public"],
    response_model=SubmissionStatus,
    responses=STATUS_ANSWERS,
)
async def submission_status(
    request: Request,
    tenant: Annotated[str, Path(max_length=64)],
    form: Annotated[str, Path(max_length=32)],
    submission: Annotated[str, Path(max_length=200)],
    format: Annotated[str, Query(pattern="^(json|html)$")] = "json",
    token: Annotated[
        str | None, Query(max_length=64, description="the token of the push's status_url")
    ] = None,
) -> Any:
    """A submission's national status, for the portal to embed (no content, no reporter,
    no response when the complaint is confidential). With the form's
    ``status_token_required``, only with the token its ``status_url`` carries; a wrong
    token is 404."""
    mapping = form_mapping(request, tenant, form)
    settings: WebformSettings = mapping.settings
    if token is not None or settings.status_token_required:
        expected = status_token(
            _status_secret(mapping), mapping.tenant.id, mapping.channel_id, submission
        )
        if not same_secret(token or "", expected):
            raise GatewayError(ErrorKind.NOT_FOUND, f"no submission {submission[:64]!r}")
    factory = request.app.state.container.factory
    found = await asyncio.to_thread(
        queries.by_source, factory, mapping.tenant.id, CHANNEL, submission
    )
    if found is None:
        raise GatewayError(ErrorKind.NOT_FOUND, f"no submission {submission[:64]!r}")
    complaint, events = found
    view = {
        "submission": submission,
        "tracking_id": complaint.tracking_id,
        "status": complaint.status,
        "agency": complaint.agency_name,
        "response": None if complaint.confidential else complaint.last_response,
        "verify_due": complaint.verify_due.isoformat() if complaint.verify_due else None,
        "follow_up_due": complaint.follow_up_due.isoformat() if complaint.follow_up_due else None,
        "history": track_view(complaint, events).model_dump(mode="json")["history"]
        if complaint.tracking_id
        else [],
    }
    cors = {"Access-Control-Allow-Origin": "*", "Cache-Control": "max-age=30"}
    if format == "html":
        from gateway.domain.status import status_words

        e = html.escape
        rows = "".join(
            f"<tr><th>{e(k)}</th><td>{e(str(v or '-'))}</td></tr>"
            for k, v in (
                ("Nomor SP4N-LAPOR!", view["tracking_id"]),
                ("Status", status_words(complaint.status, mapping.settings.language)),
                ("Instansi", view["agency"]),
                ("Tanggapan", view["response"]),
                ("Batas tindak lanjut", view["follow_up_due"]),
            )
        )
        return HTMLResponse(f'<table class="lapor-status">{rows}</table>', headers=cors)
    return JSONResponse(view, headers=cors)


ADAPTER = ChannelAdapter(
    channel=CHANNEL,
    router=router,
    make_replier=WebformReplier.of,
    check_channel=check_channel,
    make_service=PullService,
    replay=Replayer(replay, personal=personal_columns),
)
