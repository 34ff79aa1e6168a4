"""The national catalogue as last synced: topics and agencies, withdrawn ones kept.

A topic or agency that a sync no longer finds is marked ``withdrawn_at``, never
deleted, so the complaints and mappings that use it can be reported; one that
comes back is restored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from gateway.mappings.catalog import Catalogue
from gateway.ports import Agency, Topic
from gateway.storage.engine import transaction
from gateway.storage.models import NationalAgency, NationalTopic


@dataclass
class CatalogueChanges:
    topics_added: list[int] = field(default_factory=list)
    topics_withdrawn: list[int] = field(default_factory=list)
    topics_restored: list[int] = field(default_factory=list)
    agencies_added: list[str] = field(default_factory=list)
    agencies_withdrawn: list[str] = field(default_factory=list)
    agencies_restored: list[str] = field(default_factory=list)


def store_catalogue(
    factory: sessionmaker[Session],
    topics: Sequence[Topic],
    agencies: Sequence[Agency],
    now: datetime,
) -> CatalogueChanges:
    """Store what the registry lists now; returns what changed since the last sync."""
    changes = CatalogueChanges()
    with transaction(factory) as session:
        stored_topics = {t.id: t for t in session.scalars(select(NationalTopic))}
        changes.topics_added, changes.topics_restored, changes.topics_withdrawn = _merge(
            session,
            stored_topics,
            {t.id: {"parent_id": t.parent_id, "name": t.name} for t in topics},
            lambda key, values: NationalTopic(id=key, synced_at=now, **values),
            now,
        )
        stored_agencies = {a.code: a for a in session.scalars(select(NationalAgency))}
        changes.agencies_added, changes.agencies_restored, changes.agencies_withdrawn = _merge(
            session,
            stored_agencies,
            {
                a.code: {"name": a.name, "level": a.level, "region_code": a.region_code}
                for a in agencies
            },
            lambda key, values: NationalAgency(code=key, synced_at=now, **values),
            now,
        )
    return changes


K = TypeVar("K", int, str)
Row = TypeVar("Row", NationalTopic, NationalAgency)


def _merge(
    session: Session,
    stored: dict[K, Row],
    listed: dict[K, dict[str, Any]],
    new_row: Callable[[K, dict[str, Any]], Row],
    now: datetime,
) -> tuple[list[K], list[K], list[K]]:
    """Bring ``stored`` in line with ``listed``; the keys added, restored and withdrawn."""
    added: list[K] = []
    restored: list[K] = []
    for key, values in listed.items():
        row = stored.get(key)
        if row is None:
            session.add(new_row(key, values))
            added.append(key)
            continue
        if row.withdrawn_at is not None:
            restored.append(key)
        for name, value in values.items():
            setattr(row, name, value)
        row.withdrawn_at, row.synced_at = None, now
    withdrawn: list[K] = []
    for key, row in stored.items():
        if key not in listed and row.withdrawn_at is None:
            row.withdrawn_at = now
            withdrawn.append(key)
    return added, restored, withdrawn


def synced_catalogue(factory: sessionmaker[Session]) -> Catalogue | None:
    """The catalogue as last synced (withdrawn entries left out); None if never synced.

    Also None when the database is not reachable or not migrated yet: start-up then
    checks mappings against the bundled catalogue.
    """
    try:
        with factory() as session:
            topics = list(session.scalars(select(NationalTopic)))
            agencies = list(session.scalars(select(NationalAgency)))
    except DBAPIError:
        return None
    if not topics:
        return None
    return Catalogue(
        topics={t.id: t.name for t in topics if t.withdrawn_at is None},
        agencies={a.code: a.name for a in agencies if a.withdrawn_at is None},
        withdrawn_topics={t.id: t.name for t in topics if t.withdrawn_at is not None},
    )
