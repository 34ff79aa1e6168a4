"""The console's pages over a real loopback server: overview, complaints, jobs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from gateway.ops.models import AuditLog
from gateway.storage.models import Complaint, OutboxJob
from tests.ops_support import Clients, csrf_of, serve_console, signed_in_clients
from tests.support import TENANT_ENV, scaled

API_KEY = {"X-API-Key": TENANT_ENV["GATEWAY_LAMPUNG_API_KEY"]}


@pytest.fixture
def base_url(engine, database_url: str) -> Iterator[str]:
    with serve_console(database_url) as base:
        yield base


@pytest.fixture
def clients(base_url: str, factory: sessionmaker[Session]) -> Iterator[Clients]:
    """A signed-in client per operator: national, kalsel's, and read-only.

    Only the first signs in through the form; the others get a session directly.
    """
    with signed_in_clients(
        base_url,
        factory,
        (("budi", "national", None), ("rina", "tenant", "kalsel"), ("lihat", "read_only", None)),
        by_form={"budi"},
    ) as made:
        yield made


def file_complaint(base_url: str, source_ref: str, **extra: Any) -> str:
    body = {
        "source_ref": source_ref,
        "title": f"Jalan berlubang {source_ref}",
        "content": "Jalan berlubang besar di depan pasar Kedaton, belum diperbaiki.",
        "region_code": "18.71",
        **extra,
    }
    answer = httpx.post(
        f"{base_url}/channels/api/lampung/complaints",
        json=body,
        headers=API_KEY,
        timeout=scaled(10),
    )
    assert answer.status_code == 202, answer.text
    complaint_id: str = answer.json()["id"]
    return complaint_id


def change(factory: sessionmaker[Session], complaint_id: str, **values: Any) -> None:
    with factory() as session, session.begin():
        session.execute(update(Complaint).where(Complaint.id == complaint_id).values(**values))  # type: ignore[arg-type]


def fail_job(factory: sessionmaker[Session], complaint_id: str) -> int:
    """The complaint's submit job, failed as the dispatcher leaves it."""
    with factory() as session, session.begin():
        job = session.scalars(select(OutboxJob).where(OutboxJob.complaint_id == complaint_id)).one()  # type: ignore[arg-type]
        job.state, job.attempts = "failed", 3
        job.last_error, job.last_error_kind = "422 topic_id unknown", "permanent"
        assert job.id is not None
        return job.id


def job_state(factory: sessionmaker[Session], job_id: int) -> str:
    with factory() as session:
        job = session.get(OutboxJob, job_id)
        assert job is not None
        return job.state


def audits(factory: sessionmaker[Session], action: str) -> list[AuditLog]:
    with factory() as session:
        query = select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)  # type: ignore[arg-type]
        return list(session.scalars(query))


def refs(page: httpx.Response) -> list[str]:
    assert page.status_code == 200, page.text
    return sorted(re.findall(r'<a href="/ops/complaints/[^"]+">([^<]+)</a>', page.text))


def cell(page: httpx.Response, tenant: str, name: str) -> str:
    row = page.text.split(f'id="tenant-{tenant}"', 1)[1].split("</tr>", 1)[0]
    match = re.search(rf'class="{name}">\s*(.*?)\s*</td>', row, re.S)
    assert match is not None
    return match.group(1)


def test_overview_list_filters_and_search(base_url, clients, factory) -> None:
    budi = clients["budi"]
    sent = file_complaint(base_url, "CC-1", reporter={"phone": "0812-3456-7890"})
    flagged = file_complaint(base_url, "CC-2")
    overdue = file_complaint(base_url, "CC-3")
    old = file_complaint(base_url, "CC-4")
    change(factory, sent, tracking_id="LPR-0001", status="submitted")
    change(factory, flagged, review_reason="no topic for the category")
    yesterday = datetime.now(UTC).date() - timedelta(days=2)
    change(factory, overdue, verify_due=yesterday)
    change(factory, old, created_at=datetime.now(UTC) - timedelta(days=3))
    fail_job(factory, flagged)

    home = budi.get("/ops", headers={"Accept": "text/html"})
    assert home.status_code == 200 and 'name="viewport"' in home.text
    assert 'href="/ops/static/ops.css"' in home.text and "<style" not in home.text
    assert "Masuk sebagai Budi (nasional)" in home.text
    assert cell(home, "lampung", "received") == "3"
    assert cell(home, "lampung", "sent") == "1"
    assert cell(home, "lampung", "waiting") == "3"  # CC-2, CC-3 and yesterday's CC-4
    assert ">1</a>" in cell(home, "lampung", "failed")
    assert "api: 3" in cell(home, "lampung", "channels")
    assert cell(home, "kalsel", "received") == "0"
    css = budi.get("/ops/static/ops.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")

    assert refs(budi.get("/ops/complaints")) == ["CC-1", "CC-2", "CC-3", "CC-4"]
    assert refs(budi.get("/ops/complaints?flagged=1")) == ["CC-2"]
    assert refs(budi.get("/ops/complaints?overdue=1")) == ["CC-3"]
    assert refs(budi.get("/ops/complaints?status=submitted")) == ["CC-1"]
    assert refs(budi.get("/ops/complaints?channel=api&tenant=lampung")) == [
        "CC-1",
        "CC-2",
        "CC-3",
        "CC-4",
    ]
    assert refs(budi.get("/ops/complaints?tenant=kalsel")) == []
    assert refs(budi.get("/ops/complaints", params={"q": "LPR-0001"})) == ["CC-1"]
    assert refs(budi.get("/ops/complaints", params={"q": "CC-3"})) == ["CC-3"]
    assert refs(budi.get("/ops/complaints", params={"q": "+62 812 3456 7890"})) == ["CC-1"]
    assert refs(budi.get("/ops/complaints", params={"q": "tidak ada"})) == []
    paged = budi.get("/ops/complaints?page=2")
    assert refs(paged) == [] and 'rel="prev"' in paged.text and 'rel="next"' not in paged.text


def test_a_tenant_operator_sees_only_its_tenant(base_url, clients, factory) -> None:
    rina = clients["rina"]
    complaint_id = file_complaint(base_url, "CC-9")
    job_id = fail_job(factory, complaint_id)
    home = rina.get("/ops")
    assert 'id="tenant-kalsel"' in home.text and "tenant-lampung" not in home.text
    assert refs(rina.get("/ops/complaints")) == []
    assert refs(rina.get("/ops/complaints?tenant=lampung")) == []
    assert refs(rina.get("/ops/complaints", params={"q": "CC-9"})) == []
    assert rina.get(f"/ops/complaints/{complaint_id}").status_code == 404
    jobs = rina.get("/ops/jobs?state=failed")
    assert jobs.status_code == 200 and f'id="job-{job_id}"' not in jobs.text
    csrf = csrf_of(home)
    assert rina.post(f"/ops/jobs/{job_id}/retry", data={"csrf_token": csrf}).status_code == 404
    reveal = rina.post(f"/ops/complaints/{complaint_id}/reveal", data={"csrf_token": csrf})
    assert reveal.status_code == 404
    assert job_state(factory, job_id) == "failed" and audits(factory, "retry_job") == []


def test_the_reporter_is_masked_until_revealed_and_the_reveal_is_audited(
    base_url, clients, factory
) -> None:
    budi, lihat = clients["budi"], clients["lihat"]
    reporter = {
        "name": "Siti Aminah",
        "phone": "0812-3456-7890",
        "email": "siti@example.id",
        "nik": "1871010101900001",
    }
    complaint_id = file_complaint(base_url, "CC-5", reporter=reporter)
    path = f"/ops/complaints/{complaint_id}"
    page = budi.get(path)
    assert page.status_code == 200 and "+62******90" in page.text and "S*** A***" in page.text
    assert "Jalan berlubang CC-5" in page.text and "&#34;source_ref&#34;" in page.text
    for secret in ("Siti Aminah", "3456", "siti@example.id", "1871010101900001"):
        assert secret not in page.text  # neither in the fields nor in the raw input
    assert "Tampilkan data pribadi" in page.text
    assert (
        'kirim ke SP4N-LAPOR!: <span class="job-state" title="pending">menunggu</span>' in page.text
    )  # its job, with no attempt yet

    assert budi.post(f"{path}/reveal").status_code == 403
    assert audits(factory, "reveal_personal_data") == []
    answer = budi.post(f"{path}/reveal", data={"csrf_token": csrf_of(page)})
    assert answer.status_code == 303
    shown = budi.get(answer.headers["location"])
    assert "+6281234567890" in shown.text and "Siti Aminah" in shown.text
    assert "1871010101900001" in shown.text and "siti@example.id" in shown.text
    (entry,) = audits(factory, "reveal_personal_data")
    assert entry.complaint_id == complaint_id and entry.tenant == "lampung"
    assert entry.username == "budi" and entry.detail is None

    # the reveal is the operator's own: another operator with the same link sees masks
    borrowed = lihat.get(answer.headers["location"])
    assert borrowed.status_code == 200 and "Siti Aminah" not in borrowed.text
    login_row = audits(factory, "login")[0].id  # an audit row, but not a reveal
    assert "Siti Aminah" not in budi.get(f"{path}?reveal={login_row}").text
    assert "Siti Aminah" not in budi.get(f"{path}?reveal=abc").text


def test_read_only_cannot_reveal_a_confidential_reporter_nor_act(
    base_url, clients, factory
) -> None:
    lihat = clients["lihat"]
    complaint_id = file_complaint(
        base_url, "CC-6", confidential=True, reporter={"name": "Rahasia Sekali"}
    )
    job_id = fail_job(factory, complaint_id)
    page = lihat.get(f"/ops/complaints/{complaint_id}")
    assert page.status_code == 200 and "Rahasia Sekali" not in page.text
    assert "Tampilkan data pribadi" not in page.text
    csrf = csrf_of(page)
    refused = lihat.post(f"/ops/complaints/{complaint_id}/reveal", data={"csrf_token": csrf})
    assert refused.status_code == 403 and audits(factory, "reveal_personal_data") == []
    jobs = lihat.get("/ops/jobs?state=failed")
    assert f'id="job-{job_id}"' in jobs.text and "/retry" not in jobs.text
    retry = lihat.post(f"/ops/jobs/{job_id}/retry", data={"csrf_token": csrf})
    assert retry.status_code == 403 and job_state(factory, job_id) == "failed"
    dismiss = lihat.post(f"/ops/jobs/{job_id}/dismiss", data={"csrf_token": csrf, "reason": "x"})
    assert dismiss.status_code == 403 and job_state(factory, job_id) == "failed"


def test_retry_and_dismiss_a_failed_job(base_url, clients, factory) -> None:
    budi = clients["budi"]
    complaint_id = file_complaint(base_url, "CC-7")
    job_id = fail_job(factory, complaint_id)
    jobs = budi.get("/ops/jobs?state=failed")
    assert f'id="job-{job_id}"' in jobs.text and "422 topic_id unknown" in jobs.text
    csrf = csrf_of(jobs)

    assert budi.post(f"/ops/jobs/{job_id}/retry").status_code == 403
    assert budi.post(f"/ops/jobs/{job_id}/retry", data={"csrf_token": "x"}).status_code == 403
    assert job_state(factory, job_id) == "failed"
    retried = budi.post(f"/ops/jobs/{job_id}/retry", data={"csrf_token": csrf})
    assert retried.status_code == 303 and job_state(factory, job_id) == "pending"
    (entry,) = audits(factory, "retry_job")
    assert (entry.job_id, entry.complaint_id, entry.username) == (job_id, complaint_id, "budi")
    again = budi.post(f"/ops/jobs/{job_id}/retry", data={"csrf_token": csrf})
    assert again.status_code == 409  # no longer failed

    fail_job(factory, complaint_id)
    dismiss = f"/ops/jobs/{job_id}/dismiss"
    assert budi.post(dismiss, data={"reason": "duplikat"}).status_code == 403
    assert budi.post(dismiss, data={"csrf_token": csrf, "reason": " "}).status_code == 400
    assert job_state(factory, job_id) == "failed"
    done = budi.post(dismiss, data={"csrf_token": csrf, "reason": "duplikat dari CC-1"})
    assert done.status_code == 303 and job_state(factory, job_id) == "dismissed"
    (entry,) = audits(factory, "dismiss")
    assert entry.job_id == job_id and entry.detail == "duplikat dari CC-1"
    assert f'id="job-{job_id}"' not in budi.get("/ops/jobs?state=failed").text
    assert f'id="job-{job_id}"' in budi.get("/ops/jobs?state=dismissed").text
    # a dismissed job is never retried in bulk (gateway jobs retry --all) nor claimed
    from gateway.storage import outbox

    assert outbox.retry_failed(factory) == [] and job_state(factory, job_id) == "dismissed"
