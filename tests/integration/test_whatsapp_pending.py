"""Stored WhatsApp messages waiting for the chat engine (adapters.whatsapp.store.pending),
on SQLite and PostgreSQL: a stored row with no message to read is quarantined, never
left in front of the messages after it."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session, sessionmaker

from adapters.whatsapp import store
from gateway.storage import intake
from gateway.storage.engine import transaction
from gateway.storage.models import InboundMessage
from tests.fakes import whatsapp_api as wa


def test_a_row_without_a_readable_message_does_not_block_the_ones_after_it(
    factory: sessionmaker[Session],
) -> None:
    good = wa.delivery("106540352242922", [wa.text("6281234567890", "halo")])
    with transaction(factory) as session:
        for ref, payload in (
            ("message:broken-1", "{}"),  # no entry, no message
            ("message:broken-2", json.dumps({"entry": "not a list"})),
            ("message:good", json.dumps(good)),
        ):
            intake.add_inbound(session, "sumbar", "whatsapp", ref, payload, intake.ACCEPTED)
    # one row at a time: the broken rows must not hide the good one
    assert store.pending(factory, limit=1) == []
    assert store.pending(factory, limit=1) == []
    [found] = store.pending(factory, limit=1)
    assert found.message.text == "halo"
    with factory() as session:
        states = {r.source_ref: r.state for r in session.query(InboundMessage).all()}
    assert states == {
        "message:broken-1": intake.QUARANTINED,
        "message:broken-2": intake.QUARANTINED,
        "message:good": intake.ACCEPTED,
    }
