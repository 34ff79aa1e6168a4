"""One batch of pulled rows into the gateway, in one transaction: complaints, the
records that cannot become one (quarantined inbound messages, and the portal told
why), the keys the batch read and skipped (:mod:`adapters.webform.gaps`) and, for a
batch read on from the cursor, the new cursor (compare and set)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import SQLModel

from adapters.webform import gaps
from adapters.webform.longtext import TextStore, attach, fit
from adapters.webform.sources import PullSource, text_of
from adapters.webform.table import SqlSource
from gateway import metrics
from gateway.domain.errors import GatewayError
from gateway.fieldmap import FieldMapping, RecordError
from gateway.storage.engine import transaction
from gateway.storage.intake import QUARANTINED, IntakeItem, insert_items, new_id, utcnow
from gateway.storage.models import InboundMessage, PullCursor

log = structlog.get_logger("gateway.webform")

_CURSORS = SQLModel.metadata.tables[PullCursor.__tablename__]
_INBOUND = SQLModel.metadata.tables[InboundMessage.__tablename__]


@dataclass(frozen=True)
class Advance:
    """A batch read on from the cursor: the cursor it moves, and the highest key."""

    old: str | None
    new: str
    high: int | None
    #: the source's first read (no gaps kept: see :func:`gaps.remember`)
    backfill: bool


class CursorMoved(Exception):
    """Another poller stored a cursor since this one read it: its batch is dropped."""


def store(
    factory: sessionmaker[Session],
    mapping: FieldMapping,
    source: PullSource,
    rows: list[dict[str, Any]],
    today: date,
    texts: TextStore | None,
    step: Advance | None,
    *,
    seen: list[dict[str, Any]] | None = None,
) -> tuple[list[int], int | None]:
    """One batch (and its cursor, when read on from it) in one transaction:
    ([created, duplicate, quarantined], the highest key read)."""
    items: dict[str, IntakeItem] = {}
    bad: dict[str, tuple[str, str, dict[str, Any]]] = {}  # ref -> (payload, error, row)
    for row in rows:
        payload = json.dumps(row, ensure_ascii=False, default=text_of)
        try:
            values, kept = fit(mapping, row, texts)
            draft = attach(mapping.draft(values, today), kept)
        except RecordError as exc:
            ref = _ref(mapping, source, row)
            items.pop(ref, None)
            bad[ref] = (payload, str(exc), row)
            continue
        bad.pop(draft.source_ref, None)
        items[draft.source_ref] = IntakeItem(draft, payload, "application/json")
    tenant, channel = mapping.tenant.id, mapping.channel
    read = rows if seen is None else seen
    keys = [k for k in (source.key_of(row) for row in read) if k is not None]
    high = step.high if step else None
    with transaction(factory) as session:
        connection = session.connection()
        states = _inbound_states(connection, tenant, channel, [*items, *bad])
        fixed = [ref for ref in items if states.get(ref) == QUARANTINED]
        if fixed:  # quarantined before, mappable now: the complaint's own row replaces it
            connection.execute(sa.delete(_INBOUND).where(*_same(tenant, channel, fixed)))
        results = insert_items(session, list(items.values()))
        taken = 0  # taken before as complaints: a later, unmappable edit of one is not
        for ref, (payload, error, _) in bad.items():
            if states.get(ref) == QUARANTINED:
                update = sa.update(_INBOUND).where(*_same(tenant, channel, [ref]))
                connection.execute(update.values(payload=payload, error=error))
            elif ref in states:
                taken += 1
            else:
                connection.execute(sa.insert(_INBOUND), [_quarantine(mapping, ref, payload, error)])
        below = keys if step is None or step.high is None else [k for k in keys if k <= step.high]
        gaps.forget(connection, tenant, mapping.channel_id, channel, below)
        if step is not None:
            high = gaps.remember(
                connection,
                tenant,
                mapping.channel_id,
                step.high,
                keys,
                backfill=step.backfill,
            )
            _advance(connection, tenant, mapping.channel_id, step.old, step.new, high)
    created = sum(r.created for r in results)
    duplicate = len(results) - created + taken
    quarantined = len(bad) - taken
    for ref, (_, error, row) in bad.items():
        if states.get(ref, QUARANTINED) == QUARANTINED:
            log.warning(
                "webform record quarantined",
                tenant=tenant,
                channel=mapping.channel_id,
                source_ref=ref,
                column=error.partition(":")[0],
            )
        if ref not in states:
            _tell_portal(mapping, source, row, error)
    for outcome, count in (
        ("accepted", created),
        ("duplicate", duplicate),
        ("invalid", quarantined),
    ):
        for _ in range(count):
            metrics.intake(tenant, channel, outcome)
    return [created, duplicate, quarantined], high


_REFUSED = {
    "id": "Tidak diteruskan ke SP4N-LAPOR!, perbaiki kolom {error}",
    "en": "Not sent to SP4N-LAPOR!, correct the column {error}",
}


def _tell_portal(
    mapping: FieldMapping, source: PullSource, row: dict[str, Any], error: str
) -> None:
    """A row kept by the gateway: status ``quarantined`` and why, into the portal's row
    (``status_column``, ``reason_column``). The portal away: logged, not retried."""
    if not isinstance(source, SqlSource):
        return
    spec = source.spec
    if not (spec.status_column or spec.reason_column):
        return
    reason = _REFUSED.get(mapping.settings.language, _REFUSED["id"]).format(error=error)
    try:
        source.write_back(row[source.key.name], QUARANTINED, None, reason)
    except GatewayError as exc:
        log.warning(
            "web-form write-back of a quarantined row failed",
            tenant=mapping.tenant.id,
            channel=mapping.channel_id,
            error=exc.message,
        )


def _quarantine(mapping: FieldMapping, ref: str, payload: str, error: str) -> dict[str, Any]:
    """The inbound_message row keeping a record that cannot become a complaint."""
    return {
        "id": new_id(),
        "tenant": mapping.tenant.id,
        "channel": mapping.channel,
        "source_ref": ref,
        "content_type": "application/json",
        "payload": payload,
        "state": QUARANTINED,
        "error": error,
        "complaint_id": None,
        "received_at": utcnow(),
    }


def _ref(mapping: FieldMapping, source: PullSource, row: Mapping[str, Any]) -> str:
    try:
        return mapping.source_ref(row)
    except RecordError:  # no number of its own: its place in the source names it
        return f"cursor:{source.cursor_of(row)}"[:200]


def _same(tenant: str, channel: str, refs: list[str]) -> tuple[Any, ...]:
    c = _INBOUND.c
    return (c.tenant == tenant, c.channel == channel, c.source_ref.in_(refs))


def _inbound_states(
    connection: sa.Connection, tenant: str, channel: str, refs: list[str]
) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(refs), 500):
        chunk = refs[start : start + 500]
        query = sa.select(_INBOUND.c.source_ref, _INBOUND.c.state)
        rows = connection.execute(query.where(*_same(tenant, channel, chunk)))
        found.update({row.source_ref: row.state for row in rows})
    return found


def _advance(
    connection: sa.Connection,
    tenant: str,
    channel_id: str,
    old: str | None,
    new: str,
    high: int | None = None,
) -> None:
    """Compare and set: a cursor moved by another poller since ``old`` was read rolls
    this batch back (that poller has stored the same rows)."""
    c, now = _CURSORS.c, utcnow()
    top = None if high is None else str(high)
    if old is None:
        try:
            connection.execute(
                sa.insert(_CURSORS),
                [
                    {
                        "tenant": tenant,
                        "channel": channel_id,
                        "cursor": new,
                        "updated_at": now,
                        "high_key": top,
                    }
                ],
            )
        except IntegrityError:
            raise CursorMoved from None
        return
    done = connection.execute(
        sa.update(_CURSORS)
        .where(c.tenant == tenant, c.channel == channel_id, c.cursor == old)
        .values(cursor=new, updated_at=now, high_key=top)
    )
    if done.rowcount != 1:
        raise CursorMoved


def unknown(
    factory: sessionmaker[Session],
    mapping: FieldMapping,
    source: PullSource,
    rows: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """The rows read back that the gateway has not stored (in any state), once each."""
    refs = {_ref(mapping, source, row): row for row in rows}
    with factory() as session:
        known = _inbound_states(
            session.connection(), mapping.tenant.id, mapping.channel, list(refs)
        )
    return [row for ref, row in refs.items() if ref not in known]
