"""The Telegram channel's webhook route and its place among the adapters."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from adapters.telegram import store
from adapters.telegram.bot import CHANNEL, check_channel
from adapters.telegram.reply import TelegramReplier
from adapters.telegram.service import TelegramChannel
from gateway.api.deps import same_secret
from gateway.api.responses import error_responses
from gateway.api.surface import parse_json
from gateway.channels import ChannelAdapter, Replayer
from gateway.domain.errors import ErrorKind, GatewayError, invalid

router = APIRouter(prefix="/channels/telegram", tags=["channels"])


class Stored(BaseModel):
    ok: bool
    duplicate: bool


UPDATE_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "description": "A Telegram Update (https://core.telegram.org/bots/api#update)",
                "properties": {"update_id": {"type": "integer", "minimum": 0}},
                "required": ["update_id"],
                "additionalProperties": True,
            },
            "example": {
                "update_id": 100001,
                "message": {
                    "message_id": 7,
                    "date": 1774000000,
                    "chat": {"id": 4242, "type": "private"},
                    "from": {"id": 4242, "is_bot": False, "first_name": "Rina"},
                    "text": "/start",
                },
            },
        }
    },
}


@router.post(
    "/{tenant}",
    response_model=Stored,
    responses={
        200: {"description": "Stored (or stored before): Telegram will not send it again"},
        **error_responses(
            s401="Missing or wrong X-Telegram-Bot-Api-Secret-Token",
            s404="No such tenant, or it takes Telegram by polling",
            s422="Not a Telegram update; `error.fields` names the field",
            s503="Database unavailable: Telegram retries",
        ),
    },
    openapi_extra={"requestBody": UPDATE_BODY},
)
async def telegram_webhook(
    request: Request,
    tenant: Annotated[str, Path(max_length=64)],
    secret: Annotated[
        str | None,
        Header(alias="X-Telegram-Bot-Api-Secret-Token", description="Set with setWebhook"),
    ] = None,
) -> JSONResponse:
    """Telegram's webhook for a tenant's bot: the update is stored before the 200."""
    telegram = TelegramChannel.of(request.app.state.container)
    tb = telegram.bots.get(tenant)
    if tb is None or tb.settings.mode != "webhook" or tb.webhook_secret is None:
        raise GatewayError(ErrorKind.NOT_FOUND, f"no telegram webhook for tenant {tenant[:64]!r}")
    if not same_secret(secret, tb.webhook_secret):
        raise GatewayError(
            ErrorKind.UNAUTHORIZED, "missing or wrong X-Telegram-Bot-Api-Secret-Token"
        )
    body = await request.body()
    try:
        update: Any = parse_json(body)
    except ValueError:
        raise invalid("body", "is not JSON") from None
    if not isinstance(update, dict):
        raise invalid("body", "must be a JSON object (a Telegram Update)")
    update_id = update.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool) or update_id < 0:
        raise invalid("update_id", "must be a non-negative integer")
    new = await telegram.accept(tb.id, update_id, body.decode("utf-8", errors="replace"))
    return JSONResponse({"ok": True, "duplicate": not new})


ADAPTER = ChannelAdapter(
    channel=CHANNEL,
    router=router,
    make_replier=lambda container: TelegramReplier(TelegramChannel.of(container)),
    check_channel=check_channel,
    make_service=TelegramChannel.of,
    replay=Replayer(
        store.replay, editable=False, after=lambda container: TelegramChannel.of(container).wake()
    ),
)
