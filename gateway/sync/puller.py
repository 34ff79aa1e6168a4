"""The status puller: follows each tenant's national change feed from a stored cursor.

A page of events and the cursor after it commit in one transaction, so a crash
replays at most the page it was applying, and replayed events change nothing. A topic
or agency the national verification changed is taken locally and kept as a correction
(:mod:`gateway.storage.corrections`) in that transaction too.

A tick reads a tenant's feed until a page comes back shorter than ``page_size``
(that page reached the end of the feed), so a sweep costs
``floor(changes / page_size) + 1`` requests, and never asks again for a feed it
has just read to its end. Its requests take tokens from the tenant's bucket,
the same one the dispatcher's requests take from (:class:`TenantLimits`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import structlog
from sqlalchemy.orm import Session, sessionmaker

from gateway.domain.errors import GatewayError
from gateway.domain.sla import HolidayCalendar, SlaPolicy
from gateway.ports import ChangesPage, NationalRegistry, RegistryFactory
from gateway.storage import corrections
from gateway.storage.complaints import apply_change, lock_for, redundant
from gateway.storage.engine import transaction
from gateway.storage.intake import utcnow
from gateway.storage.models import FeedCursor
from gateway.sync.limits import TenantLimits, ThrottledRegistry

log = structlog.get_logger("gateway.puller")


@dataclass
class PullStats:
    pages: int = 0
    events: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    #: per tenant, events applied this run and the national time of the newest one
    events_by_tenant: dict[str, int] = field(default_factory=dict)
    newest_at: dict[str, datetime] = field(default_factory=dict)
    #: tenants whose feed was read to its end this run (lag 0 when nothing is newer)
    caught_up: set[str] = field(default_factory=set)
    #: per tenant, complaints whose topic or agency the national verification changed
    corrections: dict[str, int] = field(default_factory=dict)


class StatusPuller:
    def __init__(
        self,
        factory: sessionmaker[Session],
        registries: RegistryFactory,
        tenants: Iterable[str],
        *,
        calendar: HolidayCalendar,
        sla: SlaPolicy | None = None,
        page_size: int = 200,
        max_pages: int = 50,
        limits: TenantLimits | None = None,
    ) -> None:
        self.factory = factory
        self.registries = registries
        self.tenants = list(tenants)
        self.calendar = calendar
        self.sla = sla or SlaPolicy()
        self.page_size = page_size
        self.max_pages = max_pages
        self.limits = limits

    async def run_once(self) -> PullStats:
        stats = PullStats()
        for tenant in self.tenants:
            try:
                await self.pull_tenant(tenant, stats)
            except GatewayError as error:
                stats.errors[tenant] = str(error)
                log.warning("change feed pull failed", tenant=tenant, error=str(error))
        return stats

    async def pull_tenant(self, tenant: str, stats: PullStats) -> None:
        registry: NationalRegistry = self.registries.for_tenant(tenant)
        if self.limits is not None:
            registry = ThrottledRegistry(registry, self.limits.bucket(tenant))
        for _ in range(self.max_pages):
            cursor = await asyncio.to_thread(self._cursor, tenant)
            page = await registry.changes(cursor, self.page_size)
            stats.pages += 1
            if page.events or (page.next_cursor and page.next_cursor != cursor):
                applied = await asyncio.to_thread(self._apply, tenant, cursor, page, stats)
            else:
                applied = True
            if len(page.events) < self.page_size:
                stats.caught_up.add(tenant)  # the end of the feed: the next tick goes on
                return
            if not applied or page.next_cursor in (None, cursor):
                return

    def _cursor(self, tenant: str) -> str | None:
        with self.factory() as session:
            row = session.get(FeedCursor, tenant)
            return row.cursor if row else None

    def _apply(
        self, tenant: str, expected: str | None, page: ChangesPage, stats: PullStats
    ) -> bool:
        with transaction(self.factory) as session:
            row = session.get(FeedCursor, tenant, with_for_update=True)
            if row is None:
                row = FeedCursor(tenant=tenant, cursor=None, events_applied=0, updated_at=utcnow())
                session.add(row)
            if row.cursor != expected:
                # another puller moved the cursor meanwhile; its page wins
                return False
            # most events of a busy feed are the creation of complaints we submitted
            quiet = redundant(session, tenant, page.events)
            slow = [event for event, skip in zip(page.events, quiet, strict=True) if not skip]
            lock_for(session, tenant, slow)
            labels = corrections.labels_before(session, tenant, page.events)
            for event, skip in zip(page.events, quiet, strict=True):
                if skip:
                    outcome = "unchanged"
                else:
                    outcome = apply_change(session, tenant, event, self.calendar, self.sla)
                stats.outcomes[outcome] = stats.outcomes.get(outcome, 0) + 1
                if outcome == "unknown":
                    log.warning(
                        "change for an unknown complaint",
                        tenant=tenant,
                        tracking_id=event.tracking_id,
                    )
            # the registry's reclassifications, kept for the classifier to learn from
            corrected = corrections.from_feed(session, tenant, page.events, labels)
            if corrected:
                stats.corrections[tenant] = stats.corrections.get(tenant, 0) + corrected
            row.cursor = page.next_cursor
            row.events_applied += len(page.events)
            row.updated_at = utcnow()
        stats.events += len(page.events)
        if page.events:
            stats.events_by_tenant[tenant] = stats.events_by_tenant.get(tenant, 0) + len(
                page.events
            )
            newest = max(event.at for event in page.events)
            stats.newest_at[tenant] = max(newest, stats.newest_at.get(tenant, newest))
        return True
