"""A gateway with the in-process sandbox and a fake Telegram Bot API, over loopback."""

from __future__ import annotations

import copy
import json
import shutil
import sqlite3
from collections.abc import Callable, Iterator
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
from tests.support import ROOT, TENANT_ENV, scaled, serve_in_thread, wait_until

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


def labels(message: dict[str, Any]) -> dict[str, str]:
    """The message's buttons: callback data -> label."""
    markup = message.get("reply_markup") or {}
    return {b["callback_data"]: b["text"] for row in markup.get("inline_keyboard", []) for b in row}


def document_update(
    file_id: str,
    message_id: int,
    *,
    caption: str | None = None,
    file_name: str = "lampiran.pdf",
    mime_type: str = "application/pdf",
    size: int = 1000,
    chat: int = CITIZEN,
) -> dict[str, Any]:
    update = copy.deepcopy(SHAPES["document_pdf"])
    update["update_id"] = next(_ids)
    message = update["message"]
    message.update(message_id=message_id)
    message["document"].update(
        file_id=file_id, file_unique_id=file_id[-12:], file_name=file_name, mime_type=mime_type
    )
    message["document"]["file_size"] = size
    if caption is None:
        message.pop("caption", None)
    else:
        message["caption"] = caption
    message["chat"]["id"] = chat
    message["from"]["id"] = chat
    return update


def said_after(gw: Gateway, seen: int, chat: int = CITIZEN, timeout: float = 10) -> dict[str, Any]:
    """The bot's latest message once it has said more than ``seen`` messages."""
    return wait_until(
        lambda: len(m := gw.telegram.sent(chat)) > seen and m, timeout=timeout, what="an answer"
    )[-1]


_answers = count(60_000)


def until_summary(
    gw: Gateway,
    *,
    where: str,
    chat: int = CITIZEN,
    seen: int = 0,
    send: Callable[[dict[str, Any]], Any] | None = None,
) -> dict[str, Any]:
    """Answer what the bot asks (the place typed as ``where``; the date and a photo
    skipped; a topic or category: the first offered) until it shows the summary to
    send; ``seen``: the chat's messages before the question to answer. Status
    notifications that arrive meanwhile are passed over."""
    post = send or gw.post
    for _ in range(8):
        found = wait_until(
            lambda: [
                (n, m) for n, m in enumerate(gw.telegram.sent(chat)) if n >= seen and _asks(m)
            ],
            timeout=10,
            what="the bot's next question",
        )
        seen, last = found[-1][0] + 1, found[-1][1]
        data = buttons(last)
        if "Periksa laporan Anda" in last.get("text", "") and any(
            d.startswith("send:") for d in data
        ):
            return last
        if last.get("text", "").startswith("Di mana"):
            post(text_update(where, next(_answers), chat))
        elif data[0].split(":")[0] in ("when", "photo"):
            prefix, conv = data[0].split(":")[:2]
            post(button_update(f"{prefix}:{conv}:skip", chat))
        else:
            post(button_update(data[0], chat))
    raise AssertionError("no summary after 8 questions")


def _asks(message: dict[str, Any]) -> bool:
    """Whether the bot's message asks something of the citizen."""
    return bool(buttons(message)) or message.get("text", "").startswith("Di mana")


def complaints(gw: Gateway) -> list[dict[str, Any]]:
    """The tenant's Telegram complaints as the gateway's API lists them, newest first."""
    answer = gw.http.get("/complaints", params={"channel": "telegram"}, headers=SUMBAR)
    return list(answer.json()["items"])


def registry_payload(gw: Gateway, tracking_id: str) -> dict[str, Any]:
    """The complaint as the sandbox registry stored it (what the gateway submitted)."""
    with sqlite3.connect(gw.tmp / "sandbox.db") as conn:
        row = conn.execute(
            "SELECT payload FROM complaints WHERE tracking_no = ?", (int(tracking_id),)
        ).fetchone()
    assert row is not None, tracking_id
    payload: dict[str, Any] = json.loads(row[0])
    return payload


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
        with serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=scaled(10)) as http:
            yield Gateway(http, fake, container, tmp)
