"""The bot's conversation, step by step, without Telegram or a database."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from adapters.telegram.conversation import (
    Button,
    ChatState,
    Command,
    Contact,
    Context,
    Location,
    Photo,
    Reading,
    Text,
    Unsupported,
    step,
)
from gateway.understanding.place import Place
from gateway.understanding.when import When

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
CATEGORIES = {"JALAN": "Jalan rusak", "SAMPAH": "Sampah", "LAINNYA": "Lainnya"}
#: what the understanding readers find, in these tests (their own are tested apart)
_PLACE = re.compile(r"depan SDN 3 Padang|jorong koto baru|jln Ahmad Yani", re.I)


def read_place(text: str) -> Place | None:
    found = _PLACE.search(text)
    return Place(found[0], None) if found else None


def read_when(text: str, now: datetime) -> When | None:
    if "kemarin" in text.lower():
        return When(date(2026, 11, 22), None, "kemarin")
    return None


def ctx(sure: bool = True) -> Context:
    return Context(
        tenant_name="Pemerintah Provinsi Sumatera Barat",
        today=TODAY,
        categories=CATEGORIES,
        category_menu=True,
        classify=lambda text: Reading("Jalan Rusak" if sure else "Lainnya", sure),
        now=NOW,
        reporter="Rina",
        read_place=read_place,
        read_when=read_when,
    )


def run(state: ChatState, *events, sure: bool = True):
    outcome = None
    for event in events:
        outcome = step(state, event, ctx(sure))
        state = outcome.state
    return outcome


def buttons(outcome) -> list[str]:
    return [data for say in outcome.says for row in (say.buttons or []) for _, data in row]


def test_guided_report_asks_every_step_then_submits_once() -> None:
    state = ChatState()
    out = run(state, Command("lapor", "", 1))
    assert out.state.step == "what" and "Apa yang terjadi" in out.says[0].text
    out = run(out.state, Text("Jalan berlubang besar sekali", 2))
    assert out.state.step == "where"
    out = run(out.state, Text("Jl. Sudirman depan kantor pos", 3))
    assert out.state.step == "when"
    assert "when:1:yesterday" in buttons(out)
    out = run(out.state, Button("when:1:yesterday"))
    assert out.state.draft.when == "2026-11-22" and out.state.step == "photo"
    out = run(out.state, Photo({"url": "/attachments/x.jpg"}, None, 5))
    assert out.state.step == "confirm" and len(out.state.draft.photos) == 1
    assert buttons(out) == ["send:1", "send:1:anon", "cancel:1"]
    summary = out.says[0].text
    assert "Jalan berlubang" in summary and "22/11/2026" in summary and "Rina" in summary
    out = run(out.state, Button("send:1"))
    assert out.submitted is not None and out.submitted_conv == 1
    assert out.submitted.where == "Jl. Sudirman depan kantor pos"
    assert out.state.step == "idle"
    # the same button again (a double tap, an old keyboard): nothing more is filed
    again = run(out.state, Button("send:1"))
    assert again.submitted is None and again.notice == "Tombol ini sudah tidak berlaku."


def test_typed_complaint_is_recognised_and_only_what_is_missing_is_asked() -> None:
    text = "Lampu jalan di depan SDN 3 Padang mati sejak kemarin, gelap sekali malam hari"
    out = run(ChatState(), Text(text, 10))
    # where and when were in the text: straight to the summary, no photo question
    assert out.state.draft.where == "depan SDN 3 Padang"
    assert out.state.draft.when == "2026-11-22"
    assert out.state.step == "confirm" and "Periksa laporan Anda" in out.says[0].text
    out = run(out.state, Button(f"send:{out.state.conv}:anon"))
    assert out.submitted is not None and out.submitted.anonymous is True


def test_unclear_text_offers_the_tenants_categories() -> None:
    out = run(
        ChatState(), Text("Tolong dibantu pak, sudah lama sekali tidak ada tindakan", 4), sure=False
    )
    assert out.state.step == "category"
    assert "cat:1:SAMPAH" in buttons(out)
    out = run(out.state, Button("cat:1:SAMPAH"), sure=False)
    assert out.state.draft.category == "SAMPAH" and out.state.step == "where"


@pytest.mark.parametrize(
    ("event", "expect"),
    [
        (Text("halo", 1), "Untuk melapor, ketik keluhan Anda"),
        (Text("assalamualaikum pak", 1), "Untuk melapor, ketik keluhan Anda"),
        (Unsupported("sticker", 1), "stiker"),
        (Unsupported("voice", 1), "pesan suara"),
        (Command("batal", "", 1), "Tidak ada laporan"),
        (Command("start", "", 1), "Selamat datang"),
        (Command("xyz", "", 1), "Selamat datang"),
    ],
)
def test_idle_chat_answers(event, expect) -> None:
    out = run(ChatState(), event)
    assert expect in out.says[0].text and out.submitted is None


def test_a_message_redelivered_under_a_new_update_is_taken_once() -> None:
    out = run(ChatState(), Command("lapor", "", 7))
    first = run(out.state, Text("Sampah menumpuk sudah dua minggu", 8))
    assert first.state.step == "where"
    again = run(first.state, Text("Sampah menumpuk sudah dua minggu", 8))
    assert again.says == [] and again.state.draft.where is None


def test_english_on_request_and_back() -> None:
    out = run(ChatState(), Command("english", "", 1))
    assert out.state.language == "en" and out.says[0].text == "Language set to English."
    out = run(out.state, Command("lapor", "", 2))
    assert out.says[0].text.startswith("What happened?")
    out = run(out.state, Button("lang:id"))
    assert out.state.language == "id"


def test_location_photo_and_contact_fill_the_report() -> None:
    out = run(ChatState(), Location(-0.9471, 100.4172, 1))
    assert out.state.step == "what"
    out = run(out.state, Text("Banjir setinggi lutut menutup jalan", 2))
    assert out.state.step == "when"  # the location answered "where"
    out = run(out.state, Text("tgl 12/11/2026", 3))
    assert out.state.draft.when == "2026-11-12"
    out = run(out.state, Contact("+6281234567890", 4))
    assert out.state.draft.phone == "+6281234567890"
    out = run(out.state, Photo(None, None, 5, error="terlalu besar"))
    assert "terlalu besar" in out.says[0].text and out.state.draft.photos == []


def test_a_date_not_understood_is_asked_again_with_buttons() -> None:
    out = run(ChatState(), Command("lapor", "", 1), Text("Jembatan gantung putus", 2))
    out = run(out.state, Text("di jorong koto baru", 3))
    out = run(out.state, Text("pokoknya sudah lama", 4))
    assert out.state.step == "when" and "when:1:skip" in buttons(out)
    out = run(out.state, Button("when:1:skip"))
    assert out.state.draft.when is None and out.state.step == "photo"


def test_state_survives_json() -> None:
    out = run(ChatState(), Command("lapor", "", 1), Text("Jalan berlubang di jln Ahmad Yani", 2))
    restored = ChatState.from_json(out.state.to_json())
    assert restored == out.state
