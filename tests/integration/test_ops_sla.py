"""The console's figures and lists over a real loopback server: the overview's registry
latency and 7-day chart, the SLA page, and the jobs list's pages."""

from __future__ import annotations

import random
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker

from gateway.ops.wib import start_of, today
from gateway.storage.models import Complaint, JobAttempt, OutboxJob
from tests.integration.test_ops_pages import base_url, cell, clients, refs

__all__ = ["base_url", "clients"]  # the fixtures, shared with test_ops_pages


def add_complaint(
    factory: sessionmaker[Session], tenant: str, ref: str, **values: Any
) -> Complaint:
    now = datetime.now(UTC)
    row = Complaint(
        id=str(uuid.uuid4()),
        tenant=tenant,
        channel="api",
        source_ref=ref,
        external_ref=f"GW-{uuid.uuid4().hex[:12]}",
        title=f"Lampu jalan padam {ref}",
        content="Lampu jalan di depan sekolah padam sejak minggu lalu.",
        classification="complaint",
        region_code="18.71",
        status="received",
        created_at=now,
        updated_at=now,
    )
    for name, value in values.items():
        setattr(row, name, value)
    with factory() as session, session.begin():
        session.add(row)
    return row


def add_jobs(
    factory: sessionmaker[Session], tenant: str, state: str, count: int, kind: str = "submit"
) -> list[int]:
    now = datetime.now(UTC)
    rows = [
        OutboxJob(
            kind=kind,
            tenant=tenant,
            complaint_id=str(uuid.uuid4()),
            state=state,
            next_attempt_at=now,
            created_at=now,
            updated_at=now,
        )
        for _ in range(count)
    ]
    with factory() as session, session.begin():
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows if row.id is not None]


def add_attempts(
    factory: sessionmaker[Session], job_id: int, latencies: list[float | None], ago: timedelta
) -> None:
    finished = datetime.now(UTC) - ago
    with factory() as session, session.begin():
        session.add_all(
            JobAttempt(
                job_id=job_id,
                attempt=n,
                worker="w1",
                outcome="retry",
                latency_ms=ms,
                started_at=finished - timedelta(seconds=1),
                finished_at=finished,
            )
            for n, ms in enumerate(latencies, 1)
        )


def chart_titles(page: httpx.Response, tenant: str) -> dict[tuple[str, str], int]:
    row = page.text.split(f'id="tenant-{tenant}"', 1)[1].split("</tr>", 1)[0]
    found = re.findall(r"<title>\w+ (\d{4}-\d\d-\d\d): (\d+) (masuk|terkirim)</title>", row)
    return {(day, word): int(n) for day, n, word in found}


def test_the_overview_charts_the_last_7_days_per_tenant(base_url, clients, factory) -> None:
    day = today()
    week = [day - timedelta(days=back) for back in range(6, -1, -1)]

    def on(back: int, ref: str, tenant: str = "lampung", **values: Any) -> None:
        at = start_of(day - timedelta(days=back)) + timedelta(hours=1)
        add_complaint(factory, tenant, ref, created_at=at, **values)

    on(6, "W-1", tracking_id="LPR-W1", status="submitted")
    on(6, "W-2")
    on(3, "W-3")
    on(3, "W-4", tracking_id="LPR-W4", status="verified")
    on(3, "W-5", tracking_id="LPR-W5", status="resolved")
    on(3, "W-6")
    on(0, "W-7", tracking_id="LPR-W7", status="submitted")
    on(7, "W-8", tracking_id="LPR-W8", status="submitted")  # 8 days ago: not shown
    on(1, "W-9", tenant="kalsel")
    # 1 minute before the first day's midnight WIB: the day before, not shown
    add_complaint(factory, "lampung", "W-10", created_at=start_of(week[0]) - timedelta(minutes=1))

    home = clients["budi"].get("/ops")
    assert home.status_code == 200 and "style=" not in home.text
    expected = {(d.isoformat(), word): 0 for d in week for word in ("masuk", "terkirim")}
    expected |= {
        (week[0].isoformat(), "masuk"): 2,
        (week[0].isoformat(), "terkirim"): 1,
        (week[3].isoformat(), "masuk"): 4,
        (week[3].isoformat(), "terkirim"): 2,
        (week[6].isoformat(), "masuk"): 1,
        (week[6].isoformat(), "terkirim"): 1,
    }
    assert chart_titles(home, "lampung") == expected
    lampung = home.text.split('id="tenant-lampung"', 1)[1].split("</tr>", 1)[0]
    assert 'role="img"' in lampung
    assert "7 pengaduan masuk, 4 terkirim ke SP4N-LAPOR!" in lampung
    assert f"({week[0].isoformat()} s.d. {day.isoformat()})" in lampung
    assert 'height="48"' in lampung  # the busiest day fills the plot
    kalsel = chart_titles(home, "kalsel")
    assert kalsel[(week[5].isoformat(), "masuk")] == 1 and sum(kalsel.values()) == 1
    assert sum(chart_titles(home, "sulbar").values()) == 0


def test_the_overview_shows_the_registry_latency_of_the_last_hour(
    base_url, clients, factory
) -> None:
    (submit,) = add_jobs(factory, "lampung", "done", 1)
    (comment,) = add_jobs(factory, "lampung", "done", 1, kind="comment")
    (notify,) = add_jobs(factory, "lampung", "done", 1, kind="notify")
    (kalsel,) = add_jobs(factory, "kalsel", "done", 1)
    latencies: list[float | None] = [float(ms) for ms in range(10, 201, 10)]  # 10 .. 200
    random.Random(7).shuffle(latencies)
    add_attempts(factory, submit, latencies[:12], timedelta(minutes=5))
    add_attempts(factory, comment, [*latencies[12:], None], timedelta(minutes=50))
    # none of these count: older than an hour, a channel's reply, no latency
    add_attempts(factory, submit, [9000.0, 9000.0], timedelta(minutes=61))
    add_attempts(factory, notify, [9000.0, 9000.0], timedelta(minutes=5))
    add_attempts(factory, kalsel, [42.4], timedelta(minutes=1))

    home = clients["budi"].get("/ops")
    # nearest rank of 20 values: the 10th (median) and the 19th (p95)
    assert cell(home, "lampung", "latency-median") == "100 ms"
    assert cell(home, "lampung", "latency-p95") == "190 ms"
    assert cell(home, "kalsel", "latency-median") == "42 ms"
    assert cell(home, "kalsel", "latency-p95") == "42 ms"
    assert cell(home, "sulbar", "latency-median") == "-"
    assert cell(home, "sulbar", "latency-p95") == "-"


def sla_rows(page: httpx.Response) -> list[tuple[str, str, str]]:
    """(tenant, tracking ID, what was missed) per row, in the page's order."""
    assert page.status_code == 200, page.text
    rows = re.findall(r'<tr class="overdue" id="overdue-[^"]+">(.*?)</tr>', page.text, re.S)
    found = []
    for row in rows:
        tenant = re.search(r'data-label="Penyelenggara" class="tenant" title="([^"]+)">', row)
        tracking = re.search(r'<a href="/ops/complaints/[^"]+">([^<]+)</a>', row)
        missed = re.findall(r"<div>(.*?)</div>", row, re.S)
        assert tenant and tracking
        text = "; ".join(re.sub(r"<[^>]+>", "", m).strip() for m in missed)
        found.append((tenant.group(1), tracking.group(1), text))
    return found


def test_the_sla_page_lists_complaints_past_due_most_overdue_first(
    base_url, clients, factory
) -> None:
    budi, rina = clients["budi"], clients["rina"]
    day = today()

    def ago(days: int) -> date:
        return day - timedelta(days=days)

    def add(tenant: str, ref: str, status: str, **dues: Any) -> None:
        add_complaint(factory, tenant, ref, status=status, tracking_id=f"LPR-{ref}", **dues)

    add("lampung", "A", "submitted", verify_due=ago(3), reporter_name="Siti Aminah")
    add("lampung", "B", "dispatched", verify_due=ago(10), follow_up_due=ago(1))
    add("lampung", "C", "in_progress", verify_due=ago(12), follow_up_due=ago(5))
    add("lampung", "D", "verified", verify_due=ago(8))  # verified: the date no longer counts
    add("lampung", "E", "resolved", verify_due=ago(30), follow_up_due=ago(20))  # finished
    add("lampung", "F", "submitted", verify_due=day)  # due today: not past
    add("kalsel", "G", "submitted", verify_due=ago(2))

    page = budi.get("/ops/sla")
    assert sla_rows(page) == [
        ("lampung", "LPR-C", f"tindak lanjut {ago(5).isoformat()}: 5 hari"),
        ("lampung", "LPR-A", f"verifikasi {ago(3).isoformat()}: 3 hari"),
        ("kalsel", "LPR-G", f"verifikasi {ago(2).isoformat()}: 2 hari"),
        ("lampung", "LPR-B", f"tindak lanjut {ago(1).isoformat()}: 1 hari"),
    ]
    assert "4 pengaduan lewat tenggat." in page.text and "Siti Aminah" not in page.text
    assert '<a href="/ops/sla">SLA</a>' in page.text and 'rel="next"' not in page.text
    # the complaint list's "overdue" filter is the same definition
    assert refs(budi.get("/ops/complaints?overdue=1")) == ["A", "B", "C", "G"]
    assert [r[1] for r in sla_rows(budi.get("/ops/sla?tenant=kalsel"))] == ["LPR-G"]

    # a tenant's operator sees its own tenant only, whatever the URL asks
    assert [r[1] for r in sla_rows(rina.get("/ops/sla"))] == ["LPR-G"]
    assert sla_rows(rina.get("/ops/sla?tenant=lampung")) == []
    assert "0 pengaduan lewat tenggat." in rina.get("/ops/sla?tenant=lampung").text


def test_the_sla_page_comes_in_pages_of_50(base_url, clients, factory) -> None:
    budi = clients["budi"]
    for n in range(51):
        add_complaint(
            factory,
            "lampung",
            f"P-{n:02d}",
            status="submitted",
            tracking_id=f"LPR-P{n:02d}",
            verify_due=today() - timedelta(days=60 - n),  # P-00 is the most overdue
        )
    first = budi.get("/ops/sla?tenant=lampung")
    rows = sla_rows(first)
    assert len(rows) == 50 and rows[0][1] == "LPR-P00" and rows[-1][1] == "LPR-P49"
    assert "51 pengaduan lewat tenggat." in first.text and "Halaman 1 dari 2" in first.text
    assert 'rel="next" href="/ops/sla?tenant=lampung&amp;page=2"' in first.text
    assert 'rel="prev"' not in first.text
    second = budi.get("/ops/sla?tenant=lampung&page=2")
    assert [r[1] for r in sla_rows(second)] == ["LPR-P50"]
    assert 'rel="prev" href="/ops/sla?tenant=lampung&amp;page=1"' in second.text
    assert 'rel="next"' not in second.text


def job_ids(page: httpx.Response) -> list[int]:
    assert page.status_code == 200, page.text
    return [int(n) for n in re.findall(r'<tr class="job" id="job-(\d+)">', page.text)]


def test_the_jobs_list_comes_in_pages_of_50_per_state(base_url, clients, factory) -> None:
    budi, rina = clients["budi"], clients["rina"]
    failed = sorted(add_jobs(factory, "lampung", "failed", 120), reverse=True)
    pending = add_jobs(factory, "lampung", "pending", 3)

    first = budi.get("/ops/jobs?state=failed")
    assert job_ids(first) == failed[:50]
    assert "120 tugas berstatus gagal" in first.text and "Halaman 1 dari 3" in first.text
    assert ">gagal (120)</option>" in first.text and ">menunggu (3)</option>" in first.text
    assert 'rel="next" href="/ops/jobs?state=failed&amp;page=2"' in first.text
    assert 'rel="prev"' not in first.text
    second = budi.get("/ops/jobs?state=failed&page=2")
    assert job_ids(second) == failed[50:100]
    assert 'rel="prev" href="/ops/jobs?state=failed&amp;page=1"' in second.text
    assert 'rel="next" href="/ops/jobs?state=failed&amp;page=3"' in second.text
    third = budi.get("/ops/jobs?state=failed&page=3")
    assert job_ids(third) == failed[100:] and len(failed[100:]) == 20
    assert 'rel="prev" href="/ops/jobs?state=failed&amp;page=2"' in third.text
    assert 'rel="next"' not in third.text and "Halaman 3 dari 3" in third.text
    assert job_ids(budi.get("/ops/jobs?state=failed&page=4")) == []

    waiting = budi.get("/ops/jobs?state=pending&page=x")
    assert sorted(job_ids(waiting)) == pending and 'rel="next"' not in waiting.text
    # another tenant's jobs are neither listed nor counted
    theirs = rina.get("/ops/jobs?state=failed")
    assert job_ids(theirs) == [] and ">gagal (0)</option>" in theirs.text
