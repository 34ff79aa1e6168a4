"""An archive's notice tells the registry's reason, never an earlier response and never
"-" (issue 19, point 4); the end-to-end runs are in tests/e2e/test_archive_reason.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gateway.domain.sla import NoHolidays, SlaPolicy
from gateway.ports import ChangeEvent, Notification
from gateway.replies import reply_text
from gateway.storage.complaints import apply_change
from gateway.storage.engine import transaction
from gateway.storage.models import Complaint, OutboxJob
from gateway.tenants import load_tenants
from tests.integration.test_storage import _submitted
from tests.support import ROOT, TENANT_ENV

AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
EARLIER = "Perbaikan dijadwalkan minggu depan."


def archive_notice(factory: sessionmaker[Session], reason: str | None, language: str) -> str:
    """The text a chat or an SMS gets for the archive, built as the notify job builds it."""
    complaint_id = _submitted(factory)
    events = [
        ChangeEvent("70000001", None, "ditindaklanjuti", EARLIER, AT),
        ChangeEvent("70000001", None, "diarsipkan", reason, AT + timedelta(hours=1)),
    ]
    with transaction(factory) as session:
        outcomes = [apply_change(session, "lampung", e, NoHolidays(), SlaPolicy()) for e in events]
    assert outcomes == ["applied", "applied"]
    with factory() as session:
        complaint = session.get(Complaint, complaint_id)
        jobs = session.scalars(select(OutboxJob).where(OutboxJob.kind == "notify")).all()
    assert complaint is not None and complaint.status == "rejected"
    payload = json.loads(jobs[-1].payload)
    notification = Notification(
        tenant="lampung",
        channel="api",
        complaint_id=complaint_id,
        source_ref=complaint.source_ref,
        tracking_id=payload["tracking_id"],
        status=payload["status"],
        response=payload["response"],
        language=language,
    )
    tenant = load_tenants(ROOT / "mappings", TENANT_ENV)["lampung"]
    return reply_text(tenant, notification, complaint, language)


def test_the_archive_notice_tells_the_reason_that_came_with_the_archive(factory) -> None:
    reason = "Laporan diarsipkan karena merupakan duplikasi dari laporan lain."
    text = archive_notice(factory, reason, "id")
    assert "diarsipkan dan tidak dapat ditindaklanjuti: Laporan diarsipkan karena" in text
    assert "duplikasi dari laporan lain. Silakan kirim laporan baru" in text  # one full stop
    assert EARLIER not in text


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("id", "ditindaklanjuti: admin SP4N-LAPOR! tidak menyertakan alasannya. Silakan"),
        ("en", "followed up: the SP4N-LAPOR! admin gave no reason. Please"),
    ],
)
def test_an_archive_without_a_reason_says_so_not_an_earlier_response_nor_a_dash(
    factory, language: str, words: str
) -> None:
    text = archive_notice(factory, None, language)
    assert words in text, text
    assert EARLIER not in text and ": -." not in text
