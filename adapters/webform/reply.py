"""Back to the portal: each status change posted, signed, to its callback URL, and/or
written into its own table (``pull.status_column``), as the mapping says."""

from __future__ import annotations

import asyncio
import json
import time
from typing import TYPE_CHECKING, Any

import httpx
import structlog

from adapters.webform.settings import CHANNEL, PullSql, WebformSettings
from gateway.channels import kept
from gateway.domain.errors import ErrorKind, GatewayError
from gateway.ports import Notification
from gateway.replies import post_signed, status_payload
from gateway.storage import queries

if TYPE_CHECKING:
    from gateway.bootstrap import Container

log = structlog.get_logger("gateway.notify")


class WebformReplier:
    channel = CHANNEL

    def __init__(self, container: Container) -> None:
        self.container = container
        self._client: httpx.AsyncClient | None = None
        self._sources: dict[tuple[str, str], Any] = {}

    @classmethod
    def of(cls, container: Container) -> WebformReplier:
        return kept(container, CHANNEL, lambda: cls(container))

    async def send(self, notification: Notification) -> None:
        complaint = await asyncio.to_thread(
            queries.complaint, self.container.factory, notification.complaint_id
        )
        if complaint is None:
            raise GatewayError(ErrorKind.PERMANENT, "the complaint does not exist")
        tenant = self.container.tenants.get(notification.tenant)
        if tenant is None:
            raise GatewayError(ErrorKind.PERMANENT, f"unknown tenant {notification.tenant}")
        tracking = notification.tracking_id or complaint.tracking_id
        told = False
        retry: GatewayError | None = None
        # a portal's forms share its numbering (a submission pushed, then pulled, is one
        # complaint): every form of the tenant that can be told is told
        for form in _forms(tenant):
            settings = WebformSettings.model_validate(form.settings)
            if isinstance(settings.pull, PullSql) and settings.pull.status_column:
                try:
                    await asyncio.to_thread(
                        self._write_back,
                        tenant,
                        form.id,
                        settings.pull,
                        complaint.source_ref,
                        notification.status,
                        tracking,
                    )
                except GatewayError as exc:
                    if exc.should_retry:
                        retry = exc
                    else:  # a mapping mistake (no such table): the callback still goes
                        log.error(
                            "web-form write-back refused",
                            tenant=tenant.id,
                            form=form.id,
                            error=exc.message,
                        )
                told = True
            if settings.callback_url:
                await self._callback(tenant, settings, complaint, notification, tracking)
                told = True
        if retry is not None:
            raise retry  # the portal's database was away: the job tries again
        if not told:
            log.info("web-form notification: no callback or write-back", complaint_id=complaint.id)

    def _write_back(
        self,
        tenant: Any,
        channel_id: str,
        spec: PullSql,
        key: str,
        status: str,
        tracking: str | None,
    ) -> None:
        from adapters.webform.pull import SqlSource

        source = self._sources.get((tenant.id, channel_id))
        if source is None:
            url = tenant.secrets[spec.database_secret].get_secret_value()
            source = self._sources[(tenant.id, channel_id)] = SqlSource(url, spec)
        source.write_back(key, status, tracking)  # raises GatewayError, retryable or not

    async def _callback(
        self,
        tenant: Any,
        settings: WebformSettings,
        complaint: Any,
        notification: Notification,
        tracking: str | None,
    ) -> None:
        from adapters.webform.adapter import signature

        payload = status_payload(notification, complaint, settings.language, ref_key="submission")
        body = json.dumps(payload, ensure_ascii=False).encode()
        stamp = str(int(time.time()))
        secret = tenant.secrets["webhook_secret"].get_secret_value()
        headers = {
            settings.timestamp_header: stamp,
            settings.signature_header: "sha256=" + signature(secret, stamp, body),
        }
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=10)
        assert settings.callback_url is not None
        await post_signed(self._client, settings.callback_url, body, headers, "portal callback")

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
        for source in self._sources.values():
            source.close()
        self._sources.clear()


def _forms(tenant: Any) -> list[Any]:
    return [c for c in tenant.spec.channels if c.type == CHANNEL and c.enabled]
