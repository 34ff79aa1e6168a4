"""Learning from people, on SQLite and PostgreSQL: a topic or agency an operator corrects
in the console, or the national verification changes (as the sandbox's change feed
shows it), is kept with the text the classifier read, and read back for training."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gateway.api.app import create_app
from gateway.bootstrap import Container, build_container
from gateway.classifier.corrections import load_corrections
from gateway.domain.sla import NoHolidays, SlaPolicy
from gateway.ports import ChangeEvent, ChangesPage
from gateway.routing import CLASSIFY_CHARS
from gateway.sandbox.catalog import load_catalog
from gateway.sandbox.records import OpenComplaint
from gateway.sandbox.workflow import Workflow, WorkflowError
from gateway.settings import Settings
from gateway.storage import corrections
from gateway.storage.complaints import mark_submitted
from gateway.storage.engine import transaction
from gateway.storage.intake import record_complaint
from gateway.storage.models import Complaint, Correction, FeedCursor
from gateway.sync.puller import StatusPuller
from tests.integration.test_ops_pages import (
    API_KEY,
    audits,
    base_url,
    clients,
    csrf_of,
    fail_job,
    file_complaint,
)
from tests.integration.test_storage import draft
from tests.support import ROOT, TENANT_ENV, scaled, serve_in_thread, wait_until

__all__ = ["base_url", "clients"]  # the console's fixtures, shared with test_ops_pages

REPORTER = {"name": "Siti Aminah", "phone": "0812-3456-7890"}
T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def kept(factory: sessionmaker[Session]) -> list[Correction]:
    with factory() as session:
        rows = list(session.scalars(select(Correction).order_by(Correction.id)))  # type: ignore[arg-type]
        session.expunge_all()
        return rows


def complaint(factory: sessionmaker[Session], complaint_id: str) -> Complaint:
    with factory() as session:
        found = session.get(Complaint, complaint_id)
        assert found is not None
        session.expunge(found)
        return found


def fix(client: httpx.Client, job_id: int, **values: str) -> httpx.Response:
    form = client.get(f"/ops/jobs/{job_id}/fix")
    assert form.status_code == 200, form.text
    data = {"csrf_token": csrf_of(form), "region_code": "18.71", "incident_date": ""}
    return client.post(f"/ops/jobs/{job_id}/fix", data={**data, **values})


# -- the console --------------------------------------------------------------------


def test_an_operators_correction_in_the_console_is_kept_without_the_reporter(
    base_url, clients, factory, engine
) -> None:
    budi = clients["budi"]
    complaint_id = file_complaint(
        base_url, "COR-1", topic_id=2, reporter=REPORTER, content="Got mampet, air meluap."
    )
    job_id = fail_job(factory, complaint_id)
    routed = complaint(factory, complaint_id)
    assert (routed.topic_id, routed.agency_code) == (2, "1871-DPU")

    fixed = fix(budi, job_id, topic_id="5", agency_code="18-DPUPR")
    assert fixed.status_code == 303, fixed.text

    [row] = kept(factory)
    assert (row.tenant, row.complaint_id, row.channel) == ("lampung", complaint_id, "api")
    assert row.text == "Jalan berlubang COR-1\nGot mampet, air meluap."
    assert (row.topic_before, row.topic_after) == (2, 5)
    assert (row.agency_before, row.agency_after) == ("1871-DPU", "18-DPUPR")
    assert (row.topic_source, row.source, row.corrected_by) == ("given", "console", "budi")
    # kept with the edit itself, at its moment
    assert row.at.replace(tzinfo=None) == complaint(factory, complaint_id).updated_at.replace(
        tzinfo=None
    )
    assert complaint(factory, complaint_id).topic_id == 5
    stored = " ".join(str(value) for value in row.model_dump().values())
    assert "Siti" not in stored and "3456" not in stored  # no reporter fields

    [learnt] = corrections.latest_topics(engine)
    assert (learnt.text, learnt.topic_after, learnt.tenant) == (row.text, 5, "lampung")


def test_a_console_fix_that_leaves_topic_and_agency_alone_keeps_nothing(
    base_url, clients, factory, engine
) -> None:
    complaint_id = file_complaint(base_url, "COR-2", topic_id=2)
    job_id = fail_job(factory, complaint_id)
    fixed = fix(clients["budi"], job_id, topic_id="2", agency_code="1871-DPU", region_code="18")
    assert fixed.status_code == 303, fixed.text
    assert complaint(factory, complaint_id).region_code == "18"  # the edit was made
    assert [a.detail for a in audits(factory, "edit_complaint")] == ["region_code: '18.71' -> '18'"]
    assert kept(factory) == []
    assert corrections.latest_topics(engine) == []


def test_the_text_kept_is_what_routing_classifies() -> None:
    assert corrections.TEXT_CHARS == CLASSIFY_CHARS
    long = Complaint(title="Banjir", content="air " * 1_000)  # type: ignore[call-arg]
    assert corrections.text_of(long) == ("Banjir\n" + "air " * 1_000)[:CLASSIFY_CHARS]


# -- the national verification, through the sandbox ----------------------------------


@pytest.fixture
def national(engine, database_url: str, tmp_path: Path) -> Iterator[tuple[Container, str]]:
    """The gateway with its in-process sandbox registry (steps only when asked), its
    dispatcher and puller running; the container and the gateway's URL."""
    settings = Settings(
        database_url=database_url,
        mappings_dir=str(ROOT / "mappings"),
        sandbox_db=str(tmp_path / "sandbox.db"),
        sandbox_step_seconds=0,
        sandbox_archive_rate=0,
        dispatch_interval=0.1,
        pull_interval=0.1,
        log_format="json",
    )
    container = build_container(settings, environ=TENANT_ENV)
    assert container.sandbox is not None
    try:
        with serve_in_thread(create_app(container)) as base:
            yield container, base
    finally:
        container.sandbox.state.sandbox.close()


def filed(base: str, source_ref: str, **extra: object) -> str:
    body = {
        "source_ref": source_ref,
        "title": "Air sungai meluap",
        "content": "Sungai Way Halim meluap sejak subuh, rumah warga terendam sepinggang.",
        "region_code": "18.71",
        "topic_id": 5,  # Drainase dan Banjir, as a channel that knew no better gave it
        "reporter": REPORTER,
        **extra,
    }
    answer = httpx.post(
        f"{base}/channels/api/lampung/complaints", json=body, headers=API_KEY, timeout=scaled(10)
    )
    assert answer.status_code == 202, answer.text
    complaint_id: str = answer.json()["id"]
    return complaint_id


def verify(container: Container, tracking_id: str, **options: object) -> list[dict]:
    """The registry's verification and disposition of one complaint (its operator's move)."""
    clock = container.sandbox.state.sandbox.clock  # type: ignore[union-attr]
    moved = asyncio.run(clock.advance(tracking_id, "terdisposisi", **options))
    assert moved is not None
    events: list[dict] = moved[1]
    return events


def test_a_reclassification_at_national_verification_is_applied_and_kept(
    national, factory, engine
) -> None:
    container, base = national
    moved_id, kept_id = filed(base, "NAT-1"), filed(base, "NAT-2")

    def tracked() -> list[str] | None:
        found = [complaint(factory, i).tracking_id for i in (moved_id, kept_id)]
        return found if all(found) else None  # type: ignore[return-value]

    moved_tid, kept_tid = wait_until(tracked, timeout=20, what="both tracking IDs")
    events = verify(container, moved_tid, topic_id=50)
    assert [(e["status"], e["topic_id"]) for e in events] == [
        ("terverifikasi", 50),
        ("terdisposisi", 50),
    ]
    assert events[-1]["agency_code"] == "18-BPBD"  # disposed by the new topic
    verify(container, kept_tid)

    def dispatched() -> bool:
        return all(complaint(factory, i).status == "dispatched" for i in (moved_id, kept_id))

    wait_until(dispatched, timeout=20, what="both complaints disposed locally")
    moved = complaint(factory, moved_id)
    assert (moved.topic_id, moved.agency_code) == (50, "18-BPBD")
    assert (complaint(factory, kept_id).topic_id, complaint(factory, kept_id).agency_code) == (
        5,
        "1871-DPU",
    )
    [row] = kept(factory)  # the complaint verification left alone has none
    assert (row.complaint_id, row.tenant, row.source) == (moved_id, "lampung", "national")
    assert row.corrected_by == "national verification"
    assert row.text.startswith("Air sungai meluap\nSungai Way Halim meluap")
    assert (row.topic_before, row.topic_after) == (5, 50)
    assert (row.agency_before, row.agency_after) == ("1871-DPU", "18-BPBD")
    assert "Siti" not in row.text and "3456" not in row.text

    [learnt] = corrections.latest_topics(engine)
    assert (learnt.complaint_id, learnt.topic_after) == (moved_id, 50)


def test_only_verification_reclassifies_and_only_to_a_listed_topic() -> None:
    workflow = Workflow(load_catalog(), step_seconds=0, archive_rate=0, seed=1)
    new = OpenComplaint(1, "12345678", "belum_terverifikasi", 5, "18.71", None, None, None)
    [verified] = workflow.steps_to(new, "terverifikasi", 0.0, topic_id=50)
    assert (verified.status, verified.topic_id) == ("terverifikasi", 50)
    with pytest.raises(WorkflowError, match="unknown topic_id 99"):
        workflow.steps_to(new, "terverifikasi", 0.0, topic_id=99)
    with pytest.raises(WorkflowError, match="topic_id needs a later status"):
        workflow.steps_to(new, "diarsipkan", 0.0, topic_id=50)
    later = replace(new, status="terverifikasi")
    with pytest.raises(WorkflowError, match="only verification changes its topic"):
        workflow.steps_to(later, "terdisposisi", 0.0, topic_id=50)


# -- the feed, replayed; the latest correction wins -----------------------------------


class Feed:
    """One tenant's change feed; the cursor is the number of events read."""

    def __init__(self) -> None:
        self.events: list[ChangeEvent] = []

    def for_tenant(self, tenant: str) -> Feed:
        return self

    async def changes(self, cursor: str | None, limit: int) -> ChangesPage:
        start = int(cursor or 0)
        page = self.events[start : start + limit]
        return ChangesPage(page, str(start + len(page)))


def submitted(factory: sessionmaker[Session], ref: str, tracking_id: str) -> str:
    complaint_id = record_complaint(factory, draft(ref), "{}", "x").complaint_id
    with transaction(factory) as session:
        found = session.get(Complaint, complaint_id)
        assert found is not None
        found.topic_id, found.agency_code = 5, "1871-DPU"
        mark_submitted(session, found, tracking_id, T0, NoHolidays(), SlaPolicy())
    return complaint_id


def pull(factory: sessionmaker[Session], feed: Feed) -> dict[str, int]:
    puller = StatusPuller(factory, feed, ["lampung"], calendar=NoHolidays(), page_size=50)  # type: ignore[arg-type]
    stats = asyncio.run(puller.run_once())
    assert stats.errors == {}
    return stats.corrections


def test_each_change_is_kept_once_and_the_latest_topic_wins(factory, engine) -> None:
    first = submitted(factory, "FEED-1", "70000001")
    other = submitted(factory, "FEED-2", "70000002")
    feed = Feed()

    def event(tid: str, status: str, minute: int, **extra: object) -> ChangeEvent:
        return ChangeEvent(tid, None, status, None, T0 + timedelta(minutes=minute), **extra)  # type: ignore[arg-type]

    feed.events += [
        event("70000001", "terverifikasi", 1, topic_id=50),
        event("70000002", "terverifikasi", 1, topic_id=5),  # verified as it was: nothing
    ]
    assert pull(factory, feed) == {"lampung": 1}
    # the registry corrects itself: the same status, only the topic (a page the
    # puller's fast path would skip as redundant)
    feed.events.append(event("70000001", "terverifikasi", 2, topic_id=51))
    # disposed elsewhere than the gateway asked: an agency correction only
    feed.events.append(event("70000002", "terdisposisi", 3, agency_code="18-DPUPR"))
    assert pull(factory, feed) == {"lampung": 2}
    assert complaint(factory, first).topic_id == 51
    assert complaint(factory, other).agency_code == "18-DPUPR"

    with transaction(factory) as session:  # a crash before the cursor moved: replayed
        cursor = session.get(FeedCursor, "lampung")
        assert cursor is not None
        cursor.cursor = None
    assert pull(factory, feed) == {}

    rows = kept(factory)
    assert len(rows) == 3
    assert [(r.topic_before, r.topic_after) for r in rows if r.complaint_id == first] == [
        (5, 50),
        (50, 51),
    ]
    [moved] = [r for r in rows if r.complaint_id == other]
    assert (moved.topic_before, moved.topic_after) == (5, 5)
    assert (moved.agency_before, moved.agency_after) == ("1871-DPU", "18-DPUPR")
    # what the classifier learns: the latest topic of each complaint a person reclassified
    assert [(r.complaint_id, r.topic_after) for r in corrections.latest_topics(engine)] == [
        (first, 51)
    ]


def test_a_registry_without_topics_changes_nothing(factory: sessionmaker[Session]) -> None:
    complaint_id = submitted(factory, "FEED-3", "70000003")
    feed = Feed()
    feed.events.append(ChangeEvent("70000003", None, "terverifikasi", None, T0))
    assert pull(factory, feed) == {}
    assert complaint(factory, complaint_id).topic_id == 5
    assert kept(factory) == []


def test_load_corrections_gives_the_trainer_text_and_latest_topic(factory, engine) -> None:
    complaint_id = submitted(factory, "FEED-4", "70000004")
    withdrawn = submitted(factory, "FEED-5", "70000005")
    feed = Feed()
    feed.events.append(ChangeEvent("70000004", None, "terverifikasi", None, T0, topic_id=50))
    pull(factory, feed)
    with transaction(factory) as session:  # a topic the catalogue no longer lists
        found = session.get(Complaint, withdrawn)
        assert found is not None
        before = corrections.Labels.of(found)
        found.topic_id = 999
        corrections.record(session, found, before, source="console", corrected_by="budi")
    assert len(kept(factory)) == 2
    examples = load_corrections(engine)
    text = corrections.text_of(complaint(factory, complaint_id))
    assert [(e.text, e.topic, e.channel) for e in examples] == [(text, 50, "api")]
