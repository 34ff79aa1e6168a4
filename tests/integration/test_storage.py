"""Storage on SQLite and PostgreSQL: migrations, deduplication, leases, fencing."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from gateway.domain.complaint import ComplaintDraft, Reporter
from gateway.domain.sla import NoHolidays, SlaPolicy
from gateway.domain.status import Status
from gateway.migrations import current_revision
from gateway.ports import ChangeEvent
from gateway.storage import outbox
from gateway.storage.complaints import apply_change, mark_submitted
from gateway.storage.engine import transaction
from gateway.storage.intake import record_complaint
from gateway.storage.models import Complaint, InboundMessage, OutboxJob, StatusEvent


def draft(source_ref: str = "T-1", **overrides: object) -> ComplaintDraft:
    values: dict[str, object] = {
        "tenant": "lampung",
        "channel": "api",
        "source_ref": source_ref,
        "title": "Jalan rusak",
        "content": "Jalan berlubang di depan pasar Way Halim sudah dua minggu.",
        "region_code": "18.71",
        "reporter": Reporter(name="Siti", phone="+6281234567890"),
    }
    values.update(overrides)
    return ComplaintDraft.model_validate(values)


def count(factory: sessionmaker[Session], model: type) -> int:
    with factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_migrations_create_every_table(engine) -> None:
    names = set(inspect(engine).get_table_names())
    assert {
        "inbound_message",
        "complaint",
        "status_event",
        "outbox_job",
        "job_attempt",
        "feed_cursor",
    } <= names
    assert current_revision(engine) is not None


def test_intake_writes_raw_complaint_history_and_submit_job_together(factory) -> None:
    result = record_complaint(factory, draft(), '{"raw": true}', "application/json")
    assert result.created and result.status == "received"
    with factory() as session:
        complaint = session.get(Complaint, result.complaint_id)
        assert complaint is not None
        assert complaint.external_ref == f"LGW-{result.complaint_id}"
        assert complaint.reporter_phone == "+6281234567890"
        inbound = session.scalars(select(InboundMessage)).one()
        assert inbound.payload == '{"raw": true}' and inbound.complaint_id == complaint.id
        jobs = session.scalars(select(OutboxJob)).all()
        assert [(j.kind, j.state) for j in jobs] == [("submit", "pending")]
        assert [e.status for e in session.scalars(select(StatusEvent))] == ["received"]


def test_same_source_ref_twice_is_one_complaint_even_concurrently(factory) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(
            pool.map(lambda _: record_complaint(factory, draft("DUP"), "{}", "x"), range(16))
        )
    assert len({r.complaint_id for r in results}) == 1
    assert sum(r.created for r in results) == 1
    assert count(factory, Complaint) == 1
    assert count(factory, OutboxJob) == 1
    # another channel or tenant with the same source_ref is another complaint
    record_complaint(factory, draft("DUP", channel="sms"), "{}", "x")
    record_complaint(factory, draft("DUP", tenant="kalsel", region_code="63"), "{}", "x")
    assert count(factory, Complaint) == 3


def test_claims_never_hand_one_job_to_two_workers(factory) -> None:
    for i in range(40):
        record_complaint(factory, draft(f"C-{i}"), "{}", "x")
    with ThreadPoolExecutor(max_workers=4) as pool:
        batches = list(pool.map(lambda w: outbox.claim(factory, f"w{w}", 15, 60), range(4)))
    ids = [job.id for batch in batches for job in batch]
    assert len(ids) == 40 and len(set(ids)) == 40


def test_expired_lease_is_taken_over_as_ambiguous_and_fences_the_old_owner(factory) -> None:
    record_complaint(factory, draft(), "{}", "x")
    [first] = outbox.claim(factory, "dead-worker", 10, lease_seconds=60)
    assert outbox.claim(factory, "other", 10, 60) == []  # leased
    with transaction(factory) as session:  # the lease runs out
        job = session.get(OutboxJob, first.id)
        assert job is not None
        job.lease_expires_at = datetime.now(UTC) - timedelta(seconds=1)
    [second] = outbox.claim(factory, "other", 10, 60)
    assert second.id == first.id and second.ambiguous and second.attempts == 2
    with transaction(factory) as session:
        assert outbox.finish_done(session, first, None) is False  # fenced
    with transaction(factory) as session:
        assert outbox.finish_done(session, second, 1.0) is True
    with factory() as session:
        job = session.get(OutboxJob, first.id)
        assert job is not None and job.state == "done"


def test_retry_schedules_later_and_failed_jobs_can_be_retried(factory) -> None:
    result = record_complaint(factory, draft(), "{}", "x")
    [job] = outbox.claim(factory, "w", 10, 60)
    with transaction(factory) as session:
        outbox.finish_retry(
            session,
            job,
            delay=3600,
            error="503",
            error_kind="retryable",
            ambiguous=True,
            latency_ms=5,
        )
    assert outbox.claim(factory, "w", 10, 60) == []  # not due for an hour
    with transaction(factory) as session:
        row = session.get(OutboxJob, job.id)
        assert row is not None
        row.next_attempt_at = datetime.now(UTC)
    [job] = outbox.claim(factory, "w", 10, 60)
    assert job.ambiguous
    with transaction(factory) as session:
        outbox.finish_failed(
            session, job, error="title: required", error_kind="permanent", latency_ms=5
        )
        from gateway.storage.complaints import mark_failed

        mark_failed(session, job.complaint_id, "title: required")
    with factory() as session:
        complaint = session.get(Complaint, result.complaint_id)
        assert complaint is not None
        assert complaint.status == "failed" and complaint.failure_reason == "title: required"
    assert outbox.retry_failed(factory, tenant="lampung") == [job.id]
    with factory() as session:
        complaint = session.get(Complaint, result.complaint_id)
        assert complaint is not None and complaint.status == "received"
    [again] = outbox.claim(factory, "w", 10, 60)
    assert again.id == job.id and again.attempts == 1 and again.ambiguous


def _submitted(factory, source_ref: str = "T-1", tracking_id: str = "70000001") -> str:
    result = record_complaint(factory, draft(source_ref), "{}", "x")
    with transaction(factory) as session:
        complaint = session.get(Complaint, result.complaint_id)
        assert complaint is not None
        mark_submitted(
            session,
            complaint,
            tracking_id,
            datetime(2026, 11, 20, 3, 0, tzinfo=UTC),
            NoHolidays(),
            SlaPolicy(),
        )
    return result.complaint_id


def test_submission_sets_due_date_history_and_notify_job(factory) -> None:
    complaint_id = _submitted(factory)
    with factory() as session:
        complaint = session.get(Complaint, complaint_id)
        assert complaint is not None
        assert complaint.status == "submitted" and complaint.tracking_id == "70000001"
        # Friday 20 Nov 2026 + 3 working days = Wednesday 25 Nov
        assert complaint.verify_due.isoformat() == "2026-11-25"
        kinds = [j.kind for j in session.scalars(select(OutboxJob).order_by(OutboxJob.id))]
        assert kinds == ["submit", "notify"]


def test_change_events_apply_once_and_replays_change_nothing(factory) -> None:
    complaint_id = _submitted(factory)
    at = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    events = [
        ChangeEvent("70000001", None, "terverifikasi", None, at),
        ChangeEvent(
            "70000001",
            None,
            "terdisposisi",
            None,
            at + timedelta(hours=1),
            agency_code="18-DPUPR",
            agency_name="Dinas PUPR Provinsi Lampung",
        ),
        ChangeEvent(
            "70000001", None, "ditindaklanjuti", "Perbaikan dijadwalkan.", at + timedelta(hours=2)
        ),
    ]
    outcomes = []
    for _ in range(2):  # the second round is a replay
        with transaction(factory) as session:
            outcomes += [
                apply_change(session, "lampung", e, NoHolidays(), SlaPolicy()) for e in events
            ]
    assert outcomes == ["applied"] * 3 + ["unchanged"] * 3
    with factory() as session:
        complaint = session.get(Complaint, complaint_id)
        assert complaint is not None
        assert complaint.status == Status.IN_PROGRESS
        assert complaint.agency_name == "Dinas PUPR Provinsi Lampung"
        assert complaint.last_response == "Perbaikan dijadwalkan."
        assert complaint.follow_up_due.isoformat() == "2026-11-30"
        national = session.scalars(select(StatusEvent).where(StatusEvent.source == "national"))
        assert [e.national_status for e in national] == [
            "terverifikasi",
            "terdisposisi",
            "ditindaklanjuti",
        ]
        notify = session.scalars(select(OutboxJob).where(OutboxJob.kind == "notify")).all()
        assert len(notify) == 4  # submitted + three changes
        assert json.loads(notify[-1].payload)["response"] == "Perbaikan dijadwalkan."


def test_change_for_another_tenant_or_unknown_id_is_not_applied(factory) -> None:
    _submitted(factory)
    event = ChangeEvent("70000001", None, "terverifikasi", None, datetime.now(UTC))
    with transaction(factory) as session:
        assert apply_change(session, "kalsel", event, NoHolidays(), SlaPolicy()) == "unknown"
        assert (
            apply_change(
                session,
                "lampung",
                ChangeEvent("99", None, "selesai", None, datetime.now(UTC)),
                NoHolidays(),
                SlaPolicy(),
            )
            == "unknown"
        )


def test_feed_reconciles_a_submission_whose_response_was_lost(factory) -> None:
    result = record_complaint(factory, draft(), "{}", "x")
    with factory() as session:
        external_ref = session.get(Complaint, result.complaint_id).external_ref
    event = ChangeEvent("70000042", external_ref, "belum_terverifikasi", None, datetime.now(UTC))
    with transaction(factory) as session:
        apply_change(session, "lampung", event, NoHolidays(), SlaPolicy())
    with factory() as session:
        complaint = session.get(Complaint, result.complaint_id)
        assert complaint.tracking_id == "70000042" and complaint.status == "submitted"


def test_backwards_transition_is_recorded_but_not_applied(factory) -> None:
    complaint_id = _submitted(factory)
    now = datetime.now(UTC)
    with transaction(factory) as session:
        apply_change(
            session,
            "lampung",
            ChangeEvent("70000001", None, "selesai", "Selesai.", now),
            NoHolidays(),
            SlaPolicy(),
        )
        outcome = apply_change(
            session,
            "lampung",
            ChangeEvent("70000001", None, "terverifikasi", None, now + timedelta(seconds=1)),
            NoHolidays(),
            SlaPolicy(),
        )
    assert outcome == "ignored"
    with factory() as session:
        assert session.get(Complaint, complaint_id).status == "resolved"


def test_the_feed_not_the_submit_answer_moves_the_status_on(factory) -> None:
    """A look-up after a lost response may find the complaint already dispatched; the
    complaint is still only `submitted` until the feed brings each step with its agency."""
    complaint_id = _submitted(factory)  # whatever the registry said, it starts as submitted
    at = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    event = ChangeEvent(
        "70000001",
        None,
        "terdisposisi",
        None,
        at,
        agency_code="18-DPUPR",
        agency_name="Dinas PUPR Provinsi Lampung",
    )
    with transaction(factory) as session:
        assert apply_change(session, "lampung", event, NoHolidays(), SlaPolicy()) == "applied"
    with factory() as session:
        complaint = session.get(Complaint, complaint_id)
        assert complaint.status == "dispatched" and complaint.agency_code == "18-DPUPR"
        assert complaint.follow_up_due is not None


def test_migrations_match_the_models(engine) -> None:
    """A model change without its migration fails here, on both backends."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []
