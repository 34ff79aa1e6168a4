"""A WhatsApp complaint's status changes told to the citizen through the outbox and the
fake Graph API over loopback: free text inside the 24-hour window, the approved
template outside it, and each class of Cloud API error (issue 21, point 4)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlmodel import col

from adapters.whatsapp import store
from adapters.whatsapp.events import parse_delivery
from gateway.bootstrap import Container, build_container
from gateway.domain.complaint import ComplaintDraft
from gateway.domain.sla import SlaPolicy
from gateway.domain.status import status_words
from gateway.ports import ChangeEvent
from gateway.settings import Settings
from gateway.storage import chats, complaints, intake
from gateway.storage.engine import transaction
from gateway.storage.intake import record_complaint
from gateway.storage.models import ChatSession, Complaint, OutboxJob
from gateway.storage.queues import chat_key
from gateway.sync.dispatcher import DispatchStats
from tests.fakes import whatsapp_api as wa
from tests.fakes.whatsapp_api import FakeWhatsApp, serve_fake_whatsapp
from tests.support import ROOT, TENANT_ENV

PHONE_ID = TENANT_ENV["GATEWAY_SUMBAR_WHATSAPP_PHONE_NUMBER_ID"]
TOKEN = TENANT_ENV["GATEWAY_SUMBAR_WHATSAPP_ACCESS_TOKEN"]
CITIZEN = "6281234567890"
TRACKING = "LAPOR-2026-0042"
AGENCY = "Dinas PUPR Kota Padang"


@pytest.fixture
def fake() -> Iterator[tuple[FakeWhatsApp, str]]:
    with serve_fake_whatsapp(TOKEN, PHONE_ID) as served:
        served[0].add_template("lapor_status", 2)
        served[0].add_template("lapor_tanggapan", 3)
        yield served


@pytest.fixture
def container(
    engine: Any, database_url: str, fake: tuple[FakeWhatsApp, str], tmp_path: Path
) -> Iterator[Container]:
    settings = Settings(
        database_url=database_url,
        mappings_dir=str(ROOT / "mappings"),
        national_url="http://127.0.0.1:9",  # no registry job runs here
        whatsapp_api_url=fake[1],
        backoff_base=1,
        max_attempts=3,
    )
    built = build_container(settings, environ=TENANT_ENV)
    with asyncio.Runner() as runner:
        built.test_runner = runner  # type: ignore[attr-defined]
        yield built
        runner.run(built.aclose())


def run_once(container: Container) -> DispatchStats:
    runner: asyncio.Runner = container.test_runner  # type: ignore[attr-defined]
    return runner.run(container.dispatcher().run_once())


def filed(container: Container, status: str = "submitted") -> str:
    """A complaint the WhatsApp chat filed (source_ref ``<wa_id>:<report>``), already in
    the registry with its tracking ID."""
    draft = ComplaintDraft.model_validate(
        {
            "tenant": "sumbar",
            "channel": "whatsapp",
            "source_ref": f"{CITIZEN}:1",
            "title": "Jalan berlubang",
            "content": "Jalan berlubang besar di Jl. Sudirman depan pasar, sudah dua minggu.",
            "region_code": "13.71",
        }
    )
    complaint_id = record_complaint(container.factory, draft, "{}", "application/json").complaint_id
    with transaction(container.factory) as session:
        session.execute(update(OutboxJob).values(state="done"))  # its submission
        complaint = session.get(Complaint, complaint_id)
        assert complaint is not None
        complaint.tracking_id, complaint.status = TRACKING, status
        complaint.agency_name = AGENCY if status != "submitted" else None
    return complaint_id


def last_wrote(container: Container, ago: timedelta, language: str = "id") -> None:
    """The citizen's chat, its last inbound message ``ago``."""
    with transaction(container.factory) as session:
        session.add(
            ChatSession(
                tenant="sumbar",
                channel="whatsapp",
                chat_id=CITIZEN,
                language=language,
                updated_at=datetime.now(UTC) - ago,
            )
        )


def changes(container: Container, status: str, response: str | None = None) -> None:
    """The registry's change feed moves the complaint (a notify job is queued)."""
    event = ChangeEvent(TRACKING, None, status, response, datetime.now(UTC), agency_name=AGENCY)
    with transaction(container.factory) as session:
        applied = complaints.apply_change(session, "sumbar", event, container.calendar, SlaPolicy())
    assert applied == "applied"


def notify_jobs(container: Container) -> list[OutboxJob]:
    with container.factory() as session:
        query = select(OutboxJob).where(col(OutboxJob.kind) == "notify").order_by(OutboxJob.id)
        return list(session.scalars(query))


def notify_job(container: Container) -> OutboxJob:
    [job] = notify_jobs(container)
    return job


def test_inside_the_window_the_status_goes_as_text_and_its_statuses_attach(
    container: Container, fake: tuple[FakeWhatsApp, str]
) -> None:
    api, _ = fake
    complaint_id = filed(container)
    last_wrote(container, timedelta(hours=23, minutes=50))
    changes(container, "terverifikasi")
    assert run_once(container).ok == 1
    [message] = api.sent(CITIZEN)
    assert message["type"] == "text"
    assert TRACKING in message["text"]["body"] and "diverifikasi" in message["text"]["body"]
    assert notify_job(container).state == "done"
    sent = store.outbound(container.factory, "sumbar", message["id"])
    assert sent is not None and sent.complaint_id == complaint_id
    assert sent.recipient == chat_key("whatsapp", CITIZEN)  # the key, never the number
    delivered = wa.delivery(PHONE_ID, statuses=[wa.status(message["id"], "delivered", CITIZEN)])
    stored = store.store_delivery(container.factory, "sumbar", parse_delivery(delivered, PHONE_ID))
    assert stored.statuses == 1
    later = store.outbound(container.factory, "sumbar", message["id"])
    assert later is not None and later.status == "delivered"


def test_after_24_hours_the_status_goes_as_its_template(
    container: Container, fake: tuple[FakeWhatsApp, str]
) -> None:
    api, _ = fake
    filed(container)
    last_wrote(container, timedelta(hours=25))
    changes(container, "terverifikasi")
    assert run_once(container).ok == 1
    [message] = api.sent(CITIZEN)
    assert message["type"] == "template"
    template = message["template"]
    assert template["name"] == "lapor_status" and template["language"] == {"code": "id"}
    [body] = template["components"]
    words = [p["text"] for p in body["parameters"]]
    assert words == [TRACKING, status_words("verified", "id")] and words[1] != "verified"
    assert store.outbound(container.factory, "sumbar", message["id"]) is not None


def test_an_agency_response_after_24_hours_is_the_response_template_in_english(
    container: Container, fake: tuple[FakeWhatsApp, str]
) -> None:
    api, _ = fake
    filed(container, status="dispatched")
    last_wrote(container, timedelta(days=3), language="en")
    changes(container, "ditindaklanjuti", "Lubang ditambal\nminggu ini.")
    assert run_once(container).ok == 1
    [message] = api.sent(CITIZEN)
    template = message["template"]
    assert template["name"] == "lapor_tanggapan" and template["language"] == {"code": "en"}
    words = [p["text"] for p in template["components"][0]["parameters"]]
    assert words == [TRACKING, AGENCY, "Lubang ditambal minggu ini."]  # one line


def test_a_citizen_who_never_wrote_gets_the_template(
    container: Container, fake: tuple[FakeWhatsApp, str]
) -> None:
    api, _ = fake
    filed(container)
    changes(container, "terverifikasi")
    assert run_once(container).ok == 1
    assert [m["type"] for m in api.sent(CITIZEN)] == ["template"]


def test_a_blocked_citizen_is_marked_and_not_retried(
    container: Container, fake: tuple[FakeWhatsApp, str]
) -> None:
    api, _ = fake
    filed(container)
    last_wrote(container, timedelta(hours=1))
    changes(container, "terverifikasi")
    api.fail_next(131026)
    stats = run_once(container)
    assert (stats.ok, stats.retried, stats.failed) == (1, 0, 0)
    job = notify_job(container)
    assert job.state == "done" and job.attempts == 1
    assert chats.chat_info(container.factory, "sumbar", "whatsapp", CITIZEN).blocked
    assert api.sent() == []
    # the next change is not even tried
    changes(container, "terdisposisi")
    assert run_once(container).ok == 1
    assert [job.state for job in notify_jobs(container)] == ["done", "done"]
    assert api.sent() == []


def test_a_throughput_limit_is_retried_later_with_its_code(
    container: Container, fake: tuple[FakeWhatsApp, str]
) -> None:
    api, _ = fake
    filed(container)
    last_wrote(container, timedelta(hours=1))
    changes(container, "terverifikasi")
    api.fail_next(130429, http_status=429)
    assert run_once(container).retried == 1
    job = notify_job(container)
    assert job.state == "pending" and job.last_error_kind == "throttled"
    assert "130429" in (job.last_error or "")
    assert api.sent() == []
    with transaction(container.factory) as session:
        session.execute(update(OutboxJob).values(next_attempt_at=datetime.now(UTC)))
    assert run_once(container).ok == 1
    assert [m["type"] for m in api.sent(CITIZEN)] == ["text"]


def test_re_engagement_required_inside_the_window_sends_the_template_at_once(
    container: Container, fake: tuple[FakeWhatsApp, str]
) -> None:
    api, _ = fake
    filed(container)
    last_wrote(container, timedelta(hours=23, minutes=59))
    changes(container, "terverifikasi")
    api.fail_next(131047)
    assert run_once(container).ok == 1
    [message] = api.sent(CITIZEN)
    assert message["template"]["name"] == "lapor_status"
    job = notify_job(container)
    assert job.state == "done" and job.attempts == 1


def test_a_template_meta_does_not_know_fails_the_job_with_its_code(
    container: Container, fake: tuple[FakeWhatsApp, str]
) -> None:
    api, _ = fake
    filed(container)
    last_wrote(container, timedelta(hours=30))
    changes(container, "terverifikasi")
    api.fail_next(132001, http_status=404)
    assert run_once(container).failed == 1
    job = notify_job(container)
    assert job.state == "failed" and job.last_error_kind == "permanent"
    assert "132001" in (job.last_error or "")
    assert not chats.chat_info(container.factory, "sumbar", "whatsapp", CITIZEN).blocked


def test_conversation_replies_go_as_text_buttons_or_a_list(
    container: Container, fake: tuple[FakeWhatsApp, str]
) -> None:
    api, _ = fake
    two = [[["Kirim", "send:1"]], [["Batal", "cancel"]]]
    five = [[[f"Kategori {n}", f"cat:{n}"]] for n in range(4)] + [[["Lainnya", "other"]]]
    with transaction(container.factory) as session:
        for text, buttons in (("Halo", None), ("Kirim?", two), ("Topik?", five)):
            payload: dict[str, Any] = {"channel": "whatsapp", "to": CITIZEN, "text": text}
            if buttons:
                payload["buttons"] = buttons
            intake.add_job(session, "reply", "sumbar", chat_key("whatsapp", CITIZEN), payload)
    for _ in range(3):  # a chat's replies go one at a time, in order
        run_once(container)
    plain, buttons, listed = api.sent(CITIZEN)
    assert plain["text"]["body"] == "Halo"
    action = buttons["interactive"]["action"]
    assert [b["reply"]["id"] for b in action["buttons"]] == ["send:1", "cancel"]
    rows = listed["interactive"]["action"]["sections"][0]["rows"]
    assert [r["id"] for r in rows] == ["cat:0", "cat:1", "cat:2", "cat:3", "other"]
    assert rows[-1]["title"] == "Lainnya"
