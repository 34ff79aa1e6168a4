"""PostgreSQL stops under a stream of complaints, then starts again: the gateway
answers 503 with Retry-After while it is down (never 500, never a hang), loses
nothing it acknowledged, and takes complaints again once it is back.

This stops the machine's PostgreSQL cluster for a few seconds: it always starts it
again, even when the test fails.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.chaos_support import KEYS, complaint_body, pg_cluster, query
from tests.e2e.conftest import gateway_process
from tests.support import (
    ensure_postgres,
    fresh_postgres_database,
    postgres_available,
    sandbox_process,
    scaled,
    wait_until,
)

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

ANSWER_DEADLINE = scaled(10.0)  # seconds; a request without an answer by then hangs
PACE = 0.02  # seconds between two posts: a steady stream, not a flood
TENANT = "lampung"
ENOUGH = 20  # answers of a kind before moving to the next phase
# a job whose attempt could not be recorded is taken over when its lease runs out
SHORT_LEASE = {"GATEWAY_LEASE_SECONDS": "10"}


@dataclass(frozen=True)
class Answer:
    source_ref: str
    #: when it was sent: up, stopping (stop under way), down (stopped), starting
    #: (start under way), restarted (PostgreSQL answers again)
    phase: str
    status: int | None
    error: str | None
    body: Any
    retry_after: str | None
    seconds: float


class Poster(threading.Thread):
    """Posts a new complaint every ``PACE`` seconds until stopped, keeping every answer."""

    def __init__(self, gateway: str) -> None:
        super().__init__(daemon=True)
        self.gateway = gateway
        self.phase = "up"
        self.answers: list[Answer] = []
        self._halt = threading.Event()

    def run(self) -> None:
        url = f"{self.gateway}/channels/api/{TENANT}/complaints"
        with httpx.Client(timeout=ANSWER_DEADLINE) as http:
            i = 0
            while not self._halt.is_set():
                body, phase = complaint_body(TENANT, i), self.phase
                started = time.monotonic()
                try:
                    got = http.post(url, json=body, headers=KEYS[TENANT])
                    answer = Answer(
                        body["source_ref"],
                        phase,
                        got.status_code,
                        None,
                        _json(got),
                        got.headers.get("Retry-After"),
                        time.monotonic() - started,
                    )
                except httpx.HTTPError as exc:
                    seconds = time.monotonic() - started
                    answer = Answer(body["source_ref"], phase, None, repr(exc), None, None, seconds)
                self.answers.append(answer)
                i += 1
                self._halt.wait(PACE)  # unscaled: the pace of the posts, not a deadline

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=ANSWER_DEADLINE + 5)
        assert not self.is_alive(), "the poster hangs"

    def count(self, status: int, phase: str) -> int:
        return sum(1 for a in list(self.answers) if a.status == status and a.phase == phase)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def test_postgres_restart_loses_nothing_acknowledged(tmp_path: Path) -> None:
    ensure_postgres()
    with (
        fresh_postgres_database() as database_url,
        sandbox_process(tmp_path, "--step-seconds", "0") as sandbox,
        gateway_process(tmp_path, database_url, sandbox, SHORT_LEASE) as gateway,
    ):
        poster = Poster(gateway)
        poster.start()
        try:
            wait_until(lambda: poster.count(202, "up") >= ENOUGH, timeout=30, what="intake")
            try:
                poster.phase = "stopping"
                stopped = pg_cluster("stop")
                assert stopped.returncode == 0, stopped.stderr
                assert not postgres_available()
                poster.phase = "down"
                wait_until(
                    lambda: poster.count(503, "down") >= ENOUGH,
                    timeout=15,
                    what="503s while PostgreSQL is down",
                )
            finally:
                poster.phase = "starting"
                started = pg_cluster("start")
                ensure_postgres()
            assert started.returncode == 0, started.stderr
            poster.phase = "restarted"
            wait_until(
                lambda: poster.count(202, "restarted") >= ENOUGH,
                timeout=30,
                what="intake after the restart",
            )
        finally:
            poster.stop()

        answers = poster.answers
        summary = {
            phase: sorted({str(a.status or a.error) for a in answers if a.phase == phase})
            for phase in ("up", "stopping", "down", "starting", "restarted")
        }
        print(f"\nanswers by phase: {summary}")
        for a in answers:
            assert a.status in (202, 503), a  # never 500, never a transport error or hang
            assert a.seconds < ANSWER_DEADLINE, a
            if a.status == 503:
                assert a.body["error"]["code"] == "unavailable", a
                assert a.body["error"]["message"], a
                assert a.retry_after is not None and int(a.retry_after) >= 1, a
        assert {a.status for a in answers if a.phase == "down"} == {503}, summary
        assert {a.status for a in answers if a.phase == "up"} == {202}, summary

        # the channel retries what was refused: stored at most once, never twice
        refused = [a.source_ref for a in answers if a.status == 503]
        with httpx.Client(timeout=ANSWER_DEADLINE) as http:
            for ref in refused:
                i = int(ref.rsplit("-", 1)[1])
                again = http.post(
                    f"{gateway}/channels/api/{TENANT}/complaints",
                    json=complaint_body(TENANT, i),
                    headers=KEYS[TENANT],
                )
                assert again.status_code in (200, 202), (ref, again.status_code, again.text)

        acknowledged = {a.source_ref for a in answers if a.status == 202}
        stored = [ref for (ref,) in query(database_url, "SELECT source_ref FROM complaint")]
        assert len(stored) == len(set(stored)) == len(answers), (len(stored), len(answers))
        assert acknowledged <= set(stored), sorted(acknowledged - set(stored))

        # the sync engine in the same process got through the outage too
        def all_tracked() -> bool:
            ((untracked,),) = query(
                database_url, "SELECT COUNT(*) FROM complaint WHERE tracking_id IS NULL"
            )
            return bool(untracked == 0)

        wait_until(all_tracked, timeout=60, interval=0.5, what="tracking IDs after the restart")
