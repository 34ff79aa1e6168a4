"""The portal learns about refusals: a pulled submission the national registry refused
for good (the complaint ``failed``, with the registry's reason) gets status ``failed``
and that reason written into its row (``status_column``, ``reason_column``).

A refusal makes no notification (nothing goes to the citizen until an operator fixes
and replays it), so the pull service looks for refusals after each poll: complaints of
the tenant's web forms that failed since it last looked. Writing is idempotent; a
replayed complaint's next status overwrites it and clears the reason.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
import structlog
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import SQLModel

from adapters.webform.settings import CHANNEL
from adapters.webform.table import SqlSource
from gateway.domain.errors import GatewayError
from gateway.domain.status import Status
from gateway.fieldmap import FieldMapping
from gateway.storage.intake import utcnow
from gateway.storage.models import Complaint

log = structlog.get_logger("gateway.webform")

_COMPLAINTS = SQLModel.metadata.tables[Complaint.__tablename__]
_REFUSED = {
    "id": "Ditolak SP4N-LAPOR!: {reason}",
    "en": "Refused by SP4N-LAPOR!: {reason}",
}
#: refusals recorded this long before the last look are looked at again (clock skew,
#: a transaction that committed late)
MARGIN = timedelta(minutes=1)


def tell_refusals(
    factory: sessionmaker[Session], mapping: FieldMapping, source: SqlSource, since: datetime
) -> tuple[int, datetime]:
    """Write back the refusals recorded since ``since``: (rows told, the next ``since``)."""
    spec = source.spec
    now = utcnow()
    if not (spec.status_column or spec.reason_column):
        return 0, now
    c = _COMPLAINTS.c
    query = sa.select(c.source_ref, c.failure_reason).where(
        c.tenant == mapping.tenant.id,
        c.channel == CHANNEL,
        c.status == Status.FAILED.value,
        c.updated_at >= since,
    )
    with factory() as session:
        refused = session.execute(query).all()
    words = _REFUSED.get(mapping.settings.language, _REFUSED["id"])
    told = 0
    for row in refused:
        try:
            source.write_back(
                row.source_ref,
                Status.FAILED.value,
                None,
                words.format(reason=row.failure_reason or "-"),
            )
        except GatewayError as exc:  # the portal away: looked at again on the next poll
            log.warning(
                "web-form write-back of a refusal failed",
                tenant=mapping.tenant.id,
                channel=mapping.channel_id,
                error=exc.message,
            )
            return told, since
        told += 1
    return told, now - MARGIN
