"""Keys a pull is waiting for: ids below the highest one read that have not been read.

A portal allocates an id (or stamps ``updated_at``) when a row is inserted, but the row
becomes visible when its transaction commits, so a later id can be read before an
earlier one. Each batch that raises the highest key read remembers the keys it skipped
(``pull_gap``); every poll asks the source for them again (:func:`waiting`); a key that
appears is forgotten (:func:`forget`). One still missing ``gap_horizon_seconds`` after it
was first missed is given up (:func:`give_up`): most often an insert that was rolled back
or a row deleted, but possibly a transaction held open longer than the horizon. The
operator is told: a warning in the log, ``gateway_webform_pull_gaps_given_up_total``,
and a quarantined input on the console's inputs page (``gap:<key>``).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import SQLModel

from gateway import metrics
from gateway.storage.engine import transaction
from gateway.storage.intake import QUARANTINED, new_id, utcnow
from gateway.storage.models import InboundMessage, PullGap

log = structlog.get_logger("gateway.webform")

_GAPS = SQLModel.metadata.tables[PullGap.__tablename__]
_INBOUND = SQLModel.metadata.tables[InboundMessage.__tablename__]
#: at most this many keys are remembered per batch (a jump in numbering is not a gap)
MAX_NEW = 10_000
_CHUNK = 500


#: the source_ref prefix of the quarantined input telling an operator of a given-up key
GAP = "gap:"


def gap_ref(key: int) -> str:
    """The quarantined input that tells an operator ``key`` was given up."""
    return f"{GAP}{key}"


def remember(
    connection: sa.Connection,
    tenant: str,
    channel_id: str,
    high: int | None,
    keys: list[int],
    *,
    backfill: bool,
) -> int | None:
    """Keep the keys above ``high`` and below the highest of ``keys`` that are not in
    ``keys``; the new highest key read. Nothing is kept without a ``high`` yet, nor in
    a ``backfill`` (a source's first read: its holes are old deletions, not commits to
    come; the look-back window covers its last keys)."""
    if not keys:
        return high
    top = max(keys)
    if high is not None and top <= high:
        return high
    if high is None or backfill:
        return top
    missing = sorted(set(range(high + 1, top)) - set(keys))
    if len(missing) > MAX_NEW:
        log.warning(
            "portal keys jump; only the nearest are awaited",
            tenant=tenant,
            channel=channel_id,
            skipped=len(missing) - MAX_NEW,
        )
        missing = missing[-MAX_NEW:]
    there: set[str] = set()  # awaited already (after a cursor reset)
    for start in range(0, len(missing), _CHUNK):
        chunk = [str(k) for k in missing[start : start + _CHUNK]]
        query = sa.select(_GAPS.c.key).where(
            _GAPS.c.tenant == tenant, _GAPS.c.channel == channel_id, _GAPS.c.key.in_(chunk)
        )
        there.update(connection.execute(query).scalars())
    missing = [k for k in missing if str(k) not in there]
    if missing:
        now = utcnow()
        rows = [
            {"tenant": tenant, "channel": channel_id, "key": str(k), "missed_at": now}
            for k in missing
        ]
        connection.execute(sa.insert(_GAPS), rows)
    return top


def forget(
    connection: sa.Connection, tenant: str, channel_id: str, channel: str, keys: list[int]
) -> None:
    """``keys`` have been read: not awaited any more (nor reported as given up)."""
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        connection.execute(
            sa.delete(_GAPS).where(
                _GAPS.c.tenant == tenant,
                _GAPS.c.channel == channel_id,
                _GAPS.c.key.in_([str(k) for k in chunk]),
            )
        )
        connection.execute(
            sa.delete(_INBOUND).where(
                _INBOUND.c.tenant == tenant,
                _INBOUND.c.channel == channel,
                _INBOUND.c.state == QUARANTINED,
                _INBOUND.c.source_ref.in_([gap_ref(k) for k in chunk]),
            )
        )


def waiting(
    factory: sessionmaker[Session], tenant: str, channel_id: str, *, given_up: bool = False
) -> list[int]:
    """The keys still awaited, lowest first (with ``given_up``: those given up too)."""
    query = sa.select(_GAPS.c.key).where(_GAPS.c.tenant == tenant, _GAPS.c.channel == channel_id)
    if not given_up:
        query = query.where(_GAPS.c.given_up_at.is_(None))
    with factory() as session:
        return sorted(int(k) for k in session.execute(query).scalars())


def give_up(
    factory: sessionmaker[Session],
    tenant: str,
    channel_id: str,
    channel: str,
    horizon_seconds: int,
    now: datetime | None = None,
) -> list[int]:
    """The awaited keys first missed more than ``horizon_seconds`` ago, given up and
    reported (log, metric, a quarantined input on the console)."""
    now = now or utcnow()
    g = _GAPS.c
    mine = (g.tenant == tenant, g.channel == channel_id, g.given_up_at.is_(None))
    with transaction(factory) as session:
        connection = session.connection()
        old = connection.execute(
            sa.select(g.key, g.missed_at).where(
                *mine, g.missed_at < now - timedelta(seconds=horizon_seconds)
            )
        ).all()
        if not old:
            return []
        keys = [str(row.key) for row in old]
        for start in range(0, len(keys), _CHUNK):
            connection.execute(
                sa.update(_GAPS)
                .where(*mine, g.key.in_(keys[start : start + _CHUNK]))
                .values(given_up_at=now)
            )
        connection.execute(
            sa.insert(_INBOUND),
            [_report(tenant, channel, channel_id, int(r.key), r.missed_at, now) for r in old],
        )
    given = sorted(int(k) for k in keys)
    log.warning(
        "portal rows never appeared; given up",
        tenant=tenant,
        channel=channel_id,
        keys=given[:20],
        count=len(given),
        horizon_seconds=horizon_seconds,
    )
    metrics.pull_gaps_given_up(tenant, channel_id, len(given))
    return given


def _report(
    tenant: str, channel: str, channel_id: str, key: int, missed: datetime, now: datetime
) -> dict[str, Any]:
    payload = {"form": channel_id, "missing_key": key, "missed_at": missed.isoformat()}
    return {
        "id": new_id(),
        "tenant": tenant,
        "channel": channel,
        "source_ref": gap_ref(key),
        "content_type": "application/json",
        "payload": json.dumps(payload),
        "state": QUARANTINED,
        "error": (
            f"-: form {channel_id}: row {key} (below the highest read) never appeared in "
            "the portal's table: an insert rolled back, a row deleted, or a transaction "
            "open longer than gap_horizon_seconds. Check the portal; dismiss when explained."
        ),
        "complaint_id": None,
        "received_at": now,
    }
