"""A reply in flight when the gateway is killed (SIGKILL) reaches the citizen after the
restart (issue 16, finding 3): `gateway serve` as a real process, the Telegram Bot API
and an SMS aggregator faked over loopback, holding the reply unanswered until the
process is dead, so it is never delivered by the first run."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.e2e.sms_support import URL as SMS_URL
from tests.e2e.sms_support import signed
from tests.e2e.telegram_support import CITIZEN, HOOK, SECRET, TOKEN, text_update
from tests.fakes.telegram_api import serve_fake_telegram
from tests.support import (
    ROOT,
    TENANT_ENV,
    child_process,
    free_port,
    python,
    scaled,
    serve_in_thread,
    wait_until,
)

pytestmark = pytest.mark.e2e
ASK_WHAT = "Apa yang terjadi?"


class Aggregator:
    """An HTTP SMS aggregator's send URL that records what it delivered, and can hold
    requests unanswered (then fail them: not delivered)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.delivered: list[dict[str, Any]] = []
        self.holding = False
        self.held = 0
        self.app = Starlette(routes=[Route("/api/v1/send", self.send, methods=["POST"])])

    async def send(self, request: Request) -> JSONResponse:
        body = json.loads(await request.body())
        with self.lock:
            held = self.holding
            self.held += held
        if held:
            while self.holding:
                await asyncio.sleep(0.02)
            with self.lock:
                self.held -= 1
            return JSONResponse({"status": "error"}, status_code=502)
        with self.lock:
            self.delivered.append(body)
        return JSONResponse({"status": "ok", "message_id": f"AGG-{len(self.delivered)}"})

    def to(self, msisdn: str) -> list[str]:
        with self.lock:
            return [m["message"] for m in self.delivered if m["msisdn"] == msisdn]


@contextmanager
def gateway(tmp: Path, **env: str) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`gateway serve` on SQLite with the in-process sandbox; short leases, so a dead
    process's jobs are taken over within seconds."""
    port = free_port()
    environ = {
        **TENANT_ENV,
        "GATEWAY_DATABASE_URL": f"sqlite:///{tmp / 'gateway.db'}",
        "GATEWAY_SANDBOX_DB": str(tmp / "sandbox.db"),
        "GATEWAY_SANDBOX_STEP_SECONDS": "3600",
        "GATEWAY_MAPPINGS_DIR": str(tmp / "mappings"),
        "GATEWAY_NATIONAL_TIMEOUT": "0.5",
        "GATEWAY_LEASE_SECONDS": "2",
        "GATEWAY_DISPATCH_INTERVAL": "0.1",
        "GATEWAY_BACKOFF_BASE": "0.2",
        "GATEWAY_BACKOFF_MAX": "1",
        "GATEWAY_LOG_FORMAT": "json",
        **env,
    }
    command = [python(), "-m", "gateway"]
    upgraded = subprocess.run(
        [*command, "db", "upgrade"], env=environ, capture_output=True, text=True, cwd=ROOT
    )
    assert upgraded.returncode == 0, upgraded.stderr
    base = f"http://127.0.0.1:{port}"
    log = tmp / f"gateway-{port}.log"
    with child_process(
        [*command, "serve", "--port", str(port)], environ, f"{base}/healthz", log
    ) as proc:
        yield proc, base


def mappings(tmp: Path, replace: dict[str, str] | None = None) -> None:
    shutil.copytree(ROOT / "mappings", tmp / "mappings")
    for old, new in (replace or {}).items():
        for path in (tmp / "mappings").glob("*.yaml"):
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace(old, new), encoding="utf-8")


def kill(proc: subprocess.Popen[bytes]) -> None:
    proc.kill()  # SIGKILL: nothing runs on the way out
    proc.wait(timeout=scaled(10))


def inbound_states(tmp: Path, channel: str) -> list[str]:
    with sqlite3.connect(tmp / "gateway.db") as db:
        query = "SELECT state FROM inbound_message WHERE channel = ?"
        return [state for (state,) in db.execute(query, (channel,))]


def test_a_question_in_flight_when_the_process_dies_is_asked_after_the_restart(
    tmp_path: Path,
) -> None:
    mappings(tmp_path)
    with serve_fake_telegram(TOKEN) as (fake, api_url):
        fake.hold("sendMessage")  # the question goes out and gets no answer
        with gateway(tmp_path, GATEWAY_TELEGRAM_API_URL=api_url) as (proc, base):
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            answer = httpx.post(f"{base}{HOOK}", json=text_update("/lapor", 1), headers=headers)
            assert answer.status_code == 200
            wait_until(lambda: fake.held, timeout=15, what="the question in flight")
            # the conversation step was committed: the update is done, the chat moved on
            assert inbound_states(tmp_path, "telegram") == ["parsed"]
            kill(proc)
        fake.release("sendMessage")  # the dead process's request fails: never delivered
        assert fake.sent(CITIZEN) == []

        with gateway(tmp_path, GATEWAY_TELEGRAM_API_URL=api_url) as (proc, base):
            asked = wait_until(
                lambda: [m for m in fake.sent(CITIZEN) if ASK_WHAT in m.get("text", "")],
                timeout=20,
                what="the question after the restart",
            )
            assert len(asked) >= 1  # at least once
            # and the conversation goes on from where it was
            what = "Jembatan gantung di jorong Koto Baru putus"
            httpx.post(f"{base}{HOOK}", json=text_update(what, 2), headers=headers)
            wait_until(
                lambda: [m for m in fake.sent(CITIZEN) if "Kapan terjadinya?" in m.get("text", "")],
                timeout=20,
                what="the next question",
            )


def test_a_status_answer_in_flight_when_the_process_dies_is_sent_after_the_restart(
    tmp_path: Path,
) -> None:
    aggregator = Aggregator()
    with serve_in_thread(aggregator.app) as agg_base:
        mappings(tmp_path, {"https://sms-aggregator.example.id": agg_base})
        aggregator.holding = True
        with gateway(tmp_path) as (proc, base):
            sms = {"msgid": "AGG-IN-501", "msisdn": "6285211113333", "message": "STATUS"}
            raw, headers = signed(sms)
            # (a gateway that sends the answer before it acknowledges the SMS hangs here)
            with contextlib.suppress(httpx.TimeoutException):
                httpx.post(f"{base}{SMS_URL}", content=raw, headers=headers, timeout=scaled(2))
            wait_until(lambda: aggregator.held, timeout=15, what="the answer in flight")
            assert inbound_states(tmp_path, "sms") == ["parsed"]
            kill(proc)
        aggregator.holding = False
        wait_until(lambda: not aggregator.held, timeout=5, what="the held request to end")
        assert aggregator.to("6285211113333") == []

        with gateway(tmp_path):
            answers = wait_until(
                lambda: aggregator.to("6285211113333"), timeout=20, what="the answer"
            )
            assert answers[0].startswith("Belum ada laporan dari nomor ini.")
