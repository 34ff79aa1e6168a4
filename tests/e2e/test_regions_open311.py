"""Open311 requests located by their coordinates: a point in Bandar Lampung goes to the
city's agency (it went to the province's before), a point in Lampung Selatan gets that
regency's code, and a request with an address only keeps the jurisdiction's region."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from gateway.api.app import create_app
from gateway.bootstrap import Container, build_container
from gateway.migrations import upgrade
from gateway.settings import Settings
from gateway.storage.models import Complaint
from tests.fakes.open311_client import Open311Client
from tests.support import (
    ROOT,
    SANDBOX_ADMIN,
    SANDBOX_ADMIN_TOKEN,
    TENANT_ENV,
    scaled,
    serve_in_thread,
    wait_until,
)

pytestmark = pytest.mark.e2e
KEY = TENANT_ENV["GATEWAY_LAMPUNG_API_KEY"]
TEXT = "Jalan berlubang besar di depan pasar, dua motor jatuh minggu ini, mohon diperbaiki."


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[tuple[Open311Client, Container, str, httpx.Client]]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'gateway.db'}",
        mappings_dir=str(ROOT / "mappings"),
        sandbox_db=str(tmp_path / "sandbox.db"),
        sandbox_admin_token=SANDBOX_ADMIN_TOKEN,
        sandbox_step_seconds=0,
        dispatch_interval=0.1,
        pull_interval=0.2,
        backoff_base=0.2,
    )
    container = build_container(settings, environ=TENANT_ENV)
    upgrade(container.engine)
    with serve_in_thread(create_app(container)) as base, httpx.Client(timeout=scaled(10)) as http:
        yield Open311Client(http, f"{base}/open311/v2", "lampung", KEY), container, base, http


def test_city_coordinates_route_to_the_city_agency(gateway) -> None:
    open311, container, base, http = gateway
    # Tugu Adipura, Bandar Lampung; Kalianda, Lampung Selatan; an address only
    city = open311.post_request("JALAN", description=TEXT, lat="-5.4292", long="105.2611")
    regency = open311.post_request("JALAN", description=TEXT + " ", lat="-5.738", long="105.592")
    address = open311.post_request("JALAN", description=TEXT + "  ", address_string="Jl. Raya")
    with container.factory() as session:
        got = {
            c.external_ref: (c.region_code, c.agency_code)
            for c in session.scalars(select(Complaint))
        }
    assert got[city["token"]] == ("18.71", "1871-DPU")
    assert got[regency["token"]] == ("18.01", "18-DPUPR")
    assert got[address["token"]] == ("18", "18-DPUPR")

    # the registry assigns the city's agency, and the Open311 client reads it back
    def tracking() -> str | None:
        notice = open311.request(city["service_request_id"])["service_notice"]
        return notice.rsplit(": ", 1)[1] if notice.startswith("Nomor pelacakan") else None

    tracking_id = wait_until(tracking, timeout=15, what="the tracking ID")
    body = {"tracking_id": tracking_id, "status": "selesai", "response": "Sudah ditambal."}
    assert (
        http.post(f"{base}/sandbox/_sandbox/advance", json=body, headers=SANDBOX_ADMIN).status_code
        == 200
    )
    done = wait_until(
        lambda: (r := open311.request(city["service_request_id"]))["status"] == "closed" and r,
        timeout=15,
        what="the request to be closed",
    )
    assert done["agency_responsible"] == "Dinas Pekerjaan Umum Kota Bandar Lampung"
