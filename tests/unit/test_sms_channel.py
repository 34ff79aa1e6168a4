"""The SMS channel's one transaction per SMS (SmsChannel._store), on SQLite and
PostgreSQL: what is stored and answered, the same text sent twice at once, and a crash
before the commit."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import col

from adapters.sms.service import IncomingSms, Received, SmsChannel, SmsLine
from gateway.bootstrap import build_container
from gateway.settings import Settings
from gateway.storage import intake
from gateway.storage.models import Complaint, InboundMessage, OutboxJob
from tests.support import ROOT, TENANT_ENV, scaled

PHONE = "081234567890"
TEXT = "Air PDAM di Jl. Veteran Padang tidak mengalir sejak kemarin pagi"


@dataclass
class Channel:
    sms: SmsChannel
    line: SmsLine

    def receive(self, ref: str, text: str, sender: str = PHONE) -> Received:
        raw = {"from": sender, "text": text, "id": ref}
        return self.sms._store(self.line, IncomingSms(f"kannel:{ref}", sender, text, raw))

    def complaints(self) -> list[Complaint]:
        with self.sms.factory() as session:
            return list(session.scalars(select(Complaint)))

    def jobs(self, kind: str) -> list[dict[str, object]]:
        with self.sms.factory() as session:
            query = select(col(OutboxJob.payload)).where(col(OutboxJob.kind) == kind)
            return [json.loads(p) for p in session.scalars(query)]

    def notes(self) -> dict[str, str | None]:
        with self.sms.factory() as session:
            rows = session.execute(
                select(col(InboundMessage.source_ref), col(InboundMessage.error))
            )
            return {ref: note for ref, note in rows}


@pytest.fixture
def channel(engine: Engine, database_url: str) -> Iterator[Channel]:
    settings = Settings(
        database_url=database_url,
        mappings_dir=str(ROOT / "mappings"),
        national_url="http://127.0.0.1:9",  # nothing is sent
    )
    container = build_container(settings, environ=TENANT_ENV)
    sms = SmsChannel.of(container)
    yield Channel(sms, sms.lines["sumbar"])
    asyncio.run(container.aclose())  # the SMS channel's clients, the engine


def test_a_new_complaint_then_the_same_text_before_its_tracking_id(channel: Channel) -> None:
    filed = channel.receive("1", TEXT)
    assert filed.complaint_id is not None and filed.answer is None
    [complaint] = channel.complaints()
    assert complaint.location_text == "Jl. Veteran Padang"
    assert complaint.region_code == "13.71" and complaint.incident_date is not None
    assert complaint.reporter_phone == "+6281234567890"

    again = channel.receive("2", TEXT.upper())
    assert again.complaint_id is None and again.answer is not None
    assert again.answer.startswith("Laporan ini sudah kami terima dan sedang diteruskan")
    assert channel.receive("2", TEXT).duplicate  # the same SMS delivered again
    assert len(channel.complaints()) == 1
    assert channel.notes() == {
        "kannel:1": "read as new (describes a problem, 0.85): new complaint",
        "kannel:2": f"repeats {complaint.id}",
    }
    [reply] = channel.jobs("reply")
    assert reply["to"] == "+6281234567890" and reply["text"] == again.answer


def test_thanks_and_more(channel: Channel) -> None:
    assert channel.receive("1", "ok makasih pak").answer == (
        "Sama-sama, terima kasih atas partisipasi Anda. Kirim STATUS untuk laporan Anda."
    )
    assert channel.complaints() == []
    channel.receive("2", "Bantuan PKH ibu saya sudah tiga bulan tidak cair, tolong dibantu")
    [complaint] = channel.complaints()
    assert complaint.location_text is None
    more = channel.receive("3", "masih belum cair juga pak, sudah lapor ke desa")
    assert more.answer == (
        "Tambahan Anda kami catat dan diteruskan ke SP4N-LAPOR! bersama laporan Anda."
    )
    assert channel.jobs("comment") == [
        {"text": "masih belum cair juga pak, sudah lapor ke desa", "author": None}
    ]
    with channel.sms.factory() as session:
        stored = session.scalars(
            select(InboundMessage).where(col(InboundMessage.source_ref) == "kannel:3")
        ).one()
    assert stored.complaint_id == complaint.id and stored.state == "parsed"
    assert len(channel.complaints()) == 1


def test_the_same_text_sent_twice_at_once_files_once(channel: Channel) -> None:
    start = threading.Barrier(4)
    results: list[Received] = []

    def send(ref: str) -> None:
        start.wait()
        results.append(channel.receive(ref, TEXT))

    threads = [threading.Thread(target=send, args=(f"t{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=scaled(60))
    assert len(results) == 4
    assert len(channel.complaints()) == 1
    assert sorted(r.complaint_id is not None for r in results) == [False, False, False, True]
    assert len(channel.notes()) == 4  # every SMS stored


def test_a_crash_before_the_commit_stores_nothing_and_the_retry_files_once(
    channel: Channel, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = intake.insert_items

    def crash(*args: object, **kwargs: object) -> object:
        real(*args, **kwargs)  # type: ignore[arg-type]
        raise ConnectionError("the process died here")

    monkeypatch.setattr(intake, "insert_items", crash)
    with pytest.raises(ConnectionError):
        channel.receive("1", TEXT)
    assert channel.complaints() == [] and channel.notes() == {}
    monkeypatch.setattr(intake, "insert_items", real)
    assert channel.receive("1", TEXT).complaint_id is not None  # Kannel's retry
    assert channel.receive("1", TEXT).duplicate
    assert len(channel.complaints()) == 1
