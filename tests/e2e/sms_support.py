"""A gateway with the in-process sandbox and an HTTP SMS aggregator (Sulawesi Barat's
sample), over loopback: signed JSON in, replies posted to the aggregator's send URL,
which records them."""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.api.app import create_app
from gateway.bootstrap import build_container
from gateway.migrations import upgrade
from gateway.settings import Settings
from tests.support import ROOT, TENANT_ENV, serve_in_thread

SECRET = TENANT_ENV["GATEWAY_SULBAR_SMS_SECRET"]
SULBAR = {"X-API-Key": TENANT_ENV["GATEWAY_SULBAR_API_KEY"]}
URL = "/channels/sms/http/sulbar"


class Aggregator:
    def __init__(self) -> None:
        self.sent: list[tuple[dict, dict]] = []
        self.lock = threading.Lock()
        self.app = Starlette(routes=[Route("/api/v1/send", self.send, methods=["POST"])])

    async def send(self, request: Request) -> JSONResponse:
        body = await request.body()
        with self.lock:
            self.sent.append((json.loads(body), dict(request.headers)))
        return JSONResponse({"status": "ok", "message_id": f"AGG-{len(self.sent)}"})

    def messages(self) -> list[dict]:
        with self.lock:
            return [body for body, _ in self.sent]


def signed(body: dict) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    digest = hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {"X-Signature": digest, "Content-Type": "application/json"}


@contextmanager
def sms_gateway(tmp_path: Path, **settings: Any) -> Iterator[tuple[httpx.Client, Aggregator]]:
    """The gateway with its sync running against the in-process sandbox registry, on
    SQLite in ``tmp_path``; Sulawesi Barat's SMS replies go to a recording
    :class:`Aggregator`. ``settings`` are further :class:`Settings`."""
    aggregator = Aggregator()
    with serve_in_thread(aggregator.app) as agg_base:
        mappings = tmp_path / "mappings"
        shutil.copytree(ROOT / "mappings", mappings)
        path = mappings / "sulbar.yaml"
        yaml = path.read_text(encoding="utf-8")
        path.write_text(
            yaml.replace("https://sms-aggregator.example.id", agg_base), encoding="utf-8"
        )
        config = Settings(
            database_url=f"sqlite:///{tmp_path / 'gateway.db'}",
            mappings_dir=str(mappings),
            sandbox_db=str(tmp_path / "sandbox.db"),
            **{"dispatch_interval": 0.1, **settings},
        )
        container = build_container(config, environ=TENANT_ENV)
        upgrade(container.engine)
        with serve_in_thread(create_app(container)) as base, httpx.Client(base_url=base) as http:
            yield http, aggregator
