"""The pull side at work: every web form with ``settings.pull`` is read every
``poll_seconds`` in the serving process (:func:`adapters.webform.pull.pull_once`)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import structlog

from adapters.webform.longtext import TextStore
from adapters.webform.pull import SqlSource, pull_once, source_for
from adapters.webform.refusals import tell_refusals
from adapters.webform.settings import CHANNEL, WebformSettings
from gateway.domain.errors import GatewayError
from gateway.fieldmap import FieldMapping

if TYPE_CHECKING:
    from gateway.bootstrap import Container

log = structlog.get_logger("gateway.webform")


def pull_mappings(container: Container) -> list[FieldMapping]:
    """The mapping of every enabled web form that is pulled (``settings.pull``)."""
    found = []
    for tenant in container.tenants.values():
        for channel in tenant.spec.channels:
            if channel.type != CHANNEL or not channel.enabled:
                continue
            settings = WebformSettings.model_validate(channel.settings)
            if settings.pull is not None:
                found.append(
                    FieldMapping(
                        tenant, CHANNEL, channel.id, channel.fields, settings, container.catalogue
                    )
                )
    return found


class PullService:
    def __init__(self, container: Container) -> None:
        self.container = container
        self._tasks: list[asyncio.Task[None]] = []

    def mappings(self) -> list[FieldMapping]:
        return pull_mappings(self.container)

    async def start(self) -> None:
        for mapping in self.mappings():
            name = f"pull-{mapping.tenant.id}-{mapping.channel_id}"
            self._tasks.append(asyncio.create_task(self._poll(mapping), name=name))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()

    async def _poll(self, mapping: FieldMapping) -> None:
        settings: WebformSettings = mapping.settings
        source: Any = None
        pause = settings.poll_seconds
        config = self.container.settings
        texts = TextStore(config.attachments_dir, config.public_url)
        since = datetime.now(UTC) - timedelta(days=1)  # refusals before a restart too
        while True:
            try:
                if source is None:
                    source = await asyncio.to_thread(source_for, mapping.tenant, settings)
                today = datetime.now(ZoneInfo(settings.timezone)).date()
                await asyncio.to_thread(
                    pull_once, self.container.factory, mapping, source, today, texts=texts
                )
                if isinstance(source, SqlSource):
                    _, since = await asyncio.to_thread(
                        tell_refusals, self.container.factory, mapping, source, since
                    )
                pause = settings.poll_seconds
            except asyncio.CancelledError:
                if source is not None:
                    source.close()
                raise
            except GatewayError as exc:
                log.warning(
                    "web-form pull failed; retrying",
                    tenant=mapping.tenant.id,
                    form=mapping.channel_id,
                    error=exc.message,
                )
                pause = min(max(pause * 2, 5.0), 600.0)
            except Exception as exc:  # the gateway's database is away, or a bug: keep polling
                log.warning(
                    "web-form pull failed; retrying",
                    tenant=mapping.tenant.id,
                    form=mapping.channel_id,
                    error=type(exc).__name__,
                )
                pause = min(max(pause * 2, 5.0), 600.0)
            await asyncio.sleep(pause)
