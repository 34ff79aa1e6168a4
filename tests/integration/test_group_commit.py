"""Group commit: several intakes in one transaction, each answered after its commit."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from gateway.storage.group_commit import IntakeWriter
from gateway.storage.intake import IntakeItem, record_complaint, record_many
from gateway.storage.models import Complaint, InboundMessage, OutboxJob, StatusEvent
from tests.integration.test_storage import count, draft


def item(source_ref: str, **overrides: object) -> IntakeItem:
    content_type = str(overrides.pop("content_type", "application/json"))
    return IntakeItem(draft(source_ref, **overrides), "{}", content_type)


def commits(factory: sessionmaker[Session]) -> list[int]:
    """A counter of commits on ``factory``'s engine (one element per commit)."""
    seen: list[int] = []
    event.listen(factory.kw["bind"], "commit", lambda _conn: seen.append(1))
    return seen


def test_a_batch_stores_every_item_with_its_history_and_job_in_one_commit(factory) -> None:
    seen = commits(factory)
    outcomes = record_many(factory, [item(f"B-{i}") for i in range(50)])
    assert len(seen) == 1
    assert all(not isinstance(o, Exception) and o.created for o in outcomes)
    assert len({o.complaint_id for o in outcomes if not isinstance(o, Exception)}) == 50
    for model in (InboundMessage, Complaint, StatusEvent, OutboxJob):
        assert count(factory, model) == 50, model


def test_a_source_stored_before_comes_back_as_it_is_and_the_rest_are_stored(factory) -> None:
    first = record_complaint(factory, draft("OLD"), "{}", "application/json")
    outcomes = record_many(factory, [item("NEW-1"), item("OLD"), item("NEW-2"), item("NEW-1")])
    assert not any(isinstance(o, Exception) for o in outcomes)
    new1, old, new2, new1_again = outcomes
    assert not isinstance(old, Exception) and not old.created
    assert old.complaint_id == first.complaint_id
    assert not isinstance(new1, Exception) and new1.created
    assert not isinstance(new2, Exception) and new2.created
    # repeated within the batch: the first creates, the second gets the same complaint
    assert not isinstance(new1_again, Exception) and not new1_again.created
    assert new1_again.complaint_id == new1.complaint_id
    assert count(factory, Complaint) == 3
    assert count(factory, OutboxJob) == 3


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_an_item_the_database_refuses_fails_alone(factory) -> None:
    # content_type is VARCHAR(100): PostgreSQL refuses a longer one
    outcomes = record_many(
        factory, [item("OK-1"), item("BAD", content_type="x" * 300), item("OK-2")]
    )
    ok1, bad, ok2 = outcomes
    assert isinstance(bad, Exception) and "too long" in str(bad)
    assert not isinstance(ok1, Exception) and ok1.created
    assert not isinstance(ok2, Exception) and ok2.created
    with factory() as session:
        refs = set(session.scalars(select(Complaint.source_ref)))
    assert refs == {"OK-1", "OK-2"}


def test_concurrent_requests_share_transactions_and_each_gets_its_own_answer(factory) -> None:
    seen = commits(factory)
    writer = IntakeWriter(factory)

    async def burst() -> list[object]:
        items = [item(f"C-{i}") for i in range(120)] + [item("C-7")]
        return await asyncio.gather(*(writer.record(i) for i in items))

    results = asyncio.run(burst())
    ids = [r.complaint_id for r in results]  # type: ignore[attr-defined]
    assert len(set(ids)) == 120 and ids[-1] == ids[7]
    assert count(factory, Complaint) == 120
    # the first is written alone, the rest arrive while it is written: few commits
    assert writer.items == 121 and len(seen) == writer.batches <= 5
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(OutboxJob)) == 120


def test_a_database_that_is_down_fails_every_waiting_request(factory, monkeypatch) -> None:
    writer = IntakeWriter(factory)

    def down(*_args: object) -> None:
        raise OperationalError("INSERT", {}, Exception("connection refused"))

    monkeypatch.setattr("gateway.storage.group_commit.record_many", down)

    async def burst() -> list[object]:
        calls = (writer.record(item(f"D-{i}")) for i in range(10))
        return await asyncio.gather(*calls, return_exceptions=True)

    results = asyncio.run(burst())
    assert all(isinstance(r, OperationalError) for r in results)
    monkeypatch.undo()
    # and the writer recovers once the database is back
    stored = asyncio.run(writer.record(item("D-after")))
    assert stored.created and count(factory, Complaint) == 1
