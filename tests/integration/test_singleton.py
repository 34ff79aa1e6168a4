"""The singleton lease on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from gateway.storage.engine import transaction
from gateway.storage.models import SingletonLease
from gateway.sync import singleton


def test_one_owner_at_a_time_and_takeover_after_expiry(factory) -> None:
    assert singleton.try_acquire(factory, "puller", "a", ttl=30)
    assert not singleton.try_acquire(factory, "puller", "b", ttl=30)
    assert singleton.try_acquire(factory, "puller", "a", ttl=30)  # renewal
    with transaction(factory) as session:  # a dies: its lease runs out
        session.execute(
            update(SingletonLease).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert singleton.try_acquire(factory, "puller", "b", ttl=30)
    assert not singleton.try_acquire(factory, "puller", "a", ttl=30)
    singleton.release(factory, "puller", "a")  # not a's to release
    assert not singleton.try_acquire(factory, "puller", "a", ttl=30)
    singleton.release(factory, "puller", "b")
    assert singleton.try_acquire(factory, "puller", "a", ttl=30)
