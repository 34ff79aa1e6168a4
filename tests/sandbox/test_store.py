"""The sandbox's storage on its own: tracking IDs, the feed, and that every query on a
hot path is served by an index (so a poll with nothing new stays cheap at 100k)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gateway.sandbox.catalog import load_catalog
from gateway.sandbox.records import BadCursor, NewComplaint, decode_cursor, encode_cursor
from gateway.sandbox.store import Store
from gateway.sandbox.workflow import Clock, Workflow


def new(account: str = "lampung", ref: str = "GW-1") -> NewComplaint:
    return NewComplaint(account, ref, 2, "18.71", None, {"title": "Jalan rusak"})


@pytest.fixture(params=["memory", "file"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    path = ":memory:" if request.param == "memory" else str(tmp_path / "nested" / "sandbox.db")
    opened = Store(path, seed=7)
    yield opened
    opened.close()


def plans(store: Store, call: Callable[[], object]) -> list[str]:
    """The query plans of the SELECTs that ``call`` runs."""
    statements: list[str] = []
    conn = store._conn
    conn.set_trace_callback(statements.append)
    try:
        call()
    finally:
        conn.set_trace_callback(None)
    return [
        " / ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
        for sql in statements
        if sql.lstrip().upper().startswith("SELECT")
    ]


def test_tracking_ids_are_eight_digits_increasing_and_survive_a_restart(tmp_path: Path) -> None:
    path = str(tmp_path / "sandbox.db")
    store = Store(path, seed=1)
    first = [
        store.create(new(ref=f"R{i}"), unique=True, now=time.time(), next_step_at=0)[0]
        for i in range(3)
    ]
    store.close()
    again = Store(path, seed=1)  # the same seed does not repeat an ID
    later, created = again.create(new(ref="R9"), unique=True, now=time.time(), next_step_at=0)
    again.close()
    numbers = [int(r["tracking_id"]) for r in [*first, later]]
    assert created and all(len(str(n)) == 8 for n in numbers)
    assert numbers == sorted(numbers) and len(set(numbers)) == 4


def test_a_known_external_ref_gives_back_the_first_receipt(store: Store) -> None:
    receipt, created = store.create(new(), unique=True, now=time.time(), next_step_at=0)
    existing, again = store.create(new(), unique=True, now=time.time(), next_step_at=0)
    assert created and not again
    assert existing == {**receipt, "external_ref": "GW-1"}
    _, other_account = store.create(new("kalsel"), unique=True, now=time.time(), next_step_at=0)
    _, copy = store.create(new(), unique=False, now=time.time(), next_step_at=0)
    assert other_account and copy
    assert store.stats()["by_external_ref_duplicates"] == 1


def test_cursors_are_opaque_and_checked() -> None:
    assert decode_cursor(encode_cursor(12345)) == 12345
    assert decode_cursor(None) == decode_cursor("") == 0
    assert "12345" not in encode_cursor(12345)
    for bad in ("abc", "12345", encode_cursor(1)[:-1] + "!", "ZXY6eA"):  # last: "ev:x"
        with pytest.raises(BadCursor):
            decode_cursor(bad)


def test_hot_queries_use_their_indexes(store: Store) -> None:
    workflow = Workflow(load_catalog(), step_seconds=0, archive_rate=0, seed=1)
    for i in range(50):
        store.create(new(f"acct{i % 3}", f"R{i}"), unique=True, now=time.time(), next_step_at=0)
    _, cursor = store.changes("acct1", None, 1000)
    feed = plans(store, lambda: store.changes("acct1", cursor, 100))
    assert "INDEX events_feed (account=? AND id>?)" in feed[0], feed
    lookup = plans(store, lambda: store.find("acct1", "R1"))
    assert "USING INDEX complaints_by_ref" in lookup[0]
    creating = plans(
        store, lambda: store.create(new("acct1", "R1"), unique=True, now=0, next_step_at=0)
    )
    assert "USING INDEX complaints_by_ref" in creating[0]
    clock = Clock(store, workflow)
    due = plans(store, lambda: asyncio.run(clock.advance_due()))
    assert "USING INDEX complaints_due" in due[0]
    for plan in [*feed, *lookup, *creating, *due]:
        assert "SCAN" not in plan, plan


def test_the_clock_moves_thousands_of_due_complaints_in_batches() -> None:
    store = Store(":memory:", seed=2)
    workflow = Workflow(load_catalog(), step_seconds=0, archive_rate=0.05, seed=2)
    clock = Clock(store, workflow)
    now = time.time()
    for i in range(2500):
        store.create(new(f"acct{i % 4}", f"R{i}"), unique=True, now=now, next_step_at=now)
    count, reported = asyncio.run(clock.advance_due())
    assert count == 2500 and len(reported) == Clock.MAX_REPORTED
    by_status = store.stats()["by_status"]
    assert set(by_status) == {"terverifikasi", "diarsipkan"}  # one step each, not more
    assert 50 < by_status["diarsipkan"] < 250  # ~5 %
    store.close()
