"""Open311 GeoReport v2 end to end: an Open311 client over loopback files a request, it
reaches the sandbox registry, the registry moves it on, and the client reads it back
closed with the agency's response, in JSON and in XML; retries make no duplicate, and
one jurisdiction's key neither writes to nor reads another's requests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from structlog.testing import capture_logs

from gateway.api.app import create_app
from gateway.bootstrap import build_container
from gateway.migrations import upgrade
from gateway.settings import Settings
from tests.fakes.open311_client import Open311Client, Open311Failure
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
LAMPUNG_KEY = TENANT_ENV["GATEWAY_LAMPUNG_API_KEY"]
KALSEL_KEY = TENANT_ENV["GATEWAY_KALSEL_API_KEY"]
POTHOLE = {
    "description": "Jalan berlubang besar di depan pasar Kedaton, dua motor jatuh minggu ini.",
    "lat": "-5.3971",
    "long": "105.2668",
    "address_string": "Jl. Teuku Umar, Kedaton, Bandar Lampung",
    "first_name": "Siti",
    "last_name": "Aminah",
    "phone": "0812-3456-7890",
    "email": "siti.aminah@example.co.id",
    "media_url": "https://foto.lampungprov.go.id/laporan/123.jpg",
}


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[tuple[str, httpx.Client]]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'gateway.db'}",
        mappings_dir=str(ROOT / "mappings"),
        sandbox_db=str(tmp_path / "sandbox.db"),
        sandbox_admin_token=SANDBOX_ADMIN_TOKEN,
        sandbox_step_seconds=0,  # the registry moves only when the test advances it
        dispatch_interval=0.1,
        pull_interval=0.2,
        backoff_base=0.2,
    )
    container = build_container(settings, environ=TENANT_ENV)
    upgrade(container.engine)
    with serve_in_thread(create_app(container)) as base, httpx.Client(timeout=scaled(10)) as http:
        yield base, http


def client(gateway: tuple[str, httpx.Client], jurisdiction: str | None = "lampung", **kw: str):
    base, http = gateway
    key = {"lampung": LAMPUNG_KEY, "kalsel": KALSEL_KEY}.get(jurisdiction or "")
    return Open311Client(http, f"{base}/open311/v2", jurisdiction, kw.pop("api_key", key), **kw)


def tracked(open311: Open311Client, request_id: str) -> str:
    """The tracking ID once the registry has the request (from its service_notice)."""
    prefix = "Nomor pelacakan SP4N-LAPOR!: "
    notice = wait_until(
        lambda: (n := open311.request(request_id)["service_notice"]).startswith(prefix) and n,
        timeout=15,
        what="the tracking ID in service_notice",
    )
    return notice.removeprefix(prefix)


def advance(gateway: tuple[str, httpx.Client], tracking_id: str, status: str, response: str):
    base, http = gateway
    body = {"tracking_id": tracking_id, "status": status, "response": response}
    answer = http.post(f"{base}/sandbox/_sandbox/advance", json=body, headers=SANDBOX_ADMIN)
    assert answer.status_code == 200, answer.text


def test_a_request_goes_to_the_registry_and_comes_back_closed(gateway) -> None:
    open311 = client(gateway)
    discovery = open311.discovery()
    [endpoint] = discovery["endpoints"]
    assert endpoint["url"] == f"{gateway[0]}/open311/v2"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert set(endpoint["formats"]) == {"application/json", "application/xml"}
    assert discovery["contact"].startswith("Call Center Pemprov Lampung")
    assert client(gateway, None).discovery()["contact"].startswith("Admin gateway SP4N-LAPOR!")

    services = {s["service_code"]: s for s in open311.services()}
    assert services["JALAN"]["service_name"] == "Jalan rusak"
    assert services["JALAN"]["group"] == "Jalan Rusak"  # the national topic
    assert services["JALAN"]["metadata"] is True and services["JALAN"]["type"] == "realtime"
    assert "BANSOS" in services and "JEMBATAN" in services
    definition = open311.definition("JALAN")
    attributes = {a["code"]: a for a in definition["attributes"]}
    assert [a["code"] for a in definition["attributes"]] == [
        "incident_date", "classification", "anonymous", "confidential",
    ]  # fmt: skip
    assert attributes["incident_date"]["datatype"] == "datetime"
    assert [v["key"] for v in attributes["anonymous"]["values"]] == ["ya", "tidak"]
    assert "Pilih salah satu" in attributes["classification"]["datatype_description"]

    yesterday = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    attrs = {"incident_date": yesterday, "classification": "aspirasi", "anonymous": "tidak"}
    with capture_logs() as logs:
        posted = open311.post_request("JALAN", attributes=attrs, **POTHOLE)
    assert open311.last is not None and open311.last.status_code == 201
    assert posted["service_notice"].startswith("Laporan Anda diterima")
    request_id = posted["service_request_id"]
    assert open311.token(posted["token"]) == {
        "service_request_id": request_id,
        "token": posted["token"],
    }
    # personal data is never logged (the request line is)
    assert any(e.get("event") == "open311 request" for e in logs)
    for secret in ("Siti", "Aminah", "0812-3456", "81234567890", "siti.aminah", LAMPUNG_KEY):
        assert secret not in repr(logs)

    tracking_id = tracked(open311, request_id)
    base, http = gateway
    found = http.get(
        f"{base}/sandbox/_sandbox/complaints",
        params={"external_ref": posted["token"]},
        headers=SANDBOX_ADMIN,
    )
    assert found.json()["count"] == 1 and found.json()["items"][0]["tracking_id"] == tracking_id
    token = {"Authorization": f"Bearer {TENANT_ENV['GATEWAY_LAMPUNG_NATIONAL_TOKEN']}"}
    remote = http.get(f"{base}/sandbox/api/v1/complaints/{tracking_id}", headers=token).json()
    assert (remote["classification"], remote["topic_id"]) == ("aspirasi", 2)

    response = "Jalan sudah ditambal oleh Dinas PU Kota Bandar Lampung pada 3 Juni."
    advance(gateway, tracking_id, "selesai", response)
    done = wait_until(
        lambda: (r := open311.request(request_id))["status"] == "closed" and r,
        timeout=15,
        what="the request to be closed",
    )
    assert done["status_notes"] == response
    # Kedaton is in Kota Bandar Lampung: the city's agency, by the coordinates
    assert done["agency_responsible"] == "Dinas Pekerjaan Umum Kota Bandar Lampung"
    assert done["service_notice"] == f"Nomor pelacakan SP4N-LAPOR!: {tracking_id}"
    assert done["expected_datetime"] and done["expected_datetime"].endswith("23:59:59+07:00")
    assert (done["lat"], done["long"]) == (-5.3971, 105.2668)
    assert done["media_url"] == POTHOLE["media_url"]  # an allowed host: an attachment
    assert done["description"] == POTHOLE["description"]
    assert "first_name" not in done and "phone" not in done and "email" not in done

    # the same request read as XML is the same request
    assert client(gateway, fmt="xml").request(request_id) == done
    english = client(gateway, language="en-US,en;q=0.9,id;q=0.5").request(request_id)
    assert english["service_notice"] == f"SP4N-LAPOR! tracking number: {tracking_id}"


def test_a_retried_request_is_the_same_request(gateway) -> None:
    open311 = client(gateway)
    first = open311.post_request("JALAN", **POTHOLE)
    again = open311.post_request("JALAN", **POTHOLE)  # a retry after a lost answer
    assert open311.last is not None and open311.last.status_code == 200
    assert again["service_request_id"] == first["service_request_id"]
    keyed = open311.post_request("PJU", idempotency_key="app-42-0001", **POTHOLE)
    edited = {**POTHOLE, "description": POTHOLE["description"] + " (dikirim ulang)"}
    retried = open311.post_request("PJU", idempotency_key="app-42-0001", **edited)
    assert retried["service_request_id"] == keyed["service_request_id"]
    other = open311.post_request("PJU", idempotency_key="app-42-0002", multipart=True, **edited)
    assert open311.last is not None and open311.last.status_code == 201
    ids = {first["service_request_id"], keyed["service_request_id"], other["service_request_id"]}
    assert len(ids) == 3
    assert {r["service_request_id"] for r in open311.requests()} == ids
    # the registry gets each once
    for request_id in ids:
        tracked(open311, request_id)
    base, http = gateway
    for posted in (first, keyed, other):
        answer = http.get(
            f"{base}/sandbox/_sandbox/complaints",
            params={"external_ref": posted["token"]},
            headers=SANDBOX_ADMIN,
        )
        assert answer.json()["count"] == 1


def test_xml_answers_are_the_json_answers(gateway) -> None:
    json_client, xml_client = client(gateway), client(gateway, fmt="xml")
    assert xml_client.services() == json_client.services()
    assert xml_client.definition("SAMPAH") == json_client.definition("SAMPAH")
    assert xml_client.discovery()["endpoints"] == json_client.discovery()["endpoints"]
    posted = xml_client.post_request("SAMPAH", **{**POTHOLE, "description": "Sampah <b> & 'x'"})
    assert xml_client.last is not None and xml_client.last.status_code == 201
    request_id = posted["service_request_id"]
    assert xml_client.token(posted["token"])["service_request_id"] == request_id
    assert xml_client.request(request_id)["description"] == "Sampah <b> & 'x'"

    def same_in_both() -> dict | None:
        # the worker may submit the request between two reads: compare a moment when
        # nothing changed from the first read to the last
        first, as_json = xml_client.request(request_id), json_client.request(request_id)
        return as_json if xml_client.request(request_id) == first == as_json else None

    assert wait_until(same_in_both, what="the request read alike in XML and JSON")
    with pytest.raises(Open311Failure) as failed:
        xml_client.post_request("NOPE", **POTHOLE)
    assert failed.value.status == 400 and failed.value.content_type == "application/xml"
    assert failed.value.errors == [{"code": 400, "description": "service_code NOPE tidak dikenal"}]


def _fails(call, status: int, *words: str) -> None:
    with pytest.raises(Open311Failure) as failed:
        call()
    assert failed.value.status == status, failed.value
    assert [e["code"] for e in failed.value.errors] == [status]
    for word in words:
        assert word in failed.value.description, failed.value.description


def test_errors_in_the_open311_format(gateway) -> None:
    lampung, kalsel = client(gateway), client(gateway, "kalsel")
    _fails(lambda: client(gateway, None).services(), 400, "jurisdiction_id")
    _fails(lambda: client(gateway, "sumbar").services(), 404, "sumbar")  # no open311 channel
    _fails(lambda: client(gateway, "atlantis").requests(), 404, "atlantis")
    _fails(lambda: lampung.definition("NOPE"), 404, "NOPE")
    _fails(lambda: lampung.post_request("NOPE", **POTHOLE), 400, "service_code", "NOPE")
    _fails(lambda: client(gateway, api_key="wrong-key").post_request("JALAN", **POTHOLE), 403)
    _fails(lambda: client(gateway, api_key=None).post_request("JALAN", **POTHOLE), 403)
    # lampung's key cannot write to kalsel
    _fails(
        lambda: client(gateway, "kalsel", api_key=LAMPUNG_KEY).post_request("jalan", **POTHOLE), 403
    )
    nowhere = {k: v for k, v in POTHOLE.items() if k not in ("lat", "long", "address_string")}
    _fails(lambda: lampung.post_request("JALAN", **nowhere), 400, "lat", "address_string")
    _fails(lambda: lampung.post_request("JALAN", **{**nowhere, "lat": "-5.4"}), 400, "long")
    _fails(lambda: lampung.post_request("JALAN", **{**POTHOLE, "lat": "1e999"}), 400, "lat")
    _fails(lambda: lampung.post_request("JALAN", **{**POTHOLE, "phone": "12"}), 400, "phone")
    bad = {"anonymous": "mungkin"}
    _fails(
        lambda: lampung.post_request("JALAN", attributes=bad, **POTHOLE),
        400,
        "attribute[anonymous]",
    )
    later = {"incident_date": "2999-01-01"}
    _fails(lambda: lampung.post_request("JALAN", attributes=later, **POTHOLE), 400, "incident_date")
    _fails(
        lambda: lampung.post_request("JALAN", idempotency_key="a b", **POTHOLE),
        400,
        "Idempotency-Key",
    )
    english = client(gateway, language="en")
    _fails(
        lambda: english.post_request("JALAN", **{**POTHOLE, "description": "short"}),
        400,
        "description is too short",
    )
    # kalsel's request is not lampung's: not found under lampung, found under kalsel
    posted = kalsel.post_request("jalan", **POTHOLE)
    assert kalsel.request(posted["service_request_id"])["service_code"] == "jalan"
    _fails(lambda: lampung.request(posted["service_request_id"]), 404, "service_request_id")
    _fails(lambda: lampung.token(posted["token"]), 404, "token")
    assert lampung.requests(service_request_id=[posted["service_request_id"]]) == []
    _fails(lambda: lampung.request("00000000-0000-0000-0000-000000000000"), 404)
    _fails(lambda: lampung.request("%00\u202e"), 404)
    base, http = gateway
    odd = http.post(
        f"{base}/open311/v2/requests.json",
        content=b"\xff{",
        headers={"content-type": "application/json"},
    )
    assert odd.status_code == 415 and odd.json()[0]["code"] == 415
    # other addresses and methods under /open311/v2 answer in Open311's format too
    nowhere = http.get(f"{base}/open311/v2/services/a%2Fb.xml", params={"jurisdiction_id": "x"})
    assert nowhere.status_code == 404 and nowhere.text.endswith("</errors>")
    deleted = http.delete(f"{base}/open311/v2/requests.json")
    assert deleted.status_code == 405 and deleted.headers["allow"] == "GET, POST"


def test_filters_on_requests(gateway) -> None:
    open311 = client(gateway)
    road = open311.post_request("JALAN", **POTHOLE)["service_request_id"]
    light = open311.post_request(
        "PJU", **{**POTHOLE, "description": "Lampu jalan mati sejak sepekan."}
    )
    secret = open311.post_request(
        "BANSOS",
        attributes={"confidential": "ya"},
        **{**POTHOLE, "description": "Bantuan sosial dipotong oleh oknum kepala desa."},
    )
    light_id, secret_id = light["service_request_id"], secret["service_request_id"]
    advance(gateway, tracked(open311, light_id), "diarsipkan", "Laporan ganda, lihat laporan lain.")
    advance(
        gateway, tracked(open311, secret_id), "selesai", "Kepala desa telah diperiksa Inspektorat."
    )
    wait_until(
        lambda: (
            {r["service_request_id"] for r in open311.requests(status=["closed"])}
            == {light_id, secret_id}
        ),
        timeout=15,
        what="both to be closed",
    )
    assert [r["service_request_id"] for r in open311.requests(status=["open"])] == [road]
    assert len(open311.requests(status=["open", "closed"])) == 3
    assert [r["service_request_id"] for r in open311.requests(service_code=["PJU"])] == [light_id]
    both = open311.requests(service_code=["JALAN", "BANSOS"], status=["open"])
    assert [r["service_request_id"] for r in both] == [road]
    assert {
        r["service_request_id"] for r in open311.requests(service_request_id=[road, light_id])
    } == {road, light_id}
    now = datetime.now(UTC)
    assert len(open311.requests(start_date=now - timedelta(hours=1))) == 3
    assert open311.requests(start_date=now + timedelta(hours=1)) == []
    assert open311.requests(end_date=now - timedelta(hours=1)) == []
    assert len(open311.requests(start_date="2020-01-01", service_request_id=[road])) == 1  # ids win
    _fails(lambda: open311.requests(start_date=now - timedelta(days=100), end_date=now), 400, "90")
    _fails(
        lambda: open311.requests(start_date=now, end_date=now - timedelta(days=1)), 400, "end_date"
    )
    _fails(lambda: open311.requests(start_date="kemarin"), 400, "start_date")
    _fails(lambda: open311.requests(status=["pending"]), 400, "status")
    # a confidential request shows its status, never its content, place, media or response
    hidden = open311.request(secret_id)
    assert hidden["status"] == "closed" and hidden["status_notes"] == "Status laporan: selesai"
    assert (hidden["description"], hidden["address"], hidden["lat"], hidden["media_url"]) == (
        None,
    ) * 4
    archived = open311.request(light_id)
    assert archived["status_notes"] == "Laporan ganda, lihat laporan lain."
