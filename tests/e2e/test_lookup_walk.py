"""Public look-ups cannot be walked (issue 19, point 2): over real HTTP, with the default
limits, someone counting through tracking IDs or a web form's submission numbers is
stopped long before 200, and a person checking their own complaint never is.

Each party has its own loopback address (127.0.0.x), so each is its own client."""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from gateway.api.app import create_app
from gateway.bootstrap import build_container
from gateway.migrations import upgrade
from gateway.settings import Settings
from tests.support import ROOT, TENANT_ENV, scaled, serve_in_thread, wait_until

pytestmark = pytest.mark.e2e
KEYS = {
    "lampung": {"X-API-Key": TENANT_ENV["GATEWAY_LAMPUNG_API_KEY"]},
    "kalsel": {"X-API-Key": TENANT_ENV["GATEWAY_KALSEL_API_KEY"]},
}
WEBFORM = "/channels/webform/kalsel/laporpaman"
SECRET = TENANT_ENV["GATEWAY_KALSEL_LAPORPAMAN_WEBHOOK_SECRET"]


def client_at(base: str, address: str) -> httpx.Client:
    """A client whose requests come from ``address`` (any 127.0.0.x is loopback)."""
    return httpx.Client(
        base_url=base, timeout=scaled(10), transport=httpx.HTTPTransport(local_address=address)
    )


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[str]:
    with serving(tmp_path, ROOT / "mappings") as base:
        yield base


@contextmanager
def serving(tmp_path: Path, mappings: Path) -> Iterator[str]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'gateway.db'}",
        mappings_dir=str(mappings),
        sandbox_db=str(tmp_path / "sandbox.db"),
        attachments_dir=str(tmp_path / "attachments"),
        sandbox_step_seconds=0.3,
        dispatch_interval=0.1,
        pull_interval=0.2,
    )  # the look-up limits: the defaults
    assert (settings.rate_lookup_per_minute, settings.rate_lookup_burst) == (6, 20)
    assert (settings.rate_lookup_miss_per_minute, settings.rate_lookup_miss_burst) == (1, 10)
    container = build_container(settings, environ=TENANT_ENV)
    upgrade(container.engine)
    with serve_in_thread(create_app(container)) as base:
        yield base


def submit(http: httpx.Client, n: int) -> tuple[str, str]:
    """Complaint ``n`` through the API (lampung) and the web form (kalsel): their ids."""
    api = http.post(
        "/channels/api/lampung/complaints",
        headers=KEYS["lampung"],
        json={
            "source_ref": f"CC-2026-{n:04d}",
            "title": f"Lampu jalan mati nomor {n}",
            "content": f"Lampu penerangan jalan mati di Jl. Teuku Umar nomor {n} sejak lama.",
            "region_code": "18.71",
            "reporter": {"name": "Siti Aminah", "phone": "0812-3456-7890"},
        },
    )
    assert api.status_code == 202, api.text
    form = {
        "id_laporan": f"LP-2026-{100 + n:06d}",
        "judul_laporan": f"Jalan berlubang nomor {n}",
        "isi_laporan": f"Jalan berlubang besar di Jl. A. Yani km {n}, sudah tiga motor jatuh.",
        "kategori": "jalan",
        "nama_pelapor": "Muhammad Rizki",
        "no_hp": "0812-5100-2233",
        "kode_wilayah": "63.71",
        "anonim": "0",
        "rahasia": "0",
    }
    body = json.dumps(form).encode()
    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    pushed = http.post(
        WEBFORM,
        content=body,
        headers={
            "X-Laporpaman-Signature": f"sha256={digest}",
            "X-Timestamp": stamp,
            "Content-Type": "application/json",
        },
    )
    assert pushed.status_code == 202, pushed.text
    return api.json()["id"], pushed.json()["status_url"]


def walk(http: httpx.Client, paths: list[str]) -> list[httpx.Response]:
    """Every path in turn, as a walker does: it does not stop at a 429."""
    return [http.get(path) for path in paths]


def assert_stopped(answers: list[httpx.Response], within: int) -> None:
    statuses = [a.status_code for a in answers]
    assert 429 in statuses, f"never stopped: {statuses}"
    first = statuses.index(429)
    assert first < within, f"stopped only at look-up {first + 1}: {statuses}"
    answered = [s for s in statuses if s != 429]
    assert len(answered) <= within, f"{len(answered)} of {len(answers)} answered: {statuses}"
    refused = answers[first]
    assert refused.headers["retry-after"].isdigit()
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    error = refused.json()["error"]
    assert error["code"] == "rate_limited"
    # Bahasa Indonesia first, English after
    assert error["message"].startswith("Terlalu banyak nomor dicari"), error
    assert "(Too many look-ups" in error["message"]


def test_a_walker_is_stopped_long_before_200_ids_and_a_person_never_is(gateway: str) -> None:
    with (
        client_at(gateway, "127.0.0.1") as channel,  # the portal and the call centre
        client_at(gateway, "127.0.0.2") as person,
        client_at(gateway, "127.0.0.3") as track_walker,
        client_at(gateway, "127.0.0.4") as form_walker,
    ):
        submitted = [submit(channel, n) for n in range(1, 4)]
        mine_status = submitted[0][1]

        # the person's page polls her web-form status until it has a tracking ID, as a
        # portal's embedded status does: the same number again and again is free
        def tracked() -> str | None:
            answer = person.get(mine_status)
            assert answer.status_code == 200, answer.text
            return str(answer.json()["tracking_id"] or "") or None

        wait_until(tracked, timeout=20, what="a tracking ID on the status page")

        def tracking_ids() -> list[str]:
            found = [
                channel.get(f"/complaints/{c}", headers=KEYS["lampung"]).json()["tracking_id"]
                for c, _ in submitted
            ]
            return [str(t) for t in found] if all(found) else []

        ids = wait_until(tracking_ids, what="the tracking IDs")
        mine = ids[0]

        # a person: her complaint a handful of times, its web-form status as JSON and
        # as the embedded table, and a tracking ID mistyped twice
        looks = [person.get(f"/track/{mine}") for _ in range(10)]
        looks += [person.get(mine_status, params={"format": f}) for f in ("json", "html") * 5]
        looks += [person.get("/track/99999999"), person.get("/track/99999999")]
        assert [a.status_code for a in looks] == [200] * 20 + [404] * 2, [
            (a.status_code, a.text[:80]) for a in looks
        ]
        assert looks[0].json()["tracking_id"] == mine

        # a walker counting through tracking IDs around the real ones
        start = min(int(t) for t in ids) - 5
        answers = walk(track_walker, [f"/track/{n}" for n in range(start, start + 200)])
        assert_stopped(answers, within=25)
        found = [a for a in answers if a.status_code == 200]
        assert len(found) < len(ids) + 3  # not every tenant's complaints

        # a walker counting through LAPORPAMAN's submission numbers
        numbers = [f"{WEBFORM}/status/LP-2026-{n:06d}" for n in range(1, 201)]
        assert_stopped(walk(form_walker, numbers), within=25)

        # the person is not held back by them, nor by her own look-ups
        assert person.get(f"/track/{mine}").status_code == 200
        assert person.get(mine_status).status_code == 200
        # and the walkers' own limits do not spill over to other routes
        assert track_walker.get("/healthz").status_code == 200


def test_a_submissions_status_url_carries_a_token_nobody_can_guess(tmp_path: Path) -> None:
    """LAPORPAMAN's numbers are its own (LP-2026-000451, counted upwards): the gateway
    cannot change them, so the status URL it hands out carries a token; a form set to
    ``status_token_required: true`` answers nothing without it."""
    mappings = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", mappings)
    kalsel = mappings / "kalsel.yaml"
    yaml = kalsel.read_text(encoding="utf-8")
    marker = "      signature_algorithm: hmac-sha256\n"
    assert marker in yaml
    kalsel.write_text(yaml.replace(marker, marker + "      status_token_required: true\n", 1))
    with serving(tmp_path, mappings) as base, client_at(base, "127.0.0.1") as http:
        _, status_url = submit(http, 1)
        path, _, query = status_url.partition("?token=")
        assert path == f"{WEBFORM}/status/LP-2026-000101" and len(query) == 32
        assert http.get(status_url).status_code == 200
        assert http.get(path, params={"token": query, "format": "html"}).status_code == 200
        assert http.get(path).status_code == 404  # the number alone: nothing
        wrong = http.get(path, params={"token": "0" * 32})
        assert wrong.status_code == 404 and "LP-2026" in wrong.json()["error"]["message"]
        # another number with this token: nothing either
        assert (
            http.get(f"{WEBFORM}/status/LP-2026-000102", params={"token": query}).status_code == 404
        )


def test_old_status_links_without_a_token_keep_working_by_default(gateway: str) -> None:
    with client_at(gateway, "127.0.0.1") as http:
        _, status_url = submit(http, 1)
        path, _, token = status_url.partition("?token=")
        assert http.get(path).status_code == 200  # a link handed out before tokens
        assert http.get(status_url).status_code == 200
        assert http.get(path, params={"token": token[::-1]}).status_code == 404
