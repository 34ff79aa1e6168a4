"""The WhatsApp channel's webhook routes and its place among the adapters.

``GET /channels/whatsapp/{tenant}`` answers Meta's verification of the callback URL;
``POST`` takes a delivery: the ``X-Hub-Signature-256`` is checked on the raw body
before anything is parsed, then every new message is stored raw (and each status
recorded) before the 200. What the messages say is for the chat engine, which takes
them from the store (:func:`adapters.whatsapp.store.pending`).
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel

from adapters.whatsapp import signature, store
from adapters.whatsapp.account import CHANNEL, WhatsAppAccount, check_channel
from adapters.whatsapp.events import parse_delivery
from adapters.whatsapp.service import WhatsAppChannel
from gateway.api.deps import same_secret
from gateway.api.responses import error_responses
from gateway.api.surface import parse_json
from gateway.channels import ChannelAdapter
from gateway.domain.errors import ErrorKind, GatewayError, invalid

log = structlog.get_logger(__name__)
router = APIRouter(prefix="/channels/whatsapp", tags=["channels"])


class Stored(BaseModel):
    ok: bool
    new: int
    duplicate: int


DELIVERY_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "description": "A WhatsApp Cloud API webhook delivery "
                "(https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components)",
                "properties": {
                    "object": {"type": "string", "enum": ["whatsapp_business_account"]},
                    "entry": {"type": "array", "items": {"type": "object"}},
                },
                "required": ["object", "entry"],
                "additionalProperties": True,
            }
        }
    },
}


def _account(request: Request, tenant: str) -> WhatsAppAccount:
    account = WhatsAppChannel.of(request.app.state.container).accounts.get(tenant)
    if account is None:
        raise GatewayError(ErrorKind.NOT_FOUND, f"no whatsapp channel for tenant {tenant[:64]!r}")
    return account


@router.get(
    "/{tenant}",
    response_class=PlainTextResponse,
    responses={
        200: {"description": "The challenge, as text", "content": {"text/plain": {}}},
        403: {"description": "Not a subscription, or the wrong verify token"},
        **error_responses(s404="No such tenant, or it has no WhatsApp channel"),
    },
)
async def whatsapp_verify(
    request: Request,
    tenant: Annotated[str, Path(max_length=64)],
    mode: Annotated[str | None, Query(alias="hub.mode", max_length=32)] = None,
    token: Annotated[str | None, Query(alias="hub.verify_token", max_length=256)] = None,
    challenge: Annotated[str | None, Query(alias="hub.challenge", max_length=256)] = None,
) -> PlainTextResponse:
    """Meta's verification of the callback URL: the challenge back when the verify
    token is the tenant's."""
    account = _account(request, tenant)
    if mode == "subscribe" and challenge and same_secret(token, account.verify_token):
        return PlainTextResponse(challenge)
    return PlainTextResponse(
        "verification refused: hub.mode must be subscribe and hub.verify_token the "
        "tenant's verify token",
        status_code=403,
    )


@router.post(
    "/{tenant}",
    response_model=Stored,
    responses={
        200: {"description": "Stored (or stored before): Meta will not deliver it again"},
        **error_responses(
            s401="Missing or wrong X-Hub-Signature-256",
            s404="No such tenant, or it has no WhatsApp channel",
            s422="Not a WhatsApp webhook delivery",
            s503="Database unavailable: Meta delivers it again",
        ),
    },
    openapi_extra={"requestBody": DELIVERY_BODY},
)
async def whatsapp_webhook(
    request: Request,
    tenant: Annotated[str, Path(max_length=64)],
    signed: Annotated[
        str | None,
        Header(alias=signature.HEADER, description="sha256=HMAC-SHA256 of the body, app secret"),
    ] = None,
) -> JSONResponse:
    """The tenant's number's webhook: its messages are stored before the 200."""
    account = _account(request, tenant)
    body = await request.body()
    if not signature.valid(body, signed, account.app_secret):
        raise GatewayError(ErrorKind.UNAUTHORIZED, f"missing or wrong {signature.HEADER}")
    try:
        data: Any = parse_json(body)
    except ValueError:
        raise invalid("body", "is not JSON") from None
    if not isinstance(data, dict) or data.get("object") != "whatsapp_business_account":
        raise invalid("object", "must be whatsapp_business_account")
    delivery = parse_delivery(data, account.phone_number_id)
    factory = request.app.state.container.factory
    stored = await asyncio.to_thread(store.store_delivery, factory, tenant, delivery)
    log.info(
        "whatsapp delivery stored",
        tenant=tenant,
        new=stored.new,
        duplicate=stored.duplicate,
        statuses=len(delivery.statuses),
        moved=stored.statuses,
        skipped=delivery.skipped,
        other_numbers=delivery.foreign,
    )
    return JSONResponse({"ok": True, "new": stored.new, "duplicate": stored.duplicate})


ADAPTER = ChannelAdapter(channel=CHANNEL, router=router, check_channel=check_channel)
