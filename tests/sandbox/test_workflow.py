"""The national workflow: driven by /_sandbox/advance, and by the clock."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.sandbox.conftest import complaint
from tests.support import SANDBOX_ADMIN, wait_until

CHAIN = ["belum_terverifikasi", "terverifikasi", "terdisposisi", "ditindaklanjuti", "selesai"]


def advance(sandbox: str, **body: object) -> httpx.Response:
    return httpx.post(f"{sandbox}/_sandbox/advance", json=body, headers=SANDBOX_ADMIN)


def test_advance_moves_a_complaint_one_step_at_a_time_to_selesai(
    http: httpx.Client, sandbox: str
) -> None:
    body = complaint(topic_id=16, region_code="18.71")  # KTP-el in Bandar Lampung
    tracking_id = http.post("/api/v1/complaints", json=body).json()["tracking_id"]
    for status in CHAIN[1:]:
        answer = advance(sandbox, tracking_id=tracking_id)
        assert answer.status_code == 200, answer.text
        [changed] = answer.json()["changed"]
        assert changed["tracking_id"] == tracking_id and changed["status"] == status
    detail = http.get(f"/api/v1/complaints/{tracking_id}").json()
    assert [h["status"] for h in detail["history"]] == CHAIN
    assert detail["status"] == "selesai"
    assert detail["agency_code"] == "1871-DISDUKCAPIL"
    assert detail["agency_name"] == "Dinas Kependudukan dan Pencatatan Sipil Kota Bandar Lampung"
    response = detail["history"][3]["response"]
    assert response and detail["agency_name"] in response
    done = advance(sandbox, tracking_id=tracking_id)
    assert done.status_code == 409 and done.json()["error"] == "invalid_transition"


def test_advance_to_a_status_takes_every_step_between_with_the_response_last(
    http: httpx.Client, sandbox: str
) -> None:
    body = complaint(agency_code="18-DPUPR")
    tracking_id = http.post("/api/v1/complaints", json=body).json()["tracking_id"]
    text = "Perbaikan jalan telah selesai dikerjakan oleh tim UPTD."
    changed = advance(sandbox, tracking_id=tracking_id, status="ditindaklanjuti", response=text)
    events = changed.json()["changed"]
    assert [e["status"] for e in events] == CHAIN[1:4]
    assert [e["response"] for e in events] == [None, None, text]
    assert {e["agency_code"] for e in events[1:]} == {"18-DPUPR"}  # the agency asked for

    # the agency adds to its response without changing the status
    more = "Pengaspalan ulang dilakukan pada 12 Januari."
    again = advance(sandbox, tracking_id=tracking_id, status="ditindaklanjuti", response=more)
    assert [(e["status"], e["response"]) for e in again.json()["changed"]] == [
        ("ditindaklanjuti", more)
    ]
    # an agency hands it on: re-disposition
    handed = advance(sandbox, tracking_id=tracking_id, status="terdisposisi", agency_code="KEMENPU")
    assert handed.json()["changed"][0]["agency_code"] == "KEMENPU"
    backwards = advance(sandbox, tracking_id=tracking_id, status="terverifikasi")
    assert backwards.status_code == 409


def test_an_archived_complaint_carries_its_reason_and_moves_no_more(
    http: httpx.Client, sandbox: str
) -> None:
    tracking_id = http.post("/api/v1/complaints", json=complaint()).json()["tracking_id"]
    archived = advance(sandbox, tracking_id=tracking_id, status="diarsipkan").json()["changed"]
    assert archived[0]["status"] == "diarsipkan" and archived[0]["response"]
    assert advance(sandbox, tracking_id=tracking_id).status_code == 409
    assert advance(sandbox, tracking_id=tracking_id, status="selesai").status_code == 409


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"tracking_id": "99999999"}, 404),
        ({"tracking_id": "abc"}, 404),
        ({"status": "selesai"}, 400),
        ({"tracking_id": "x", "status": "ditutup"}, 404),
        ({"tracking_id": 5}, 400),
    ],
)
def test_advance_refuses_what_it_cannot_do(sandbox: str, body: dict, status: int) -> None:
    assert advance(sandbox, **body).status_code == status


def test_unknown_target_status_is_refused(http: httpx.Client, sandbox: str) -> None:
    tracking_id = http.post("/api/v1/complaints", json=complaint()).json()["tracking_id"]
    answer = advance(sandbox, tracking_id=tracking_id, status="ditutup")
    assert answer.status_code == 409 and "ditutup" in answer.json()["message"]


def test_advance_without_an_id_moves_every_due_complaint(http: httpx.Client, sandbox: str) -> None:
    ids = [
        http.post("/api/v1/complaints", json=complaint()).json()["tracking_id"] for _ in range(3)
    ]
    answer = advance(sandbox).json()  # with --step-seconds 0 everything open is due
    moved = {e["tracking_id"]: e["status"] for e in answer["changed"]}
    assert answer["count"] >= 3
    assert all(moved[i] == "terverifikasi" for i in ids)


def test_the_clock_takes_a_complaint_to_selesai_with_the_agency_response(
    sandboxes: Callable[..., str], account: dict[str, str]
) -> None:
    url = sandboxes("--step-seconds", "0.2", "--archive-rate", "0")
    with httpx.Client(base_url=url, headers=account) as http:
        ref_ids = [
            http.post("/api/v1/complaints", json=complaint(topic_id=t, region_code=r)).json()[
                "tracking_id"
            ]
            for t, r in ((2, "63.71"), (24, "76.02"), (37, "13.71"), (7, "32.73"))
        ]

        def all_done() -> list[dict] | None:
            details = [http.get(f"/api/v1/complaints/{i}").json() for i in ref_ids]
            return details if all(d["status"] == "selesai" for d in details) else None

        details = wait_until(all_done, timeout=20, what="the clock to finish the complaints")
        for detail in details:
            assert [h["status"] for h in detail["history"]] == CHAIN
            assert detail["history"][3]["response"], detail
        assert [d["agency_code"] for d in details] == [
            "6371-DPUPR",
            "7602-PDAM",
            "1371-DINSOS",
            "BPJSKES",
        ]
        feed = http.get("/api/v1/changes").json()["events"]
        assert len(feed) == 5 * len(ref_ids)
        for tracking_id in ref_ids:
            assert [e["status"] for e in feed if e["tracking_id"] == tracking_id] == CHAIN
        assert [e["at"] for e in feed] == sorted(e["at"] for e in feed)
        assert http.get("/_sandbox/health").json()["clock"] is True


def test_the_clock_archives_at_verification_at_the_archive_rate(
    sandboxes: Callable[..., str], account: dict[str, str]
) -> None:
    url = sandboxes("--step-seconds", "0.1", "--archive-rate", "1")
    with httpx.Client(base_url=url, headers=account) as http:
        tracking_id = http.post("/api/v1/complaints", json=complaint()).json()["tracking_id"]

        def archived() -> dict | None:
            detail = http.get(f"/api/v1/complaints/{tracking_id}").json()
            return detail if detail["status"] == "diarsipkan" else None

        detail = wait_until(archived, timeout=10, what="the complaint to be archived")
        assert [h["status"] for h in detail["history"]] == ["belum_terverifikasi", "diarsipkan"]
        assert detail["history"][-1]["response"].startswith("Laporan diarsipkan")
