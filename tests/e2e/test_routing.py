"""Routing at intake: a complaint without a national topic gets one from the tenant's
category, its keyword rules or the topic model, and its agency from the tenant's
routing; what the model is unsure of, or what has nothing to classify, is flagged for
the national admin and still reaches the registry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway.api.app import create_app
from gateway.bootstrap import build_container
from gateway.migrations import upgrade
from gateway.settings import Settings
from tests.support import ROOT, TENANT_ENV, serve_in_thread, wait_until

pytestmark = pytest.mark.e2e
KEY = {"X-API-Key": TENANT_ENV["GATEWAY_LAMPUNG_API_KEY"]}
TOKEN = {"Authorization": f"Bearer {TENANT_ENV['GATEWAY_LAMPUNG_NATIONAL_TOKEN']}"}
URL = "/channels/api/lampung/complaints"


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[httpx.Client]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'gateway.db'}",
        mappings_dir=str(ROOT / "mappings"),
        sandbox_db=str(tmp_path / "sandbox.db"),
        sandbox_step_seconds=3600,  # the registry keeps what it received as it was
        dispatch_interval=0.1,
        pull_interval=5,
    )
    container = build_container(settings, environ=TENANT_ENV)
    upgrade(container.engine)
    with serve_in_thread(create_app(container)) as base, httpx.Client(base_url=base) as http:
        yield http


def _file(http: httpx.Client, ref: str, **fields: object) -> dict:
    body = {"source_ref": ref, "region_code": "18.71", **fields}
    answer = http.post(URL, headers=KEY, json=body)
    assert answer.status_code == 202, answer.text
    url = f"/complaints/{answer.json()['id']}"
    wait_until(lambda: http.get(url, headers=KEY).json()["tracking_id"], timeout=15, what=ref)
    return http.get(url, headers=KEY).json()


def _national(http: httpx.Client, tracking_id: str) -> dict:
    answer = http.get(f"/sandbox/api/v1/complaints/{tracking_id}", headers=TOKEN)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_each_way_of_choosing_a_topic_reaches_the_registry(gateway: httpx.Client) -> None:
    by_model = _file(
        gateway,
        "R-1",
        title="Lampu jalan mati",
        content="Lampu PJU di jln Ahmad Yani sdh seminggu mati, tdk ada yg perbaiki.",
    )
    assert (by_model["topic_id"], by_model["topic_source"]) == (4, "model")
    assert by_model["agency_code"] == "1871-DISHUB"  # Bandar Lampung's own Dinas
    assert by_model["review_reason"] is None

    by_rule = _file(  # the tenant's own keyword rule for its provincial hospital
        gateway,
        "R-5",
        title="Antre lama",
        content="Di RSUDAM antre dari subuh sampai siang belum dipanggil.",
    )
    assert (by_rule["topic_id"], by_rule["topic_source"]) == (9, "keywords")
    assert by_rule["review_reason"] is None

    by_category = _file(
        gateway,
        "R-2",
        category="sampah ",  # the call centre's code, case and spacing as typed
        title="Keluhan warga",
        content="Sudah tiga minggu tidak diangkut di RT 05 Kelurahan Kedaton.",
    )
    assert (by_category["topic_id"], by_category["topic_source"]) == (20, "category")
    assert by_category["category"] == "sampah"
    assert by_category["agency_code"] == "1871-DLH"

    unknown = _file(
        gateway,
        "R-3",
        title="Mohon perhatian",
        content="Saya sudah menunggu lama sekali dan belum ada kabar apa pun dari bapak.",
    )
    assert unknown["topic_source"] == "model"  # the likeliest topic, flagged
    assert unknown["review_reason"].startswith("unsure topic (model ")

    nothing = _file(gateway, "R-6", title="???", content="?!?! ... ?!?! ...")
    assert (nothing["topic_id"], nothing["topic_source"]) == (46, "default")
    assert "nothing the topic model knows" in nothing["review_reason"]
    assert nothing["agency_code"] == "18-SETDA"

    bad_category = _file(
        gateway,
        "R-4",
        category="JLN-RUSAK",
        title="Jalan berlubang",
        content="Jalan berlubang besar di depan SD Negeri 2, sudah dua bulan.",
    )
    assert bad_category["topic_source"] == "model" and bad_category["topic_id"] == 2
    assert "'JLN-RUSAK' is not in the lampung mapping" in bad_category["review_reason"]

    for complaint in (by_model, by_rule, by_category, unknown, nothing, bad_category):
        national = _national(gateway, complaint["tracking_id"])
        assert national["topic_id"] == complaint["topic_id"]

    flagged = gateway.get("/complaints", params={"flagged": "true"}, headers=KEY).json()
    assert sorted(c["source_ref"] for c in flagged["items"]) == ["R-3", "R-4", "R-6"]
    sure = gateway.get("/complaints", params={"flagged": "false"}, headers=KEY).json()
    assert sorted(c["source_ref"] for c in sure["items"]) == ["R-1", "R-2", "R-5"]


def test_a_topic_the_catalogue_does_not_list_is_refused_naming_the_field(
    gateway: httpx.Client,
) -> None:
    answer = gateway.post(
        URL,
        headers=KEY,
        json={
            "source_ref": "R-9",
            "title": "Jalan",
            "content": "Jalan berlubang di depan pasar.",
            "topic_id": 9999,
        },
    )
    assert answer.status_code == 422
    fields = answer.json()["error"]["fields"]
    assert fields[0]["field"] == "topic_id" and "9999 does not exist" in fields[0]["message"]
    assert gateway.get("/complaints", headers=KEY).json()["items"] == []
