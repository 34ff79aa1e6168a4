"""The national contract as the sandbox serves it: auth, catalogue, submit, lookup,
detail, validation, uniqueness of external_ref, comments."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import pytest

from tests.sandbox.conftest import complaint
from tests.support import SANDBOX_ADMIN


def test_requests_without_a_known_bearer_token_get_a_401_json_body(sandbox: str) -> None:
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer"}):
        answer = httpx.get(f"{sandbox}/api/v1/topics", headers=headers)
        assert answer.status_code == 401, headers
        assert answer.json()["error"] == "unauthorized"
        assert answer.headers["www-authenticate"].startswith("Bearer")
    posted = httpx.post(f"{sandbox}/api/v1/complaints", json=complaint())
    assert posted.status_code == 401
    assert httpx.get(f"{sandbox}/_sandbox/health").status_code == 200  # its probe needs no token


def test_configured_tokens_map_to_accounts_and_others_are_refused(
    sandboxes: Callable[..., str],
) -> None:
    url = sandboxes("--step-seconds", "0", "--token", "tok-a=lampung", "--token", "tok-b=kalsel")
    ref = f"GW-{uuid.uuid4().hex[:8]}"
    created = httpx.post(
        f"{url}/api/v1/complaints", json=complaint(ref), headers={"Authorization": "Bearer tok-a"}
    )
    assert created.status_code == 201
    assert (
        httpx.get(f"{url}/api/v1/topics", headers={"Authorization": "Bearer tok-c"}).status_code
        == 401
    )
    other = httpx.get(
        f"{url}/api/v1/complaints",
        params={"external_ref": ref},
        headers={"Authorization": "Bearer tok-b"},
    )
    assert other.json() == {"items": []}
    admin = httpx.get(
        f"{url}/_sandbox/complaints", params={"external_ref": ref}, headers=SANDBOX_ADMIN
    ).json()
    assert [i["account"] for i in admin["items"]] == ["lampung"]


def test_the_catalogue_has_national_topics_with_parents_and_regional_agencies(
    http: httpx.Client,
) -> None:
    topics = http.get("/api/v1/topics").json()
    assert len(topics) >= 40
    assert all(set(t) == {"id", "parent_id", "name"} for t in topics)
    by_id = {t["id"]: t for t in topics}
    assert all(t["parent_id"] is None or t["parent_id"] in by_id for t in topics)
    names = {t["name"]: t for t in topics}
    assert by_id[names["Jalan Rusak"]["parent_id"]]["name"] == "Infrastruktur"
    assert by_id[names["KTP-el"]["parent_id"]]["name"] == "Administrasi Kependudukan"
    assert {"Kesehatan", "Pendidikan", "Sosial", "Pelayanan Publik Lainnya"} <= set(names)

    agencies = {a["code"]: a for a in http.get("/api/v1/agencies").json()}
    assert all(set(a) == {"code", "name", "level", "region_code"} for a in agencies.values())
    assert {a["level"] for a in agencies.values()} == {"pusat", "provinsi", "kabupaten", "kota"}
    assert agencies["KEMENKES"]["region_code"] is None
    assert agencies["18-DPUPR"]["level"] == "provinsi"
    assert agencies["1871-DISDUKCAPIL"]["region_code"] == "18.71"
    regions = {a["region_code"] for a in agencies.values()}
    assert {"18", "18.71", "63", "63.71", "13", "13.71", "76", "76.02"} <= regions


def test_a_submission_gets_a_tracking_id_and_can_be_looked_up_and_read(
    http: httpx.Client,
) -> None:
    body = complaint()
    created = http.post("/api/v1/complaints", json=body)
    assert created.status_code == 201
    receipt = created.json()
    assert receipt["status"] == "belum_terverifikasi"
    assert len(receipt["tracking_id"]) == 8 and receipt["tracking_id"].isdigit()
    assert receipt["created_at"].endswith("+00:00")

    found = http.get("/api/v1/complaints", params={"external_ref": body["external_ref"]}).json()
    assert found == {"items": [{**receipt, "external_ref": body["external_ref"]}]}
    assert http.get("/api/v1/complaints", params={"external_ref": "nope"}).json() == {"items": []}

    detail = http.get(f"/api/v1/complaints/{receipt['tracking_id']}").json()
    assert detail["tracking_id"] == receipt["tracking_id"]
    assert detail["external_ref"] == body["external_ref"]
    assert detail["status"] == "belum_terverifikasi"
    assert detail["agency_code"] is None and detail["agency_name"] is None
    assert detail["history"] == [
        {"status": "belum_terverifikasi", "at": receipt["created_at"], "response": None}
    ]
    assert detail["comments"] == []


def test_tracking_ids_are_unique_and_increasing(http: httpx.Client) -> None:
    ids = [
        int(http.post("/api/v1/complaints", json=complaint()).json()["tracking_id"])
        for _ in range(5)
    ]
    assert ids == sorted(ids) and len(set(ids)) == 5


def test_another_accounts_complaint_is_not_found(http: httpx.Client, sandbox: str) -> None:
    body = complaint()
    tracking_id = http.post("/api/v1/complaints", json=body).json()["tracking_id"]
    stranger = {"Authorization": f"Bearer other-{uuid.uuid4().hex}"}
    assert (
        httpx.get(f"{sandbox}/api/v1/complaints/{tracking_id}", headers=stranger).status_code == 404
    )
    found = httpx.get(
        f"{sandbox}/api/v1/complaints",
        params={"external_ref": body["external_ref"]},
        headers=stranger,
    )
    assert found.json() == {"items": []}
    assert http.get("/api/v1/complaints/99999999").status_code == 404
    assert http.get("/api/v1/complaints/not-a-number").status_code == 404


MISSING = object()
INVALID = {
    "missing_title": ({"title": MISSING}, "title"),
    "empty_title": ({"title": "  "}, "title"),
    "short_content": ({"content": "rusak"}, "content"),
    "bad_classification": ({"classification": "keluhan"}, "classification"),
    "unknown_topic": ({"topic_id": 999_999}, "topic_id"),
    "unknown_agency": ({"agency_code": "XX-NOPE"}, "agency_code"),
    "bad_region_shape": ({"region_code": "18-71"}, "region_code"),
    "unknown_province": ({"region_code": "99.01"}, "region_code"),
    "latitude_alone": ({"longitude": None}, "longitude"),
    "longitude_alone": ({"latitude": None}, "longitude"),
    "latitude_out_of_range": ({"latitude": 91}, "latitude"),
    "future_incident": ({"incident_date": "2999-01-01"}, "incident_date"),
    "bad_date": ({"incident_date": "10/01/2025"}, "incident_date"),
    "bad_email": ({"reporter": {"email": "siti-at-example"}}, "reporter.email"),
    "attachment_without_url": ({"attachments": [{"filename": "a.jpg"}]}, "attachments.0"),
    # a link relative to the gateway: the registry could never fetch it
    "attachment_relative_url": (
        {"attachments": [{"url": "/attachments/" + "a" * 64 + ".jpg"}]},
        "attachments.0.url",
    ),
    "attachment_wrong_sha256": (
        {"attachments": [{"content": "/9j/4A==", "sha256": "0" * 64}]},
        "attachments.0",
    ),
    "unknown_field": ({"nik": "1871010101010001"}, "nik"),
}


@pytest.mark.parametrize("case", INVALID, ids=list(INVALID))
def test_an_invalid_submission_gets_400_naming_the_field(http: httpx.Client, case: str) -> None:
    changes, field = INVALID[case]
    body = {k: v for k, v in complaint(**changes).items() if v is not MISSING}
    answer = http.post("/api/v1/complaints", json=body)
    assert answer.status_code == 400, answer.text
    errors = answer.json()["errors"]
    assert field in [e["field"] for e in errors], errors
    assert all(e["message"] for e in errors)
    assert (
        http.get("/api/v1/complaints", params={"external_ref": body["external_ref"]}).json()[
            "items"
        ]
        == []
    )


def test_a_body_that_is_not_a_json_object_is_a_400_on_body(http: httpx.Client) -> None:
    for raw in (b"{not json", b"[1, 2]", b""):
        answer = http.post(
            "/api/v1/complaints", content=raw, headers={"content-type": "application/json"}
        )
        assert answer.status_code == 400
        assert answer.json()["errors"][0]["field"] == "body"


def test_all_field_errors_come_in_one_answer(http: httpx.Client) -> None:
    answer = http.post(
        "/api/v1/complaints",
        json={"external_ref": "X-1", "content": "pendek", "topic_id": 999_999, "region_code": "18"},
    )
    fields = {e["field"] for e in answer.json()["errors"]}
    assert {"title", "content", "topic_id"} <= fields
    assert all(not e["message"].startswith("Value error") for e in answer.json()["errors"])


def test_a_known_external_ref_gets_409_with_its_tracking_id(
    http: httpx.Client, sandbox: str
) -> None:
    body = complaint()
    first = http.post("/api/v1/complaints", json=body).json()
    again = http.post("/api/v1/complaints", json={**body, "title": "Dikirim ulang"})
    assert again.status_code == 409
    assert again.json() == {
        "tracking_id": first["tracking_id"],
        "status": "belum_terverifikasi",
        "created_at": first["created_at"],
        "external_ref": body["external_ref"],
    }
    found = http.get("/api/v1/complaints", params={"external_ref": body["external_ref"]})
    assert len(found.json()["items"]) == 1
    # the same external_ref in another account is another complaint
    other = {"Authorization": f"Bearer other-{uuid.uuid4().hex}"}
    assert httpx.post(f"{sandbox}/api/v1/complaints", json=body, headers=other).status_code == 201


def test_without_uniqueness_a_resent_external_ref_is_stored_twice(
    sandboxes: Callable[..., str], account: dict[str, str]
) -> None:
    url = sandboxes("--step-seconds", "0", "--no-unique-external-ref")
    body = complaint()
    with httpx.Client(base_url=url, headers=account) as http:
        stats = http.get("/_sandbox/stats", headers=SANDBOX_ADMIN).json()
        before = stats["by_external_ref_duplicates"]
        first = http.post("/api/v1/complaints", json=body)
        second = http.post("/api/v1/complaints", json=body)
        assert first.status_code == second.status_code == 201
        assert first.json()["tracking_id"] != second.json()["tracking_id"]
        found = http.get("/api/v1/complaints", params={"external_ref": body["external_ref"]}).json()
        assert [i["tracking_id"] for i in found["items"]] == [
            first.json()["tracking_id"],
            second.json()["tracking_id"],
        ]
        stats = http.get("/_sandbox/stats", headers=SANDBOX_ADMIN).json()
        assert stats["by_external_ref_duplicates"] == before + 1
        admin = http.get(
            "/_sandbox/complaints",
            params={"external_ref": body["external_ref"]},
            headers=SANDBOX_ADMIN,
        )
        assert admin.json()["count"] == 2


def test_comments_are_stored_and_shown_in_the_detail(http: httpx.Client, sandbox: str) -> None:
    tracking_id = http.post("/api/v1/complaints", json=complaint()).json()["tracking_id"]
    path = f"/api/v1/complaints/{tracking_id}/comments"
    added = http.post(path, json={"text": "Sudah seminggu, belum ada perbaikan.", "author": "Siti"})
    assert added.status_code == 201
    assert set(added.json()) == {"id", "at"}
    assert http.post(path, json={"text": ""}).status_code == 400
    stranger = {"Authorization": f"Bearer other-{uuid.uuid4().hex}"}
    assert httpx.post(f"{sandbox}{path}", json={"text": "hai"}, headers=stranger).status_code == 404
    assert http.post("/api/v1/complaints/12/comments", json={"text": "hai"}).status_code == 404
    comments = http.get(f"/api/v1/complaints/{tracking_id}").json()["comments"]
    assert comments == [
        {
            "id": added.json()["id"],
            "text": "Sudah seminggu, belum ada perbaikan.",
            "author": "Siti",
            "at": added.json()["at"],
        }
    ]


def test_admin_lists_complaints_of_every_account_with_a_count(sandbox: str) -> None:
    ref = f"GW-{uuid.uuid4().hex[:8]}"
    for token in ("admin-a", "admin-b"):
        headers = {"Authorization": f"Bearer {token}-{ref}"}
        httpx.post(f"{sandbox}/api/v1/complaints", json=complaint(ref), headers=headers)
    listed = httpx.get(
        f"{sandbox}/_sandbox/complaints", params={"external_ref": ref}, headers=SANDBOX_ADMIN
    ).json()
    assert listed["count"] == 2
    assert {i["account"] for i in listed["items"]} == {f"admin-a-{ref}", f"admin-b-{ref}"}
    one = httpx.get(
        f"{sandbox}/_sandbox/complaints",
        params={"external_ref": ref, "account": f"admin-a-{ref}"},
        headers=SANDBOX_ADMIN,
    ).json()
    assert one["count"] == 1 and one["items"][0]["status"] == "belum_terverifikasi"
    stats = httpx.get(f"{sandbox}/_sandbox/stats", headers=SANDBOX_ADMIN).json()
    assert stats["complaints"] == sum(stats["by_status"].values()) >= 2
