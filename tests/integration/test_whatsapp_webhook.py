"""The WhatsApp webhook over loopback, on SQLite and PostgreSQL: Meta's verification,
the signature checked before anything is read, each message stored raw and once,
statuses of the gateway's own messages only moving forward."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col
from structlog.testing import capture_logs

from adapters.whatsapp import store
from adapters.whatsapp.events import Message
from gateway.storage.models import InboundMessage, WhatsAppMessage
from tests.fakes import whatsapp_api as wa
from tests.ops_support import serve_console
from tests.support import TENANT_ENV, scaled
from tests.unit.test_whatsapp_events import one_of_each

HOOK = "/channels/whatsapp/sumbar"
SECRET = TENANT_ENV["GATEWAY_SUMBAR_WHATSAPP_APP_SECRET"]
VERIFY = TENANT_ENV["GATEWAY_SUMBAR_WHATSAPP_VERIFY_TOKEN"]
PHONE_ID = TENANT_ENV["GATEWAY_SUMBAR_WHATSAPP_PHONE_NUMBER_ID"]
CITIZEN = "6281234567890"


@dataclass
class Gateway:
    http: httpx.Client
    factory: sessionmaker[Session]

    def post(self, body: dict[str, object] | bytes, **options: str | None) -> httpx.Response:
        return wa.post_delivery(self.http, HOOK, body, options.pop("secret", SECRET), **options)

    def stored(self) -> int:
        with self.factory() as session:
            query = select(func.count()).where(col(InboundMessage.channel) == "whatsapp")
            return int(session.scalar(query) or 0)

    def statuses(self) -> int:
        with self.factory() as session:
            return int(session.scalar(select(func.count()).select_from(WhatsAppMessage)) or 0)


@pytest.fixture
def gateway(engine: Engine, database_url: str, factory: sessionmaker[Session]) -> Iterator[Gateway]:
    with (
        serve_console(database_url) as base,
        httpx.Client(base_url=base, timeout=scaled(10)) as http,
    ):
        yield Gateway(http, factory)


def test_meta_verification_gets_the_challenge_only_with_the_verify_token(gateway: Gateway) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
    answer = gateway.http.get(HOOK, params=query)
    assert answer.status_code == 200 and answer.text == "1158201444"
    assert answer.headers["content-type"].startswith("text/plain")
    wrong = gateway.http.get(HOOK, params={**query, "hub.verify_token": "tebakan"})
    assert wrong.status_code == 403 and "1158201444" not in wrong.text
    assert gateway.http.get(HOOK, params={**query, "hub.mode": "unsubscribe"}).status_code == 403
    assert gateway.http.get(HOOK).status_code == 403
    # lampung has no WhatsApp channel
    assert gateway.http.get("/channels/whatsapp/lampung", params=query).status_code == 404


def test_a_wrong_or_missing_signature_is_401_and_stores_nothing(gateway: Gateway) -> None:
    body = wa.delivery(
        PHONE_ID,
        [wa.text(CITIZEN, "halo")],
        [wa.status("wamid.OUT1", "read", CITIZEN)],
    )
    raw = wa.json.dumps(body).encode()
    for answer in [
        gateway.post(body, secret=None),  # no header
        gateway.post(body, secret="the-wrong-app-secret"),
        gateway.post(body, header="sha256=" + "0" * 64),
        gateway.post(body, header=wa.sign(raw, SECRET)[len("sha256=") :]),  # no prefix
        gateway.post(raw + b" ", header=wa.sign(raw, SECRET)),  # signs another body
        gateway.post(b"{not json", secret="the-wrong-app-secret"),  # 401 before parsing
    ]:
        assert answer.status_code == 401, answer.text
        assert "X-Hub-Signature-256" in answer.json()["error"]["message"]
    assert gateway.stored() == 0 and gateway.statuses() == 0
    assert gateway.post(b"{not json").status_code == 422  # signed, then parsed


def test_a_redelivered_message_is_stored_once(gateway: Gateway) -> None:
    first, second = wa.text(CITIZEN, "satu"), wa.text(CITIZEN, "dua")
    answer = gateway.post(wa.delivery(PHONE_ID, [first, second]))
    assert answer.status_code == 200 and answer.json() == {"ok": True, "new": 2, "duplicate": 0}
    again = gateway.post(wa.delivery(PHONE_ID, [first, second]))
    assert again.json() == {"ok": True, "new": 0, "duplicate": 2}
    third = wa.text(CITIZEN, "tiga")
    mixed = gateway.post(wa.delivery(PHONE_ID, [second, third]))
    assert mixed.json() == {"ok": True, "new": 1, "duplicate": 1}
    assert gateway.stored() == 3
    texts = [p.message.text for p in store.pending(gateway.factory)]
    assert sorted(t or "" for t in texts) == ["dua", "satu", "tiga"]


def test_one_of_each_message_type_is_stored_and_read(gateway: Gateway) -> None:
    messages = one_of_each()
    answer = gateway.post(wa.delivery(PHONE_ID, list(messages.values())))
    assert answer.status_code == 200 and answer.json()["new"] == len(messages) == 13
    found: dict[str, Message] = {
        p.message.message_id: p.message for p in store.pending(gateway.factory)
    }
    assert set(found) == {m["id"] for m in messages.values()}
    kinds = {name: found[m["id"]].kind for name, m in messages.items()}
    assert kinds == {
        "text": "text", "image": "image", "document": "document", "audio": "audio",
        "video": "video", "sticker": "sticker", "location": "location", "contacts": "contacts",
        "button_reply": "reply", "list_reply": "reply", "quick_reply": "reply",
        "reaction": "reaction", "unsupported": "unsupported",
    }  # fmt: skip
    assert all(p.tenant == "sumbar" for p in store.pending(gateway.factory))


def test_another_numbers_messages_are_not_stored_as_ours(gateway: Gateway) -> None:
    answer = gateway.post(wa.delivery("999000999", [wa.text(CITIZEN, "nomor lain")]))
    assert answer.status_code == 200 and answer.json()["new"] == 0
    assert gateway.stored() == 0


def test_statuses_are_recorded_per_message_and_only_move_forward(gateway: Gateway) -> None:
    store.record_sent(gateway.factory, "sumbar", "wamid.OUT1", CITIZEN, complaint_id="c-1")
    store.record_sent(gateway.factory, "sumbar", "wamid.OUT2", CITIZEN)

    def deliver(*statuses: dict[str, object]) -> None:
        answer = gateway.post(wa.delivery(PHONE_ID, statuses=list(statuses)))  # type: ignore[arg-type]
        assert answer.status_code == 200, answer.text

    def now(message_id: str) -> WhatsAppMessage:
        row = store.outbound(gateway.factory, "sumbar", message_id)
        assert row is not None
        return row

    assert now("wamid.OUT1").status == "accepted"
    deliver(wa.status("wamid.OUT1", "sent", CITIZEN), wa.status("wamid.OUT1", "delivered", CITIZEN))
    assert now("wamid.OUT1").status == "delivered"
    deliver(wa.status("wamid.OUT1", "read", CITIZEN))
    deliver(wa.status("wamid.OUT1", "sent", CITIZEN), wa.status("wamid.OUT1", "delivered", CITIZEN))
    assert now("wamid.OUT1").status == "read"  # late statuses change nothing
    assert now("wamid.OUT1").complaint_id == "c-1"
    deliver(wa.status("wamid.OUT2", "failed", CITIZEN, error_code=131047))
    deliver(wa.status("wamid.OUT2", "delivered", CITIZEN))
    failed = now("wamid.OUT2")
    assert (failed.status, failed.error_code, failed.error_title) == (
        "failed",
        131047,
        "error 131047",
    )
    # a status that came before the send was recorded, then the send
    deliver(wa.status("wamid.OUT3", "sent", CITIZEN))
    store.record_sent(gateway.factory, "sumbar", "wamid.OUT3", CITIZEN)
    assert now("wamid.OUT3").status == "sent"
    # never the number in clear
    for message_id in ("wamid.OUT1", "wamid.OUT2", "wamid.OUT3"):
        recipient = now(message_id).recipient
        assert recipient is not None and recipient.startswith("whatsapp:")
        assert CITIZEN not in recipient
    assert gateway.stored() == 0  # statuses are not messages


def test_the_citizens_number_and_name_stay_out_of_the_logs(gateway: Gateway) -> None:
    body = wa.delivery(PHONE_ID, [wa.text(CITIZEN, "halo")], name="Rina Marlina")
    with capture_logs() as logged:
        assert gateway.post(body).status_code == 200
        assert gateway.post(body, secret="wrong").status_code == 401
    lines = [str(event) for event in logged]
    assert any("whatsapp delivery stored" in line for line in lines), lines
    assert not [line for line in lines if CITIZEN in line or "Rina Marlina" in line]
