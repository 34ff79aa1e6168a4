"""The change feed: every status and response change of one account, in order,
after an opaque cursor."""

from __future__ import annotations

import uuid

import httpx

from tests.sandbox.conftest import complaint
from tests.support import SANDBOX_ADMIN


def advance(sandbox: str, tracking_id: str, **body: str) -> list[dict]:
    answer = httpx.post(
        f"{sandbox}/_sandbox/advance",
        json={"tracking_id": tracking_id, **body},
        headers=SANDBOX_ADMIN,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["changed"]


def test_the_feed_starts_with_each_creation_and_follows_every_change_in_order(
    http: httpx.Client, sandbox: str
) -> None:
    receipts = [http.post("/api/v1/complaints", json=complaint()).json() for _ in range(3)]
    page = http.get("/api/v1/changes").json()
    assert [e["tracking_id"] for e in page["events"]] == [r["tracking_id"] for r in receipts]
    first = page["events"][0]
    assert first == {
        "tracking_id": receipts[0]["tracking_id"],
        "external_ref": first["external_ref"],
        "status": "belum_terverifikasi",
        "response": None,
        "agency_code": None,
        "agency_name": None,
        "at": receipts[0]["created_at"],
    }
    cursor = page["next_cursor"]
    assert isinstance(cursor, str) and cursor

    # nothing new: no events, the same cursor
    idle = http.get("/api/v1/changes", params={"cursor": cursor}).json()
    assert idle == {"events": [], "next_cursor": cursor}

    advance(sandbox, receipts[1]["tracking_id"])
    advance(
        sandbox, receipts[0]["tracking_id"], status="ditindaklanjuti", response="Sudah diperbaiki."
    )
    page = http.get("/api/v1/changes", params={"cursor": cursor}).json()
    moves = [(e["tracking_id"], e["status"]) for e in page["events"]]
    assert moves == [
        (receipts[1]["tracking_id"], "terverifikasi"),
        (receipts[0]["tracking_id"], "terverifikasi"),
        (receipts[0]["tracking_id"], "terdisposisi"),
        (receipts[0]["tracking_id"], "ditindaklanjuti"),
    ]
    last = page["events"][-1]
    assert last["response"] == "Sudah diperbaiki." and last["agency_code"] and last["agency_name"]
    assert page["events"][2]["agency_code"] == last["agency_code"]
    assert page["next_cursor"] != cursor


def test_the_feed_pages_with_limit_and_cursor(http: httpx.Client) -> None:
    ids = [
        http.post("/api/v1/complaints", json=complaint()).json()["tracking_id"] for _ in range(5)
    ]
    seen, cursor = [], None
    for _ in range(10):
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = http.get("/api/v1/changes", params=params).json()
        assert len(page["events"]) <= 2
        if not page["events"]:
            assert page["next_cursor"] == cursor
            break
        seen += [e["tracking_id"] for e in page["events"]]
        cursor = page["next_cursor"]
    assert seen == ids
    everything = http.get("/api/v1/changes", params={"limit": 1000}).json()
    assert [e["tracking_id"] for e in everything["events"]] == ids
    assert everything["next_cursor"] == cursor


def test_an_empty_feed_has_no_cursor_yet(http: httpx.Client) -> None:
    assert http.get("/api/v1/changes").json() == {"events": [], "next_cursor": None}
    assert http.get("/api/v1/changes", params={"cursor": ""}).json()["events"] == []


def test_bad_limits_and_cursors_are_400(http: httpx.Client) -> None:
    for params, field in (
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "!!!"}, "cursor"),
    ):
        answer = http.get("/api/v1/changes", params=params)
        assert answer.status_code == 400, params
        assert [e["field"] for e in answer.json()["errors"]] == [field]


def test_each_account_sees_only_its_own_changes(http: httpx.Client, sandbox: str) -> None:
    mine = http.post("/api/v1/complaints", json=complaint()).json()["tracking_id"]
    other = {"Authorization": f"Bearer other-{uuid.uuid4().hex}"}
    with httpx.Client(base_url=sandbox, headers=other) as stranger:
        theirs = stranger.post("/api/v1/complaints", json=complaint()).json()["tracking_id"]
        advance(sandbox, mine)
        advance(sandbox, theirs)
        their_feed = stranger.get("/api/v1/changes").json()["events"]
        # a cursor of one account does not reveal the other's events either
        my_cursor = http.get("/api/v1/changes").json()["next_cursor"]
        after = stranger.get("/api/v1/changes", params={"cursor": my_cursor}).json()["events"]
    my_feed = http.get("/api/v1/changes").json()["events"]
    assert {e["tracking_id"] for e in my_feed} == {mine}
    assert {e["tracking_id"] for e in their_feed} == {theirs}
    assert all(e["tracking_id"] == theirs for e in after)
