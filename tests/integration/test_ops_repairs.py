"""Repairs on the console over a real loopback server: a failed submission's values
corrected and replayed, quarantined inputs replayed or dismissed, all audited."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gateway.storage.models import Complaint, InboundMessage, OutboxJob
from tests.integration.test_ops_pages import (
    audits,
    base_url,
    clients,
    csrf_of,
    fail_job,
    file_complaint,
)
from tests.support import wait_until

__all__ = ["base_url", "clients"]  # the fixtures, shared with test_ops_pages


def _complaint(factory: sessionmaker[Session], complaint_id: str) -> Complaint:
    with factory() as session:
        found = session.get(Complaint, complaint_id)
        assert found is not None
        return found


def _job(factory: sessionmaker[Session], job_id: int) -> OutboxJob:
    with factory() as session:
        found = session.get(OutboxJob, job_id)
        assert found is not None
        return found


def _fix(client: httpx.Client, job_id: int, **values: str) -> httpx.Response:
    form = client.get(f"/ops/jobs/{job_id}/fix")
    assert form.status_code == 200, form.text
    data = {
        "csrf_token": csrf_of(form),
        "topic_id": "",
        "agency_code": "",
        "region_code": "",
        "incident_date": "",
    }
    data.update(values)
    return client.post(f"/ops/jobs/{job_id}/fix", data=data)


def test_failed_submission_is_corrected_and_replayed(base_url, clients, factory) -> None:
    budi, rina, lihat = clients["budi"], clients["rina"], clients["lihat"]
    # taken when the agency was still national; the registry withdrew it since (an
    # agency the catalogue does not list is refused at intake)
    complaint_id = file_complaint(base_url, "FIX-1", agency_code="18-DISHUB", topic_id=1)
    job_id = fail_job(factory, complaint_id)
    with factory() as session, session.begin():
        job = session.get(OutboxJob, job_id)
        assert job is not None
        job.last_error = "invalid fields: agency_code (unknown agency 'DISHUB-LAMA')"
        complaint = session.get(Complaint, complaint_id)
        assert complaint is not None
        complaint.agency_code = "DISHUB-LAMA"

    listed = budi.get("/ops/jobs?state=failed")
    assert f'href="/ops/jobs/{job_id}/fix"' in listed.text
    form = budi.get(f"/ops/jobs/{job_id}/fix")
    assert 'value="DISHUB-LAMA"' in form.text
    # the field the registry named stands out and has the focus
    assert 'class="named">Instansi <small>(agency_code)</small>' in form.text
    assert "autofocus" in form.text
    assert rina.get(f"/ops/jobs/{job_id}/fix").status_code == 404  # kalsel's operator
    assert lihat.get(f"/ops/jobs/{job_id}/fix").status_code == 403  # read-only

    wrong = _fix(budi, job_id, topic_id="1", agency_code="TIDAK-ADA", region_code="18.7")
    assert wrong.status_code == 400
    assert "instansi TIDAK-ADA tidak ada di katalog nasional" in wrong.text
    assert "harus kode wilayah Kemendagri" in wrong.text
    assert _job(factory, job_id).state == "failed"
    assert _complaint(factory, complaint_id).agency_code == "DISHUB-LAMA"

    fixed = _fix(budi, job_id, topic_id="1", agency_code="KEMENPU", region_code="18.71")
    assert fixed.status_code == 303
    assert fixed.headers["location"] == f"/ops/complaints/{complaint_id}"
    complaint = _complaint(factory, complaint_id)
    assert (complaint.agency_code, complaint.status) == ("KEMENPU", "received")
    job = _job(factory, job_id)
    assert (job.state, job.attempts) == ("pending", 0)
    (edit,) = audits(factory, "edit_complaint")
    assert edit.detail == "agency_code: 'DISHUB-LAMA' -> 'KEMENPU'"
    assert (edit.username, edit.job_id, edit.complaint_id) == ("budi", job_id, complaint_id)
    assert [a.job_id for a in audits(factory, "retry_job")] == [job_id]
    page = budi.get(f"/ops/complaints/{complaint_id}")
    assert page.text.count('class="audit-entry"') == 2
    assert "agency_code: &#39;DISHUB-LAMA&#39; -&gt; &#39;KEMENPU&#39;" in page.text

    # replayed once: the job is no longer failed; a stale form is refused
    again = budi.post(
        f"/ops/jobs/{job_id}/fix",
        data={"csrf_token": csrf_of(form), "topic_id": "1", "region_code": "18.71"},
    )
    assert again.status_code == 409
    assert len(audits(factory, "retry_job")) == 1


def test_a_complaint_the_registry_has_is_not_edited(base_url, clients, factory) -> None:
    budi = clients["budi"]
    complaint_id = file_complaint(base_url, "FIX-2")
    job_id = fail_job(factory, complaint_id)
    form = budi.get(f"/ops/jobs/{job_id}/fix")
    with factory() as session, session.begin():
        complaint = session.get(Complaint, complaint_id)
        assert complaint is not None
        complaint.tracking_id = "LPR-FIX-2"
    answer = budi.post(
        f"/ops/jobs/{job_id}/fix",
        data={"csrf_token": csrf_of(form), "topic_id": "1", "region_code": "18.72"},
    )
    assert answer.status_code == 409 and "sudah tercatat di registri nasional" in answer.text
    assert _complaint(factory, complaint_id).region_code == "18.71"
    assert _job(factory, job_id).state == "failed"
    assert audits(factory, "edit_complaint") == []


def _quarantine(
    factory: sessionmaker[Session], tenant: str, channel: str, ref: str, payload: dict, error: str
) -> str:
    row = InboundMessage(
        id=str(uuid.uuid4()),
        tenant=tenant,
        channel=channel,
        source_ref=ref,
        content_type="application/json",
        payload=json.dumps(payload),
        state="quarantined",
        error=error,
        received_at=datetime.now(UTC),
    )
    with factory() as session, session.begin():
        session.add(row)
    return row.id


RECORD = {
    "id_laporan": "LP-77",
    "judul_laporan": "Lampu jalan mati",
    "isi_laporan": "Lampu jalan di Jl. A. Yani km 3 mati sejak seminggu, gelap sekali.",
    "kategori": "Jalan dan Jembatan",
    "nama_pelapor": "Siti Aminah",
    "no_hp": "0812 5555 1234",
    "kode_wilayah": "63.71",
    "tanggal_kejadian": "31/02/2026",
}


def _inbound(factory: sessionmaker[Session], tenant: str, ref: str) -> InboundMessage | None:
    with factory() as session:
        return session.scalars(
            select(InboundMessage).where(
                InboundMessage.tenant == tenant,  # type: ignore[arg-type]
                InboundMessage.source_ref == ref,  # type: ignore[arg-type]
            )
        ).first()


def test_quarantined_record_is_corrected_and_replayed(base_url, clients, factory) -> None:
    budi, rina = clients["budi"], clients["rina"]
    error = "tanggal_kejadian: is not a date in the form %Y-%m-%d"
    inbound_id = _quarantine(factory, "kalsel", "webform", "LP-77", RECORD, error)
    other = _quarantine(factory, "lampung", "webform", "X-1", {"a": "b"}, "a: wrong")

    listed = rina.get("/ops/inputs")
    assert f'href="/ops/inputs/{inbound_id}"' in listed.text
    assert other not in listed.text  # lampung's input: not kalsel's operator's
    assert rina.get(f"/ops/inputs/{other}").status_code == 404
    page = rina.get(f"/ops/inputs/{inbound_id}")
    assert page.status_code == 200
    # the reporter's name and phone are masked; the wrong field is there to correct
    assert "Siti" not in page.text and "5555" not in page.text
    assert 'class="named">tanggal_kejadian' in page.text

    def replay(**fields: str) -> httpx.Response:
        form = rina.get(f"/ops/inputs/{inbound_id}")
        data = {"csrf_token": csrf_of(form)}
        for key, value in RECORD.items():
            personal = key in ("nama_pelapor", "no_hp")
            data[f"field:{key}"] = "" if personal else value
        data.update({f"field:{k}": v for k, v in fields.items()})
        return rina.post(f"/ops/inputs/{inbound_id}/replay", data=data)

    still = replay(tanggal_kejadian="2026-02-31")
    assert still.status_code == 400 and "tanggal_kejadian" in still.text
    kept = _inbound(factory, "kalsel", "LP-77")
    assert kept is not None and kept.state == "quarantined" and kept.id == inbound_id

    done = replay(tanggal_kejadian="2026-02-28")
    assert done.status_code == 303, done.text
    complaint_id = done.headers["location"].rsplit("/", 1)[1]
    complaint = _complaint(factory, complaint_id)
    assert (complaint.tenant, complaint.source_ref) == ("kalsel", "LP-77")
    assert str(complaint.incident_date) == "2026-02-28"
    assert complaint.reporter_name == "Siti Aminah"  # kept, though the form hid it
    assert complaint.reporter_phone == "+6281255551234"
    stored = _inbound(factory, "kalsel", "LP-77")
    assert stored is not None and stored.state == "parsed"
    assert json.loads(stored.payload)["tanggal_kejadian"] == "2026-02-28"
    (entry,) = audits(factory, "replay_input")
    assert entry.complaint_id == complaint_id and "tanggal_kejadian" in (entry.detail or "")
    assert "Siti" not in (entry.detail or "")
    with factory() as session:
        jobs = session.scalars(select(OutboxJob).where(OutboxJob.complaint_id == complaint_id))  # type: ignore[arg-type]
        assert [j.kind for j in jobs] == ["submit"]
    assert budi.post(f"/ops/inputs/{inbound_id}/replay", data={}).status_code == 403  # no CSRF


def test_quarantined_input_dismissed_and_telegram_replayed(base_url, clients, factory) -> None:
    budi, lihat = clients["budi"], clients["lihat"]
    sms = _quarantine(
        factory, "sumbar", "sms", "sms:1", {"from": "TELKOMSEL"}, "sender is not a phone number"
    )
    update = _quarantine(factory, "sumbar", "telegram", "update:9", {"update_id": 9}, "KeyError")
    page = budi.get(f"/ops/inputs/{sms}")
    assert "Proses ulang" not in page.text  # SMS inputs are not replayed
    form = lihat.get(f"/ops/inputs/{sms}")
    read_only = lihat.post(
        f"/ops/inputs/{sms}/dismiss", data={"csrf_token": csrf_of(form), "reason": "spam"}
    )
    assert read_only.status_code == 403
    empty = budi.post(f"/ops/inputs/{sms}/dismiss", data={"csrf_token": csrf_of(page)})
    assert empty.status_code == 400
    dismissed = budi.post(
        f"/ops/inputs/{sms}/dismiss",
        data={"csrf_token": csrf_of(page), "reason": "pesan operator seluler"},
    )
    assert dismissed.status_code == 303
    row = _inbound(factory, "sumbar", "sms:1")
    assert row is not None and row.state == "dismissed"
    (entry,) = audits(factory, "dismiss_input")
    assert entry.detail == "sms sms:1: pesan operator seluler"

    page = budi.get(f"/ops/inputs/{update}")
    assert "Proses ulang" in page.text and "field:" not in page.text
    replayed = budi.post(f"/ops/inputs/{update}/replay", data={"csrf_token": csrf_of(page)})
    assert replayed.status_code == 303 and replayed.headers["location"] == "/ops/inputs"

    # back to "accepted", and the bot's service, woken, takes it again at once: an
    # update without a message is ignored this time instead of failing
    def processed() -> InboundMessage | None:
        found = _inbound(factory, "sumbar", "update:9")
        return found if found is not None and found.state != "accepted" else None

    row = wait_until(processed, timeout=10, what="the replayed update to be processed")
    assert (row.state, row.error) == ("ignored", "update kind not handled: empty")
    assert "update:9" not in budi.get("/ops/inputs").text
