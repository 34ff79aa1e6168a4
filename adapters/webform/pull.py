"""Pulling a portal's new submissions from a source (:mod:`adapters.webform.sources`),
read on from a stored cursor, and read back so that nothing is skipped.

:func:`pull_once` commits each batch's complaints, its unmappable records (kept as
quarantined inbound messages), the keys it skipped (:mod:`adapters.webform.gaps`) and
the batch's last cursor in one transaction of the gateway's database. A crash before
that commit reads the same batch again; a source stored before is not stored twice.

Rows do not become visible in key or timestamp order (a transaction commits after a
later one), so every poll also reads back: the look-back window behind the cursor
(``lookback_seconds``, ``lookback_ids``) and the keys below the highest read that have
not appeared yet, until ``gap_horizon_seconds``. The unique ``(tenant, channel,
source_ref)`` makes those re-reads harmless; only rows not stored before are mapped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
import structlog
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import SQLModel

from adapters.webform import gaps
from adapters.webform.batch import Advance, CursorMoved, store, unknown
from adapters.webform.endpoint import RestSource
from adapters.webform.longtext import TextStore
from adapters.webform.settings import PullRest, PullSql, WebformSettings
from adapters.webform.sources import PullSource, whole
from adapters.webform.table import SqlSource
from gateway.fieldmap import FieldMapping
from gateway.storage.models import PullCursor
from gateway.tenants import Tenant

__all__ = ["PullResult", "RestSource", "SqlSource", "pull_once", "source_for", "stored_cursor"]

log = structlog.get_logger("gateway.webform")

_CURSORS = SQLModel.metadata.tables[PullCursor.__tablename__]


def source_for(tenant: Tenant, settings: WebformSettings) -> SqlSource | RestSource | None:
    """The source a channel's ``settings.pull`` names, with the tenant's secrets."""
    pull = settings.pull
    if isinstance(pull, PullSql):
        return SqlSource(tenant.secrets[pull.database_secret].get_secret_value(), pull)
    if isinstance(pull, PullRest):
        token = tenant.secrets[pull.token_secret] if pull.token_secret else None
        return RestSource(pull, token.get_secret_value() if token else None)
    return None


@dataclass(frozen=True)
class PullResult:
    created: int = 0
    duplicate: int = 0
    quarantined: int = 0
    cursor: str | None = None
    #: keys below the highest read, still awaited after this poll / given up in it
    waiting: int = 0
    given_up: int = 0


def stored_cursor(factory: sessionmaker[Session], tenant: str, channel_id: str) -> str | None:
    return _stored(factory, tenant, channel_id)[0]


def _stored(
    factory: sessionmaker[Session], tenant: str, channel_id: str
) -> tuple[str | None, int | None]:
    c = _CURSORS.c
    with factory() as session:
        found = session.execute(
            sa.select(c.cursor, c.high_key).where(c.tenant == tenant, c.channel == channel_id)
        ).one_or_none()
    if found is None:
        return None, None
    return str(found.cursor), whole(found.high_key)


def pull_once(
    factory: sessionmaker[Session],
    mapping: FieldMapping,
    source: PullSource,
    today: date,
    *,
    max_batches: int = 50,
    texts: TextStore | None = None,
) -> PullResult:
    """Read ``source`` on from the stored cursor, a batch per transaction, until a short
    batch or ``max_batches``; then read back (the look-back window, the awaited keys).
    Raises the source's :class:`GatewayError`, or the database's error; whatever was
    committed before stays committed."""
    tenant, channel_id = mapping.tenant.id, mapping.channel_id
    cursor, high = _stored(factory, tenant, channel_id)
    backfill = cursor is None
    totals = [0, 0, 0]
    for _ in range(max_batches):
        rows = source.fetch(cursor)
        if not rows:
            break
        last = source.next_cursor(rows)
        if last == cursor or _behind(last, cursor):
            log.warning("portal cursor does not advance", tenant=tenant, channel=channel_id)
            break
        step = Advance(cursor, last, high, backfill=backfill)
        try:
            counts, high = store(factory, mapping, source, rows, today, texts, step)
        except CursorMoved:
            log.info("another poller moved the cursor", tenant=tenant, channel=channel_id)
            break
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        cursor = last
        if len(rows) < source.batch:
            break
    _, high = _stored(factory, tenant, channel_id)
    awaited = gaps.waiting(factory, tenant, channel_id)
    back = source.recent(cursor, high)
    if awaited:
        back += source.by_keys(awaited)
    if back:
        fresh = unknown(factory, mapping, source, back)
        kept = set(gaps.waiting(factory, tenant, channel_id, given_up=True))
        seen = [row for row in back if source.key_of(row) in kept]  # to forget
        counts, _ = store(factory, mapping, source, fresh, today, texts, None, seen=seen)
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
    horizon = source.gap_horizon_seconds
    given_up = gaps.give_up(factory, tenant, channel_id, mapping.channel, horizon)
    created, duplicate, quarantined = totals
    waiting = len(gaps.waiting(factory, tenant, channel_id)) if awaited else 0
    if created or quarantined or given_up:
        log.info(
            "webform pulled",
            tenant=tenant,
            channel=channel_id,
            created=created,
            duplicate=duplicate,
            quarantined=quarantined,
            cursor=cursor,
            waiting=waiting,
        )
    return PullResult(created, duplicate, quarantined, cursor, waiting, len(given_up))


def _behind(new: str, old: str | None) -> bool:
    """A page whose highest number is not past the cursor (a portal ignoring it)."""
    a, b = whole(new), whole(old)
    return a is not None and b is not None and a <= b
