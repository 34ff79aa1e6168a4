"""The SMS channel's routes: Kannel's get-url and delivery reports, HTTP aggregators."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel

from adapters.sms.reply import SmsReplier
from adapters.sms.service import IncomingSms, SmsChannel, SmsLine
from adapters.sms.settings import CHANNEL, check_channel
from adapters.sms.transports import record_dlr
from gateway.api.deps import same_secret
from gateway.api.responses import error_responses
from gateway.api.surface import FORM, JSON, parse_json
from gateway.channels import ChannelAdapter
from gateway.domain.errors import ErrorKind, FieldError, GatewayError

router = APIRouter(prefix="/channels/sms", tags=["channels"])

ERRORS: dict[int | str, dict[str, Any]] = error_responses(
    s401="Missing or wrong key or signature",
    s404="No such tenant, or it has no SMS number on this gateway",
    s422="A field is missing or wrong; `error.fields` names it",
    s503="Database unavailable: the SMS gateway retries",
)


def _query(*names: str) -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
        for name in names
    ]


#: Kannel's get-url escapes (README): in the query, or form-encoded in a POST body
KANNEL_FIELDS = ("key", "from", "to", "text", "id", "ts", "smsc", "coding", "charset")
_ANY_FIELDS = {"type": "object", "additionalProperties": True}
KANNEL_POST = {
    "parameters": _query(*KANNEL_FIELDS),
    "requestBody": {
        "required": False,
        "content": {
            FORM: {"schema": {"type": "object", "additionalProperties": {"type": "string"}}}
        },
    },
}
#: sulbar's aggregator; another's field names are its mapping's
_SMS = {"msgid": "AGG-IN-77", "msisdn": "6285211112222", "message": "lapor jalan rusak parah"}
AGGREGATOR_BODY = {
    "required": True,
    "content": {
        FORM: {"schema": _ANY_FIELDS, "example": _SMS},
        JSON: {"schema": _ANY_FIELDS, "example": _SMS},
    },
}


class Received(BaseModel):
    ok: bool
    duplicate: bool


def _line(request: Request, tenant: str, gateway: str) -> SmsLine:
    line = SmsChannel.of(request.app.state.container).lines.get(tenant)
    if line is None or line.settings.gateway != gateway:
        raise GatewayError(
            ErrorKind.NOT_FOUND, f"no {gateway} SMS number for tenant {tenant[:64]!r}"
        )
    return line


def _missing(*names: str) -> GatewayError:
    fields = [FieldError(name, "is required") for name in names]
    return GatewayError(ErrorKind.INVALID_INPUT, f"invalid fields: {', '.join(names)}", fields)


@router.get(
    "/kannel/{tenant}",
    response_class=PlainTextResponse,
    responses=ERRORS,
    operation_id="kannel_sms_get",
    openapi_extra={"parameters": _query(*KANNEL_FIELDS)},
)
@router.post(
    "/kannel/{tenant}",
    response_class=PlainTextResponse,
    responses=ERRORS,
    operation_id="kannel_sms_post",
    openapi_extra=KANNEL_POST,
)
async def kannel_sms(request: Request, tenant: Annotated[str, Path(max_length=64)]) -> Response:
    """Kannel's sms-service get-url (``...?key=K&from=%p&to=%P&text=%a&id=%I&ts=%t&smsc=%i``).

    Answers an empty 200 once the SMS is stored (set ``omit-empty = true`` so Kannel
    sends no reply of its own); replies go out through sendsms."""
    line = _line(request, tenant, "kannel")
    params = dict(request.query_params)
    if request.method == "POST" and not params.get("text"):
        params.update(parse_qsl((await request.body()).decode("utf-8", "replace")))
    if not same_secret(params.get("key"), line.tenant.secrets["kannel_key"].get_secret_value()):
        raise GatewayError(ErrorKind.UNAUTHORIZED, "missing or wrong key")
    missing = [name for name in ("from", "id") if not params.get(name)]
    if "text" not in params:
        missing.append("text")
    if missing:
        raise _missing(*missing)
    raw = {k: v for k, v in params.items() if k != "key"}
    sms = IncomingSms(f"kannel:{params['id'][:150]}", params["from"], params["text"], raw)
    await SmsChannel.of(request.app.state.container).receive(line, sms)
    return Response(status_code=200, media_type="text/plain")


@router.get(
    "/kannel/{tenant}/dlr",
    response_class=PlainTextResponse,
    responses=ERRORS,
    openapi_extra={"parameters": _query("key", "out", "status")},
)
async def kannel_dlr(request: Request, tenant: Annotated[str, Path(max_length=64)]) -> Response:
    """Kannel's delivery report for a reply (the dlr-url the gateway gave with it)."""
    line = _line(request, tenant, "kannel")
    params = request.query_params
    if not same_secret(params.get("key"), line.tenant.secrets["kannel_key"].get_secret_value()):
        raise GatewayError(ErrorKind.UNAUTHORIZED, "missing or wrong key")
    out, status = params.get("out"), params.get("status", "")
    if not out or not status.isdigit():
        raise _missing("out", "status")
    sms = SmsChannel.of(request.app.state.container)
    if not await asyncio.to_thread(record_dlr, sms, line.id, out, int(status)):
        raise GatewayError(ErrorKind.NOT_FOUND, "no such SMS")
    return Response(status_code=200, media_type="text/plain")


@router.post(
    "/http/{tenant}",
    response_model=Received,
    responses=ERRORS,
    openapi_extra={"requestBody": AGGREGATOR_BODY},
)
async def aggregator_sms(
    request: Request, tenant: Annotated[str, Path(max_length=64)]
) -> JSONResponse:
    """An HTTP SMS aggregator's inbound SMS, form-encoded or JSON, with the field names of
    the tenant's mapping (``fields``: ``source_ref``, ``reporter.phone``, ``content``);
    signed (HMAC-SHA256 of the body in the configured header) or with ``X-API-Key``."""
    line = _line(request, tenant, "http")
    body = await request.body()
    secret = line.tenant.secrets["sms_http_secret"].get_secret_value()
    header = line.settings.signature_header
    if header:
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        if not same_secret(request.headers.get(header, "").lower(), expected):
            raise GatewayError(ErrorKind.UNAUTHORIZED, f"missing or wrong {header}")
    elif not same_secret(request.headers.get("x-api-key"), secret):
        raise GatewayError(ErrorKind.UNAUTHORIZED, "missing or wrong X-API-Key")
    data = _fields(request.headers.get("content-type", ""), body)
    names = _names(request, line)
    missing = [names[k] for k in ("source_ref", "reporter.phone") if not data.get(names[k])]
    if names["content"] not in data:
        missing.append(names["content"])
    if missing:
        raise _missing(*missing)
    sms = IncomingSms(
        f"http:{str(data[names['source_ref']])[:150]}",
        str(data[names["reporter.phone"]]),
        str(data[names["content"]]),
        data,
    )
    received = await SmsChannel.of(request.app.state.container).receive(line, sms)
    return JSONResponse({"ok": True, "duplicate": received.duplicate})


def _names(request: Request, line: SmsLine) -> dict[str, str]:
    for channel in line.tenant.spec.channels:
        if channel.id == line.channel_id:
            mapped = channel.fields
            break
    else:
        mapped = {}
    return {
        "source_ref": mapped.get("source_ref", "id"),
        "reporter.phone": mapped.get("reporter.phone", "from"),
        "content": mapped.get("content", "text"),
    }


def _fields(content_type: str, body: bytes) -> dict[str, Any]:
    text = body.decode("utf-8", "replace")
    if content_type.startswith("application/json"):
        try:
            data = parse_json(text)
        except ValueError:
            raise GatewayError(
                ErrorKind.INVALID_INPUT, "invalid fields: body", [FieldError("body", "is not JSON")]
            ) from None
        if not isinstance(data, dict):
            raise GatewayError(
                ErrorKind.INVALID_INPUT,
                "invalid fields: body",
                [FieldError("body", "must be an object")],
            )
        return data
    return dict(parse_qsl(text, keep_blank_values=True))


ADAPTER = ChannelAdapter(
    channel=CHANNEL,
    router=router,
    make_replier=lambda container: SmsReplier(SmsChannel.of(container)),
    check_channel=check_channel,
    make_service=SmsChannel.of,
)
