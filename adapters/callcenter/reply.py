"""Back to the call centre: each status change posted, signed, to its system's URL.

The body is JSON (ticket, tracking ID, status, agency, response, due dates); the
header ``X-Lapor-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`` is
keyed by ``secrets.callcenter_callback_secret``. Anything but a 2xx is retried by the
notify job (back-off, then ``failed`` for an operator to replay).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from typing import TYPE_CHECKING

import httpx
import structlog

from adapters.callcenter.settings import CHANNEL, CallcenterSettings
from gateway.channels import kept
from gateway.domain.errors import ErrorKind, GatewayError
from gateway.ports import Notification
from gateway.replies import post_signed, status_payload
from gateway.storage import queries

if TYPE_CHECKING:
    from gateway.bootstrap import Container

log = structlog.get_logger("gateway.notify")


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


class CallbackReplier:
    channel = CHANNEL

    def __init__(self, container: Container) -> None:
        self.container = container
        self._client: httpx.AsyncClient | None = None

    @classmethod
    def of(cls, container: Container) -> CallbackReplier:
        """The container's replier (closed with it)."""
        return kept(container, CHANNEL, lambda: cls(container))

    async def send(self, notification: Notification) -> None:
        tenant = self.container.tenants.get(notification.tenant)
        channel = next(
            (c for c in (tenant.spec.channels if tenant else []) if c.type == CHANNEL), None
        )
        if tenant is None or channel is None:
            raise GatewayError(
                ErrorKind.PERMANENT, f"tenant {notification.tenant} has no call centre"
            )
        settings = CallcenterSettings.model_validate(channel.settings)
        if not settings.callback_url:
            log.info(
                "call-centre notification: no callback_url",
                complaint_id=notification.complaint_id,
                status=notification.status,
            )
            return
        complaint = await asyncio.to_thread(
            queries.complaint, self.container.factory, notification.complaint_id
        )
        if complaint is None:
            raise GatewayError(ErrorKind.PERMANENT, "the complaint does not exist")
        payload = status_payload(notification, complaint, settings.language, ref_key="ticket")
        body = json.dumps(payload, ensure_ascii=False).encode()
        secret = tenant.secrets["callcenter_callback_secret"].get_secret_value()
        headers = {"X-Lapor-Signature": signature(secret, int(time.time()), body)}
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=10)
        await post_signed(
            self._client, settings.callback_url, body, headers, "call-centre callback"
        )

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
