"""The national catalogue as last synced: topics and agencies, withdrawn ones kept.

A topic or agency that a sync no longer finds is marked ``withdrawn_at``, never
deleted, so the complaints and mappings that use it can be reported; one that
comes back is restored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

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
        for topic in topics:
            row = stored_topics.pop(topic.id, None)
            if row is None:
                session.add(
                    NationalTopic(
                        id=topic.id, parent_id=topic.parent_id, name=topic.name, synced_at=now
                    )
                )
                changes.topics_added.append(topic.id)
                continue
            if row.withdrawn_at is not None:
                changes.topics_restored.append(topic.id)
            row.parent_id, row.name, row.withdrawn_at, row.synced_at = (
                topic.parent_id,
                topic.name,
                None,
                now,
            )
        for row in stored_topics.values():
            if row.withdrawn_at is None:
                row.withdrawn_at = now
                changes.topics_withdrawn.append(row.id)
        stored_agencies = {a.code: a for a in session.scalars(select(NationalAgency))}
        for agency in agencies:
            found = stored_agencies.pop(agency.code, None)
            if found is None:
                session.add(
                    NationalAgency(
                        code=agency.code,
                        name=agency.name,
                        level=agency.level,
                        region_code=agency.region_code,
                        synced_at=now,
                    )
                )
                changes.agencies_added.append(agency.code)
                continue
            if found.withdrawn_at is not None:
                changes.agencies_restored.append(agency.code)
            found.name, found.level, found.region_code = (
                agency.name,
                agency.level,
                agency.region_code,
            )
            found.withdrawn_at, found.synced_at = None, now
        for gone in stored_agencies.values():
            if gone.withdrawn_at is None:
                gone.withdrawn_at = now
                changes.agencies_withdrawn.append(gone.code)
    return changes


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
