"""The chat engine's database side (gateway.chat.turn, .reports, .store) for a chat
that is not Telegram's: a channel named "whatsapp" and a chat id that is a string (a
wa_id), on SQLite and PostgreSQL. The same chat id on another channel is another chat:
its state, its complaints, its status answer and its notifications stay apart."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from gateway.bootstrap import Container, build_container
from gateway.chat import reports, turn
from gateway.chat import store as chat_store
from gateway.chat.commands import read_command
from gateway.chat.state import Button, ChatState, Event, Say, Text
from gateway.domain.complaint import ComplaintDraft
from gateway.settings import Settings
from gateway.storage import intake
from gateway.storage.engine import transaction
from gateway.storage.intake import ACCEPTED, IGNORED, PARSED, complaint_from_draft
from gateway.storage.models import ChatMessage, ChatSession, Complaint, InboundMessage, OutboxJob
from tests.support import ROOT, TENANT_ENV

CHANNEL = "whatsapp"
CHAT = "6281234567890"
WHAT = "Jembatan gantung di jorong Koto Baru putus, anak sekolah tidak bisa menyeberang"


@dataclass
class Chats:
    """Messages of one tenant's chats run through the neutral turn, as a channel would."""

    container: Container
    #: what each turn queued: (tenant, chat id, text, choice ids)
    queued: list[tuple[str, str, str, list[str]]] = field(default_factory=list)
    count: int = 0

    @property
    def factory(self) -> sessionmaker[Session]:
        return self.container.factory

    def queue(self, session: Session, tenant: str, chat_id: str, says: list[Say]) -> None:
        for said in says:
            ids = [data for row in said.buttons or [] for _, data in row]
            self.queued.append((tenant, chat_id, said.text, ids))

    def inbound(self, channel: str) -> str:
        self.count += 1
        with transaction(self.factory) as session:
            ref = f"message:wamid.{self.count}"
            intake.add_inbound(session, "sumbar", channel, ref, "{}", ACCEPTED)
            session.flush()
            found = session.scalar(
                select(col(InboundMessage.id)).where(col(InboundMessage.source_ref) == ref)
            )
        assert found is not None
        return found

    def send(
        self,
        event: Event,
        *,
        chat_id: str = CHAT,
        channel: str = CHANNEL,
        commented: str | None = None,
    ) -> chat_store.Applied:
        row = self.inbound(channel)
        chat = turn.Chat(self.container.tenants["sumbar"], channel, chat_id, "Rina")
        now = datetime.now(ZoneInfo("Asia/Jakarta"))
        raw = {"message_id": f"wamid.{self.count}"}
        taken = turn.Taken(chat, event, commented, now, raw, typed_choices=True)

        def decide(session: Session, stored: dict[str, Any], language: str) -> chat_store.Turn:
            return turn.decide(self.container, taken, session, stored, language)[0]

        applied = chat_store.apply(
            self.factory, row, "sumbar", channel, chat_id, decide, self.queue
        )
        assert applied is not None
        return applied

    def text(self, words: str, **options: str) -> chat_store.Applied:
        event = read_command(words, f"wamid.t{self.count}", bare=True) or Text(
            words, f"wamid.t{self.count}"
        )
        return self.send(event, **options)

    def state(self, channel: str = CHANNEL, chat_id: str = CHAT) -> ChatState | None:
        with self.factory() as session:
            stored = session.get(ChatSession, ("sumbar", channel, chat_id))
            return None if stored is None else ChatState.from_json(json.loads(stored.state))


@pytest.fixture
def chats(engine: Engine, database_url: str) -> Iterator[Chats]:
    settings = Settings(
        database_url=database_url,
        mappings_dir=str(ROOT / "mappings"),
        national_url="http://127.0.0.1:9",  # nothing is sent
    )
    container = build_container(settings, environ=TENANT_ENV)
    yield Chats(container)
    asyncio.run(container.aclose())


def add_complaint(chats: Chats, ident: str, channel: str, ref: str, tracking: str) -> None:
    draft = ComplaintDraft(
        tenant="sumbar",
        channel=channel,
        source_ref=ref,
        title=f"Laporan {tracking}",
        content=WHAT,
        region_code="13",
    )
    row = complaint_from_draft(draft, ident, None, datetime.now(UTC))
    row.tracking_id = tracking
    with transaction(chats.factory) as session:
        session.add(row)


def test_a_report_typed_on_a_string_chat_is_filed_for_that_chat_and_channel(
    chats: Chats,
) -> None:
    chats.text("lapor")  # a bare word: the command
    assert chats.queued[-1][2].startswith("Apa yang terjadi")
    chats.text(WHAT)
    steps = []
    for _ in range(8):  # answer whatever the report still asks, as a citizen types
        state = chats.state()
        assert state is not None
        steps.append(state.step)
        if state.step == "confirm":
            break
        if state.step == "where":
            chats.text("di jorong Koto Baru, Kabupaten Solok")
        elif state.step == "when":
            chats.text("2")  # the second choice typed by its number: yesterday
            assert chats.state().draft.when is not None  # type: ignore[union-attr]
        else:  # category, topic, photo: the first choice offered
            chats.send(Button(chats.queued[-1][3][0]))
    assert "when" in steps and steps[-1] == "confirm"
    applied = chats.text("Kirim")  # the confirm step's first choice, typed by its label
    assert applied.complaint is not None and applied.complaint.created
    assert chats.queued[-1][2].startswith("Terima kasih")
    assert {(tenant, chat) for tenant, chat, _, _ in chats.queued} == {("sumbar", CHAT)}
    with chats.factory() as session:
        [complaint] = session.scalars(select(Complaint))
        assert (complaint.channel, complaint.source_ref) == (CHANNEL, f"{CHAT}:1")
        assert complaint.content == WHAT and complaint.reporter_name == "Rina"
        sessions = session.scalars(select(ChatSession)).all()
        assert [(r.channel, r.chat_id) for r in sessions] == [(CHANNEL, CHAT)]
        rows = session.scalars(
            select(InboundMessage).where(col(InboundMessage.complaint_id) == complaint.id)
        ).all()
    by_ref = {r.source_ref: r for r in rows}
    # the message that confirmed it is done, and points at it
    assert by_ref[f"message:wamid.{chats.count}"].state == PARSED
    # the complaint's raw record keeps the message's id and the report
    [record] = [r for ref, r in by_ref.items() if not ref.startswith("message:")]
    kept = json.loads(record.payload)
    assert kept["message_id"] == f"wamid.{chats.count}" and kept["report"]["what"] == WHAT


def test_status_answers_with_the_chats_own_complaints_on_its_channel(chats: Chats) -> None:
    add_complaint(chats, "c-wa", CHANNEL, f"{CHAT}:1", "WA123456")
    add_complaint(chats, "c-tg", "telegram", f"{CHAT}:1", "TG654321")  # same id, Telegram
    add_complaint(chats, "c-other", CHANNEL, "6289999999999:1", "OT111111")  # another chat
    chats.text("status")
    listed = chats.queued[-1][2]
    assert "WA123456" in listed and "TG654321" not in listed and "OT111111" not in listed
    chats.text("status wa123456")
    assert "WA123456" in chats.queued[-1][2] and "Laporan WA123456" in chats.queued[-1][2]
    chats.text("status TG654321")  # not this chat's on this channel
    assert "TG654321" in chats.queued[-1][2]
    with chats.factory() as session:
        answer = reports.status_text(session, "sumbar", CHANNEL, CHAT, "TG654321", "id")
        assert chats.queued[-1][2] == answer and answer.startswith("Laporan")
        found = reports.chat_complaints(session, "sumbar", "telegram", CHAT)
        assert [c.id for c in found] == ["c-tg"]


def test_the_same_chat_id_on_two_channels_is_two_chats(chats: Chats) -> None:
    chats.text("english")
    chats.text("halo", channel="telegram")
    english, telegram = chats.state(), chats.state("telegram")
    assert english is not None and english.language == "en"
    assert telegram is not None and telegram.language == "id"
    assert chats.state(CHANNEL, "6289999999999") is None


def test_what_the_chat_just_read_is_its_own_channels_notification(chats: Chats) -> None:
    add_complaint(chats, "c-wa", CHANNEL, f"{CHAT}:1", "WA123456")
    now = datetime.now(UTC)
    with transaction(chats.factory) as session:
        session.add(
            ChatMessage(
                tenant="sumbar",
                channel="telegram",
                chat_id=CHAT,
                message_id="1",
                complaint_id="c-wa",
                sent_at=now,
            )
        )
    with chats.factory() as session:
        facts = reports.chat_facts(session, "sumbar", CHANNEL, CHAT, None, now)
    assert facts.open_complaint and not facts.after_status  # Telegram's is not ours
    assert facts.comment_target == ("c-wa", "WA123456")
    with transaction(chats.factory) as session:
        session.add(
            ChatMessage(
                tenant="sumbar",
                channel=CHANNEL,
                chat_id=CHAT,
                message_id="wamid.OUT1",
                complaint_id="c-wa",
                sent_at=now,
            )
        )
    with chats.factory() as session:
        facts = reports.chat_facts(session, "sumbar", CHANNEL, CHAT, None, now)
    assert facts.after_status


def test_a_reply_to_a_notification_is_a_comment_from_the_chat(chats: Chats) -> None:
    add_complaint(chats, "c-wa", CHANNEL, f"{CHAT}:1", "WA123456")
    applied = chats.send(Text("Jembatannya sudah makin parah", "wamid.r1"), commented="c-wa")
    assert applied.turn.comment == ("c-wa", "Jembatannya sudah makin parah", "Rina")
    assert "WA123456" in chats.queued[-1][2]
    with chats.factory() as session:
        jobs = session.scalars(
            select(col(OutboxJob.payload)).where(col(OutboxJob.kind) == "comment")
        ).all()
    assert [json.loads(j) for j in jobs] == [
        {"text": "Jembatannya sudah makin parah", "author": "Rina"}
    ]


def test_finish_answers_the_chat_only_when_it_took_the_message(chats: Chats) -> None:
    row = chats.inbound(CHANNEL)
    answer = (CHAT, [Say("Maaf, belum bisa dibaca.")])
    chat_store.finish(chats.factory, row, IGNORED, "a reaction", ("sumbar", *answer, chats.queue))
    chat_store.finish(chats.factory, row, IGNORED, "again", ("sumbar", *answer, chats.queue))
    assert chats.queued == [("sumbar", CHAT, "Maaf, belum bisa dibaca.", [])]
    with chats.factory() as session:
        stored = session.get(InboundMessage, row)
        assert stored is not None and (stored.state, stored.error) == (IGNORED, "a reaction")
