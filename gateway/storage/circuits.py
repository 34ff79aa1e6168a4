"""The circuit breakers' last known state per tenant, for operators (`gateway status`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from gateway.storage.engine import transaction
from gateway.storage.intake import utcnow
from gateway.storage.models import TenantCircuit


def save(
    factory: sessionmaker[Session],
    tenant: str,
    state: str,
    failures: int,
    opened_at: datetime | None,
    last_error: str | None,
) -> None:
    with transaction(factory) as session:
        row = session.get(TenantCircuit, tenant, with_for_update=True)
        if row is None:
            row = TenantCircuit(tenant=tenant, state=state, updated_at=utcnow())
            session.add(row)
        row.state = state
        row.failures = failures
        row.opened_at = opened_at
        row.last_error = last_error
        row.updated_at = utcnow()
