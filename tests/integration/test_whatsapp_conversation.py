"""The conversation over WhatsApp, on SQLite and PostgreSQL: a signed delivery posted
to the webhook over loopback, taken by the channel (adapters.whatsapp.service) through
the channel-neutral turn, its answers queued as ``reply`` outbox jobs (as every chat
channel's are); a whole report with a photo fetched from a fake Graph API over loopback."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from adapters.whatsapp.service import REPLY_KIND, WhatsAppChannel
from gateway.storage.intake import PARSED
from gateway.storage.models import ChatSession, Complaint, InboundMessage, OutboxJob
from gateway.storage.queues import chat_key
from tests.fakes import whatsapp_api as wa
from tests.ops_support import console_app
from tests.support import TENANT_ENV, scaled, serve_in_thread
from tests.unit.test_whatsapp_events import one_of_each

HOOK = "/channels/whatsapp/sumbar"
SECRET = TENANT_ENV["GATEWAY_SUMBAR_WHATSAPP_APP_SECRET"]
TOKEN = TENANT_ENV["GATEWAY_SUMBAR_WHATSAPP_ACCESS_TOKEN"]
PHONE_ID = TENANT_ENV["GATEWAY_SUMBAR_WHATSAPP_PHONE_NUMBER_ID"]
CITIZEN = "6281234567890"
WHAT = "Jembatan gantung di jorong Koto Baru putus, anak sekolah tidak bisa menyeberang"
PHOTO = b"\xff\xd8\xff\xe0" + b"jembatan" * 200


@dataclass
class Gateway:
    http: httpx.Client
    factory: sessionmaker[Session]
    channel: WhatsAppChannel
    fake: wa.FakeWhatsApp
    seen: int = 0

    def post(self, *messages: dict[str, Any]) -> int:
        """Deliver ``messages`` signed, let the channel take them; how many it took."""
        body = wa.delivery(PHONE_ID, list(messages), name="Rina")
        answer = wa.post_delivery(self.http, HOOK, body, SECRET)
        assert answer.status_code == 200, answer.text

        async def take() -> int:
            try:
                return await self.channel.take_pending()
            finally:
                await self.channel.aclose()  # its HTTP client belongs to this loop

        return asyncio.run(take())

    def replies(self) -> list[dict[str, Any]]:
        with self.factory() as session:
            rows = session.scalars(
                select(OutboxJob)
                .where(col(OutboxJob.kind) == REPLY_KIND)
                .order_by(col(OutboxJob.created_at), col(OutboxJob.id))
            ).all()
            found = []
            for row in rows:
                payload = json.loads(row.payload)
                assert payload["channel"] == "whatsapp"
                choices = [choice for line in payload.get("buttons", []) for choice in line]
                found.append(
                    {
                        "key": row.complaint_id,
                        "tenant": row.tenant,
                        "chat_id": payload["to"],
                        "text": payload["text"],
                        "choices": choices,
                    }
                )
            return found

    def new_replies(self) -> list[dict[str, Any]]:
        found = self.replies()
        fresh, self.seen = found[self.seen :], len(found)
        return fresh


@pytest.fixture
def gateway(
    engine: Engine, database_url: str, factory: sessionmaker[Session], tmp_path: Path
) -> Iterator[Gateway]:
    with wa.serve_fake_whatsapp(TOKEN, PHONE_ID) as (fake, api):
        container, app = console_app(
            database_url, whatsapp_api_url=api, attachments_dir=str(tmp_path / "files")
        )
        with (
            serve_in_thread(app) as base,
            httpx.Client(base_url=base, timeout=scaled(10)) as http,
        ):
            yield Gateway(http, factory, WhatsAppChannel.of(container), fake)


def test_a_signed_text_gets_the_engines_first_answer_queued(gateway: Gateway) -> None:
    assert gateway.post(wa.text(CITIZEN, "halo")) == 1
    [reply] = gateway.new_replies()
    assert reply["tenant"] == "sumbar" and reply["chat_id"] == CITIZEN
    assert reply["text"].startswith("Untuk melapor, ketik keluhan Anda")
    assert "go:lapor" in [data for _, data in reply["choices"]]
    assert reply["key"] == chat_key("whatsapp", CITIZEN) and CITIZEN not in reply["key"]
    with gateway.factory() as session:
        [message] = session.scalars(
            select(InboundMessage).where(col(InboundMessage.channel) == "whatsapp")
        ).all()
        assert message.state == PARSED
        [chat] = session.scalars(select(ChatSession)).all()
        assert (chat.channel, chat.chat_id) == ("whatsapp", CITIZEN)
    # a redelivery is neither stored nor answered again
    assert gateway.post(wa.text(CITIZEN, "halo", message.source_ref.split(":", 1)[1])) == 0
    assert gateway.new_replies() == []


def test_a_whole_report_with_a_photo_typed_and_pressed(gateway: Gateway) -> None:
    gateway.post(wa.text(CITIZEN, "lapor"))
    assert gateway.new_replies()[-1]["text"].startswith("Apa yang terjadi")
    gateway.post(wa.text(CITIZEN, WHAT))
    gateway.fake.add_media("media-1", PHOTO, "image/jpeg")
    for _ in range(8):  # answer what the report still asks, as a citizen would
        last = gateway.new_replies()[-1]
        ids = [data for _, data in last["choices"]]
        if any(i.startswith("send:") for i in ids):
            break
        if any(i.startswith("photo:") for i in ids):
            gateway.post(wa.media(CITIZEN, "image", "media-1", "image/jpeg", caption="ini"))
        elif any(i.startswith("when:") for i in ids):
            gateway.post(wa.text(CITIZEN, "Kemarin"))  # a choice typed by its label
        elif ids:
            label, data = last["choices"][0]
            gateway.post(wa.button_reply(CITIZEN, data, label[:20]))
        else:  # where
            gateway.post(wa.text(CITIZEN, "di jorong Koto Baru, Kabupaten Solok"))
    summary = gateway.replies()[-1]
    assert "1 lampiran" in summary["text"], summary["text"]
    send = next(data for _, data in summary["choices"] if data.startswith("send:"))
    gateway.post(wa.button_reply(CITIZEN, send, "Kirim"))
    assert gateway.new_replies()[-1]["text"].startswith("Terima kasih")
    assert gateway.fake.media_fetches == 1
    with gateway.factory() as session:
        [complaint] = session.scalars(select(Complaint)).all()
    assert (complaint.channel, complaint.source_ref) == ("whatsapp", f"{CITIZEN}:1")
    assert complaint.content == WHAT and complaint.reporter_name == "Rina"
    [attachment] = json.loads(complaint.attachments or "[]")
    assert attachment["content_type"] == "image/jpeg" and attachment["size"] == len(PHOTO)


def test_one_of_each_message_type_is_taken_without_an_exception(gateway: Gateway) -> None:
    messages = one_of_each()  # its image and document are not on the fake: not fetched
    assert gateway.post(*messages.values()) == len(messages) == 13
    with gateway.factory() as session:
        rows = session.scalars(
            select(InboundMessage).where(col(InboundMessage.channel) == "whatsapp")
        ).all()
    states = {
        json.loads(r.payload)["entry"][0]["changes"][0]["value"]["messages"][0]["id"]: r
        for r in rows
    }
    taken = {name: states[m["id"]].state for name, m in messages.items()}
    assert taken == {name: "ignored" if name == "reaction" else PARSED for name in messages}
    assert states[messages["reaction"]["id"]].error == "a reaction"
    said = [r["text"] for r in gateway.new_replies()]
    assert any("gagal diunduh dari WhatsApp" in text for text in said), said
    assert any("pesan suara" in text for text in said), said  # the voice note
