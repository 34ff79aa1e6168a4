"""A gateway with the in-process sandbox and a fake Telegram Bot API, over loopback."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any

import httpx

from gateway.api.app import create_app
from gateway.bootstrap import Container, build_container
from gateway.migrations import upgrade
from gateway.settings import Settings
from tests.fakes.telegram_api import FakeTelegram, serve_fake_telegram
from tests.support import ROOT, TENANT_ENV, serve_in_thread, wait_until

TOKEN = TENANT_ENV["GATEWAY_SUMBAR_TELEGRAM_BOT_TOKEN"]
SECRET = TENANT_ENV["GATEWAY_SUMBAR_TELEGRAM_WEBHOOK_SECRET"]
HOOK = "/channels/telegram/sumbar"
SUMBAR = {"X-API-Key": TENANT_ENV["GATEWAY_SUMBAR_API_KEY"]}
SHAPES: dict[str, dict[str, Any]] = json.loads(
    (ROOT / "tests" / "data" / "telegram_updates.json").read_text(encoding="utf-8")
)
CITIZEN = 5012345678
_ids = count(900_000_000)


@dataclass
class Gateway:
    http: httpx.Client
    telegram: FakeTelegram
    container: Container
    tmp: Path

    def post(self, update: dict[str, Any], secret: str | None = SECRET) -> httpx.Response:
        headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
        return self.http.post(HOOK, json=update, headers=headers)

    def said(self, chat: int = CITIZEN) -> list[str]:
        return [m.get("text", "") for m in self.telegram.sent(chat)]

    def wait_said(self, needle: str, chat: int = CITIZEN, timeout: float = 10) -> dict[str, Any]:
        def found() -> dict[str, Any] | None:
            for message in self.telegram.sent(chat):
                if needle in message.get("text", ""):
                    return message
            return None

        return wait_until(found, timeout=timeout, what=f"the bot saying {needle!r}")

    def inbound_states(self) -> dict[str, str]:
        from sqlalchemy import text

        with self.container.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT source_ref, state FROM inbound_message WHERE channel = 'telegram'")
            )
            return {r.source_ref: r.state for r in rows}


def text_update(text: str, message_id: int, chat: int = CITIZEN, **extra: Any) -> dict[str, Any]:
    update = copy.deepcopy(SHAPES["text"])
    update["update_id"] = next(_ids)
    message = update["message"]
    message.update(message_id=message_id, text=text, **extra)
    message["chat"]["id"] = chat
    message["from"]["id"] = chat
    return update


def button_update(data: str, chat: int = CITIZEN) -> dict[str, Any]:
    update = copy.deepcopy(SHAPES["callback_query"])
    update["update_id"] = next(_ids)
    query = update["callback_query"]
    query.update(id=str(next(_ids)), data=data)
    query["message"]["chat"]["id"] = chat
    query["from"]["id"] = chat
    return update


def buttons(message: dict[str, Any]) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


@contextmanager
def telegram_gateway(
    tmp: Path, *, polling: bool = False, run_sync: bool = True, **settings: Any
) -> Iterator[Gateway]:
    mappings = tmp / "mappings"
    if not mappings.exists():  # a restart keeps the first start's files
        shutil.copytree(ROOT / "mappings", mappings)
    if polling:
        path = mappings / "sumbar.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(
            text.replace("      mode: webhook ", "      mode: polling "),
            encoding="utf-8",
        )
    with serve_fake_telegram(TOKEN) as (fake, api_url):
        config = Settings(
            database_url=f"sqlite:///{tmp / 'gateway.db'}",
            mappings_dir=str(mappings),
            sandbox_db=str(tmp / "sandbox.db"),
            attachments_dir=str(tmp / "attachments"),
            telegram_api_url=api_url,
            telegram_poll_timeout=1,
            **{
                "sandbox_step_seconds": 0.3,
                "sandbox_archive_rate": 0,
                "dispatch_interval": 0.1,
                "pull_interval": 0.2,
                **settings,
            },
        )
        container = build_container(config, environ=TENANT_ENV)
        upgrade(container.engine)
        app = create_app(container, run_sync=run_sync)
        with serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=10) as http:
            yield Gateway(http, fake, container, tmp)
