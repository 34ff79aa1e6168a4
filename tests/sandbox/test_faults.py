"""Injected faults, each kind on its own, switched at run time through /_sandbox/faults."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.sandbox.conftest import complaint
from tests.support import SANDBOX_ADMIN, scaled

# Served directly by uvicorn, a reset is a real TCP RST: the client's read fails.
#: what a client sees of a connection the server reset: a read or a write error, or, when
#: the reset lands while httpcore is still sending the request, the write error it
#: swallows (to read an early answer) followed by an empty read: "Server disconnected
#: without sending a response". Seen on a busy machine (load ~10); all three are
#: transport errors with no answer, which is what the gateway's client must survive.
RESET_BY_PEER = (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)


def set_faults(sandbox: str, **config: object) -> dict:
    answer = httpx.put(f"{sandbox}/_sandbox/faults", json=config, headers=SANDBOX_ADMIN)
    assert answer.status_code == 200, answer.text
    return answer.json()


def stored(http: httpx.Client, external_ref: str) -> list[dict]:
    return http.get("/api/v1/complaints", params={"external_ref": external_ref}).json()["items"]


def fault_count(sandbox: str, kind: str) -> int:
    return (
        httpx.get(f"{sandbox}/_sandbox/stats", headers=SANDBOX_ADMIN).json()["faults"].get(kind, 0)
    )


def test_throttling_answers_429_with_retry_after_and_commits_nothing(
    http: httpx.Client, sandbox: str
) -> None:
    set_faults(sandbox, throttle_rate=1.0, retry_after_s=7)
    before = fault_count(sandbox, "throttle")
    body = complaint()
    answer = http.post("/api/v1/complaints", json=body)
    assert answer.status_code == 429
    assert answer.headers["retry-after"] == "7"
    assert http.get("/api/v1/topics").status_code == 429
    set_faults(sandbox)
    assert stored(http, body["external_ref"]) == []
    assert fault_count(sandbox, "throttle") == before + 2


def test_errors_answer_5xx_and_commit_nothing(http: httpx.Client, sandbox: str) -> None:
    set_faults(sandbox, error_rate=1.0, seed=3)
    bodies = [complaint() for _ in range(12)]
    statuses = {http.post("/api/v1/complaints", json=b).status_code for b in bodies}
    assert statuses <= {500, 502, 503} and len(statuses) > 1
    set_faults(sandbox)
    assert all(stored(http, b["external_ref"]) == [] for b in bodies)


def test_a_reset_is_a_transport_error_and_commits_nothing(http: httpx.Client, sandbox: str) -> None:
    set_faults(sandbox, reset_rate=1.0)
    before = fault_count(sandbox, "reset")
    body = complaint()
    with pytest.raises(RESET_BY_PEER):
        http.post("/api/v1/complaints", json=body)
    with pytest.raises(RESET_BY_PEER):
        http.get("/api/v1/changes")
    set_faults(sandbox)
    assert stored(http, body["external_ref"]) == []
    assert fault_count(sandbox, "reset") == before + 2


def test_a_lost_response_is_committed_though_the_client_sees_a_transport_error(
    http: httpx.Client, sandbox: str
) -> None:
    set_faults(sandbox, lost_response_rate=1.0)
    before = fault_count(sandbox, "lost_response")
    body = complaint()
    with pytest.raises(RESET_BY_PEER):
        http.post("/api/v1/complaints", json=body)
    # only POSTs of complaints and comments lose their answer
    assert (
        http.get("/api/v1/complaints", params={"external_ref": body["external_ref"]}).status_code
        == 200
    )
    [found] = stored(http, body["external_ref"])
    assert found["status"] == "belum_terverifikasi"

    with pytest.raises(RESET_BY_PEER):
        http.post(f"/api/v1/complaints/{found['tracking_id']}/comments", json={"text": "Halo?"})
    set_faults(sandbox)
    detail = http.get(f"/api/v1/complaints/{found['tracking_id']}").json()
    assert [c["text"] for c in detail["comments"]] == ["Halo?"]
    assert fault_count(sandbox, "lost_response") == before + 2


def test_a_timeout_hangs_past_the_client_deadline_and_commits_nothing(
    http: httpx.Client, sandbox: str
) -> None:
    set_faults(sandbox, timeout_rate=1.0, timeout_s=5)
    body = complaint()
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        http.post("/api/v1/complaints", json=body, timeout=0.5)  # unscaled: gives up on purpose
    assert time.monotonic() - started < scaled(3)
    set_faults(sandbox)
    assert stored(http, body["external_ref"]) == []


def test_a_short_timeout_ends_in_a_504(http: httpx.Client, sandbox: str) -> None:
    set_faults(sandbox, timeout_rate=1.0, timeout_s=0.2)
    assert http.get("/api/v1/topics").status_code == 504


def test_latency_is_added_to_every_request(http: httpx.Client, sandbox: str) -> None:
    set_faults(sandbox, latency_ms=300)
    started = time.monotonic()
    assert http.get("/api/v1/topics").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_faults_never_touch_the_admin_endpoints(sandbox: str) -> None:
    set_faults(sandbox, error_rate=0.5, reset_rate=0.5)
    for _ in range(5):
        assert httpx.get(f"{sandbox}/_sandbox/stats", headers=SANDBOX_ADMIN).status_code == 200
        assert httpx.get(f"{sandbox}/_sandbox/health").status_code == 200


def test_faults_are_read_replaced_and_patched_at_run_time(sandbox: str) -> None:
    assert httpx.get(f"{sandbox}/_sandbox/faults", headers=SANDBOX_ADMIN).json()["error_rate"] == 0
    replaced = set_faults(sandbox, error_rate=0.25, retry_after_s=3)
    assert replaced["error_rate"] == 0.25 and replaced["retry_after_s"] == 3
    patched = httpx.patch(
        f"{sandbox}/_sandbox/faults", json={"throttle_rate": 0.5}, headers=SANDBOX_ADMIN
    ).json()
    assert patched["error_rate"] == 0.25 and patched["throttle_rate"] == 0.5
    assert httpx.get(f"{sandbox}/_sandbox/faults", headers=SANDBOX_ADMIN).json() == patched
    replaced = set_faults(sandbox, reset_rate=0.1)  # PUT: the rest back to the defaults
    assert replaced["error_rate"] == 0 and replaced["throttle_rate"] == 0
    for bad in ({"error_rate": 1.5}, {"error_rate": 0.6, "reset_rate": 0.6}, {"latency": 3}):
        answer = httpx.put(f"{sandbox}/_sandbox/faults", json=bad, headers=SANDBOX_ADMIN)
        assert answer.status_code == 400 and answer.json()["errors"], bad
        assert (
            httpx.patch(f"{sandbox}/_sandbox/faults", json=bad, headers=SANDBOX_ADMIN).status_code
            == 400
        )
    assert (
        httpx.get(f"{sandbox}/_sandbox/faults", headers=SANDBOX_ADMIN).json()["reset_rate"] == 0.1
    )


def test_the_command_line_sets_the_faults_and_a_seed_repeats_them(
    sandboxes, account: dict[str, str]
) -> None:
    args = ("--step-seconds", "0", "--error-rate", "0.3", "--throttle-rate", "0.2",
            "--retry-after", "2", "--seed", "5")  # fmt: skip
    url = sandboxes(*args)
    config = httpx.get(f"{url}/_sandbox/faults", headers=SANDBOX_ADMIN).json()
    assert config["error_rate"] == 0.3 and config["throttle_rate"] == 0.2
    assert config["retry_after_s"] == 2 and config["seed"] == 5
    with httpx.Client(base_url=url, headers=account) as http:
        runs = []
        for _ in range(2):
            set_faults(url, **config)  # restarts the draws from the seed
            runs.append([http.get("/api/v1/topics").status_code for _ in range(20)])
    assert runs[0] == runs[1]
    assert {200, 429} <= set(runs[0])
