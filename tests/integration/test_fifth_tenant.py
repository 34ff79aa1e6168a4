"""A fifth tenant is one new YAML file and its environment variables, nothing else."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx

from gateway.api.app import create_app
from gateway.bootstrap import build_container
from gateway.domain.status import Status
from gateway.migrations import upgrade
from gateway.settings import Settings
from gateway.storage.engine import make_engine
from tests.support import TENANT_ENV, scaled, serve_in_thread

ROOT = Path(__file__).resolve().parents[2]

FIFTH = """\
# Kota Metro (Lampung): its own SMS number and the API.
tenant: metro
name: Pemerintah Kota Metro
region_code: "18.72"
secrets:
  national_token: GATEWAY_METRO_NATIONAL_TOKEN
  api_key: GATEWAY_METRO_API_KEY
  sms_http_secret: GATEWAY_METRO_SMS_SECRET
channels:
  - id: api
    type: api
  - id: sms
    type: sms
    settings:
      gateway: http
      number: "1500"
      send: {url: "https://sms.example.id/send"}
categories:
  JALAN: {topic: 2, label: Jalan rusak}
  SAMPAH: {topic: 20, label: Sampah}
routing:
  2: {agency: 18-DPUPR}
default_topic_id: 46
default_agency_code: 18-SETDA
replies:
  submitted:
    id: "Laporan Anda tercatat di SP4N-LAPOR! nomor {tracking_id}. Pemkot Metro."
    en: "Your report is registered in SP4N-LAPOR! as {tracking_id}. Metro City."
"""

METRO_ENV = {
    "GATEWAY_METRO_NATIONAL_TOKEN": "test-token-metro-0001",
    "GATEWAY_METRO_API_KEY": "key-metro-0123456789",
    "GATEWAY_METRO_SMS_SECRET": "sms-metro-0123456789",
}


def test_a_fifth_tenant_needs_one_yaml_file_and_its_environment(tmp_path: Path) -> None:
    mappings = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", mappings)
    (mappings / "metro.yaml").write_text(FIFTH, encoding="utf-8")
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'gateway.db'}",
        mappings_dir=str(mappings),
        national_url="http://127.0.0.1:9",  # sync is off: nothing is sent
        log_format="json",
    )
    engine = make_engine(settings.database_url)
    upgrade(engine)
    engine.dispose()

    container = build_container(settings, environ={**TENANT_ENV, **METRO_ENV})
    assert len(container.tenants) == 6  # the sample tenants (Sijunjung among them) and metro
    metro = container.tenants["metro"]
    assert metro.agency_for(2, "18.72") == "18-DPUPR"
    # its own reply for one status, the shared texts for the rest
    assert "Pemkot Metro" in metro.reply(Status.SUBMITTED, "id", tracking_id="X")
    assert "X" in metro.reply(Status.RESOLVED, "id", tracking_id="X")

    app = create_app(container, run_sync=False)
    with serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=scaled(10)) as client:
        answer = client.post(
            "/channels/api/metro/complaints",
            json={
                "source_ref": "METRO-1",
                "title": "Jalan berlubang",
                "content": "Jalan di depan pasar Cendrawasih berlubang sudah sebulan.",
            },
            headers={"X-API-Key": METRO_ENV["GATEWAY_METRO_API_KEY"]},
        )
        assert answer.status_code == 202, answer.text
        stored = client.get(
            answer.headers["Location"],
            headers={"X-API-Key": METRO_ENV["GATEWAY_METRO_API_KEY"]},
        ).json()
    assert stored["tenant"] == "metro"
    assert stored["region_code"] == "18.72"
    # the topic model and its own routing: no topic sent, one chosen
    assert (stored["topic_id"], stored["topic_source"], stored["agency_code"]) == (
        2,
        "model",
        "18-DPUPR",
    )
