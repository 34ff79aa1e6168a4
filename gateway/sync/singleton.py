"""Work that one process at a time may do, held by a lease row that expires.

A process that dies stops renewing; another takes the lease over once it expires.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from gateway.storage.engine import transaction
from gateway.storage.intake import utcnow
from gateway.storage.models import SingletonLease


def try_acquire(factory: sessionmaker[Session], name: str, owner: str, ttl: float) -> bool:
    """Take or renew the lease ``name``; False while another owner holds it."""
    now = utcnow()
    try:
        with transaction(factory) as session:
            row = session.get(SingletonLease, name, with_for_update=True)
            if row is None:
                session.add(
                    SingletonLease(
                        name=name,
                        owner=owner,
                        expires_at=now + timedelta(seconds=ttl),
                        updated_at=now,
                    )
                )
                return True
            if row.owner != owner and row.expires_at > now:
                return False
            row.owner = owner
            row.expires_at = now + timedelta(seconds=ttl)
            row.updated_at = now
            return True
    except IntegrityError:  # another process inserted it first
        return False


def release(factory: sessionmaker[Session], name: str, owner: str) -> None:
    with transaction(factory) as session:
        row = session.get(SingletonLease, name, with_for_update=True)
        if row is not None and row.owner == owner:
            session.delete(row)
