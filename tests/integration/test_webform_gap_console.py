"""An operator is told of a portal row given up (issue 16, finding 1): after the gap
horizon, the key is a quarantined input on the console's inputs page, for the tenant's
operator only; it cannot be replayed (nothing was read) and is dismissed once explained."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from adapters.webform import gaps
from gateway.storage.intake import utcnow
from gateway.storage.models import InboundMessage
from tests.integration.test_ops_pages import audits, base_url, clients, csrf_of

__all__ = ["base_url", "clients"]  # the console's fixtures


def _given_up(factory: sessionmaker[Session], key: int) -> str:
    with factory() as session, session.begin():
        session.execute(
            sa.text(
                "INSERT INTO pull_gap (tenant, channel, key, missed_at) "
                "VALUES ('kalsel', 'laporpaman_db', :key, :at)"
            ),
            {"key": str(key), "at": utcnow() - timedelta(hours=2)},
        )
    assert gaps.give_up(factory, "kalsel", "laporpaman_db", "webform", 3600) == [key]
    with factory() as session:
        found = session.scalars(
            sa.select(InboundMessage).where(InboundMessage.source_ref == f"gap:{key}")  # type: ignore[arg-type]
        ).one()
        return found.id


def test_a_given_up_portal_row_is_on_the_inputs_page_and_dismissed(
    base_url, clients, factory
) -> None:
    rina, budi = clients["rina"], clients["budi"]
    inbound_id = _given_up(factory, 4711)
    listed = rina.get("/ops/inputs")
    assert f'href="/ops/inputs/{inbound_id}"' in listed.text and "gap:4711" in listed.text
    page = rina.get(f"/ops/inputs/{inbound_id}")
    assert page.status_code == 200 and "never appeared" in page.text

    refused = rina.post(f"/ops/inputs/{inbound_id}/replay", data={"csrf_token": csrf_of(page)})
    assert refused.status_code == 400 and "check the portal, then dismiss" in refused.text

    form = budi.get(f"/ops/inputs/{inbound_id}")
    dismissed = budi.post(
        f"/ops/inputs/{inbound_id}/dismiss",
        data={"csrf_token": csrf_of(form), "reason": "insert dibatalkan di portal"},
    )
    assert dismissed.status_code == 303
    assert "gap:4711" not in rina.get("/ops/inputs").text
    (entry,) = audits(factory, "dismiss_input")
    assert "gap:4711" in (entry.detail or "")
