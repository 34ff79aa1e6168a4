"""The conversation's issue-18 behaviour, step by step, with the readers fixed: /lapor
with a text, keep-or-replace, intents before a report, repeats, the one confirmation,
likely topics as buttons, documents, venues and paragraphs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from adapters.telegram.conversation import (
    Button,
    ChatState,
    Command,
    Context,
    Document,
    Outcome,
    Photo,
    Reading,
    Text,
    Venue,
    step,
)
from gateway.storage.repeats import Repeat
from gateway.understanding.intent import Intent, IntentKind
from gateway.understanding.place import Place
from gateway.understanding.when import When

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
COMPLETE = "Lampu jalan di Jl. Hasanuddin mati sejak kemarin jam 9 malam, gelap sekali"
TOPICS = {4: "Penerangan Jalan Umum", 26: "Listrik dan Energi", 27: "Pemadaman Listrik"}


def read_place(text: str) -> Place | None:
    return Place("Jl. Hasanuddin", "13.71") if "Hasanuddin" in text else None


def read_when(text: str, now: datetime) -> When | None:
    if "kemarin jam 9 malam" in text:
        return When(date(2026, 11, 22), time(21, 0), "kemarin jam 9 malam")
    return When(date(2026, 11, 22), None, "kemarin") if "kemarin" in text else None


def intents(kind: IntentKind, confidence: float = 0.85) -> Any:
    return lambda text, open_, after: Intent(kind, confidence, "test")


def ctx(**changes: Any) -> Context:
    base = Context(
        tenant_name="Pemerintah Provinsi Sumatera Barat",
        today=NOW.date(),
        categories={"JALAN": "Jalan rusak", "LAINNYA": "Lainnya"},
        category_menu=True,
        classify=lambda text: Reading("Penerangan Jalan Umum", True),
        now=NOW,
        reporter="Rina",
        topic_names=TOPICS,
        read_place=read_place,
        read_when=read_when,
        read_intent=intents(IntentKind.NEW),
    )
    return replace(base, **changes)


def run(state: ChatState, *events: Any, context: Context | None = None) -> Outcome:
    out = Outcome(state)
    for event in events:
        out = step(out.state, event, context or ctx())
    return out


def fork(state: ChatState) -> ChatState:
    """A copy to try another answer on (a step changes the state it is given)."""
    return ChatState.from_json(state.to_json())


def buttons(out: Outcome) -> list[str]:
    return [data for say in out.says for row in (say.buttons or []) for _, data in row]


def test_a_complete_text_goes_straight_to_the_one_confirmation() -> None:
    out = run(ChatState(), Text(COMPLETE, 1))
    assert out.state.step == "confirm" and len(out.says) == 1
    assert "Jl. Hasanuddin" in out.says[0].text and "22/11/2026 21:00" in out.says[0].text
    assert buttons(out) == ["send:1", "send:1:anon", "cancel:1"]
    assert out.state.draft.where_region == "13.71"
    sent = run(out.state, Button("send:1"))
    assert sent.submitted is not None and sent.submitted.anonymous is False
    assert sent.submitted.when_time == "21:00"


def test_lapor_with_a_text_keeps_it_and_its_paragraphs() -> None:
    text = "Lampu jalan di Jl. Hasanuddin mati sejak kemarin.\n\n\n  Sudah   dua kali lapor.  "
    out = run(ChatState(), Command("lapor", text, 1))
    assert out.state.draft.what == (
        "Lampu jalan di Jl. Hasanuddin mati sejak kemarin.\n\nSudah dua kali lapor."
    )
    assert out.state.step == "confirm" and out.state.draft.guided is False


def test_a_new_report_while_one_is_open_asks_keep_or_replace() -> None:
    out = run(ChatState(), Text(COMPLETE, 1))
    asked = run(out.state, Command("lapor", "", 2))
    assert buttons(asked) == ["keep:1", "fresh:1"] and asked.state.draft.what == COMPLETE
    kept = run(asked.state, Button("keep:1"))
    assert kept.state.step == "confirm" and kept.state.draft.what == COMPLETE
    assert kept.state.pending is None

    other = "Sampah menumpuk di pasar sudah tiga hari tidak diangkut sama sekali"
    asked = run(kept.state, Text(other, 3))
    assert buttons(asked) == ["add:1", "fresh:1"] and asked.state.pending == other
    assert asked.says[0].text.startswith("Laporan sebelumnya belum dikirim. Tambahkan")
    # a button of the open report waits: add-or-replace is asked again
    again = run(asked.state, Button("send:1"))
    assert again.submitted is None and buttons(again) == ["add:1", "fresh:1"]
    added = run(fork(again.state), Button("add:1"))
    assert added.state.draft.what == f"{COMPLETE}\n\n{other}" and added.state.conv == 1
    assert added.state.step == "confirm" and other in added.says[0].text
    fresh = run(again.state, Button("fresh:1"))
    assert fresh.state.conv == 2 and fresh.state.draft.what == other
    assert fresh.state.step == "where"
    assert run(fresh.state, Button("keep:1")).notice == "Tombol ini sudah tidak berlaku."


def test_the_report_button_of_the_menu_does_not_throw_a_draft_away() -> None:
    out = run(ChatState(), Text(COMPLETE, 1), Button("go:lapor"))
    assert buttons(out) == ["keep:1", "fresh:1"] and out.state.draft.what == COMPLETE
    fresh = run(out.state, Button("fresh:1"))
    assert fresh.state.step == "what" and fresh.state.draft.what is None


@pytest.mark.parametrize(
    ("kind", "expect"),
    [
        (IntentKind.THANKS, "Sama-sama"),
        (IntentKind.CHATTER, "Untuk melapor, ketik keluhan Anda"),
    ],
)
def test_thanks_and_chatter_start_nothing(kind: IntentKind, expect: str) -> None:
    out = run(
        ChatState(),
        Text("terima kasih banyak pak atas bantuannya", 1),
        context=ctx(read_intent=intents(kind)),
    )
    assert expect in out.says[0].text
    assert out.state.step == "idle" and out.submitted is None and out.comment is None


def test_a_status_question_lists_the_reports() -> None:
    out = run(
        ChatState(),
        Text("laporan saya sudah sampai mana ya pak?", 1),
        context=ctx(read_intent=intents(IntentKind.STATUS)),
    )
    assert out.status_query == "*" and out.state.step == "idle"


def test_more_about_an_open_complaint_is_a_comment() -> None:
    text = "Lampunya masih mati sampai sekarang,\ntolong dicek lagi"
    context = ctx(read_intent=intents(IntentKind.MORE), comment_target=("c-1", "12345678"))
    out = run(ChatState(), Text(text, 1), context=context)
    assert out.comment == ("c-1", text)
    assert "untuk laporan 12345678" in out.says[0].text and out.state.step == "idle"
    # nowhere to put it: it is a new report
    alone = run(ChatState(), Text(text, 1), context=ctx(read_intent=intents(IntentKind.MORE)))
    assert alone.comment is None and alone.state.step == "where"


def test_a_short_text_starts_a_report_only_when_the_reader_is_sure() -> None:
    sure = run(ChatState(), Text("PJU mati total", 1))
    assert sure.state.step == "where"
    unsure = run(
        ChatState(),
        Text("PJU mati total", 1),
        context=ctx(read_intent=intents(IntentKind.NEW, 0.5)),
    )
    assert unsure.state.step == "idle" and "Untuk melapor" in unsure.says[0].text


def test_a_repeated_text_answers_with_its_tracking_id() -> None:
    context = ctx(repeat_of=lambda text: Repeat("c-1", "12345678"))
    out = run(ChatState(), Text(COMPLETE, 1), context=context)
    assert "sudah kami terima dengan nomor 12345678" in out.says[0].text
    assert out.state.step == "idle" and out.state.reports == 0
    pending = run(
        ChatState(),
        Command("lapor", COMPLETE, 1),
        context=ctx(repeat_of=lambda text: Repeat("c-1", None)),
    )
    assert "sedang diteruskan" in pending.says[0].text and pending.state.step == "idle"


def test_an_unsure_topic_is_offered_as_buttons_then_sent() -> None:
    unsure = Reading("Pelayanan Publik Lainnya", False, ((27, TOPICS[27]), (26, TOPICS[26])))
    context = ctx(classify=lambda text: unsure)
    out = run(ChatState(), Text(COMPLETE, 1), context=context)
    assert out.state.step == "topic"
    assert buttons(out) == ["topic:1:27", "topic:1:26", "topic:1:other", "cancel:1"]
    assert "🏷 (belum pasti)" in out.says[0].text
    assert run(fork(out.state), Button("topic:1:99"), context=context).notice  # not a topic
    chosen = run(fork(out.state), Button("topic:1:27"), context=context)
    assert chosen.state.step == "confirm" and "🏷 Pemadaman Listrik" in chosen.says[0].text
    sent = run(chosen.state, Button("send:1:anon"), context=context)
    assert sent.submitted is not None and sent.submitted.topic_id == 27
    assert sent.submitted.anonymous is True
    other = run(fork(out.state), Button("topic:1:other"), context=context)
    assert other.state.draft.topic_other and "Lainnya (ditentukan petugas)" in other.says[0].text


def test_a_document_failed_keeps_its_caption_as_the_report() -> None:
    failed = Document(None, COMPLETE, 1, error="ukurannya lebih dari 10 MB")
    out = run(ChatState(), failed)
    assert out.says[0].text.startswith("Maaf, lampiran itu tidak dapat kami terima")
    assert out.state.draft.what == COMPLETE and out.state.draft.photos == []
    pdf = {"url": "/attachments/x.pdf", "content_type": "application/pdf"}
    kept = run(ChatState(), Document(pdf, COMPLETE, 2))
    assert kept.state.draft.photos == [pdf] and "📎 1 lampiran" in kept.says[0].text
    photo = run(ChatState(), Photo(None, COMPLETE, 3, error="gagal diunduh dari Telegram"))
    assert "foto itu tidak dapat" in photo.says[0].text and photo.state.draft.what == COMPLETE


def test_a_venue_is_the_place_and_its_point() -> None:
    venue = Venue("Pasar Raya Padang", "Jl. Pasar Raya, Padang Barat", -0.9492, 100.3543, 1)
    out = run(ChatState(), venue)
    assert out.state.step == "what"
    assert out.state.draft.where == "Pasar Raya Padang, Jl. Pasar Raya, Padang Barat"
    out = run(out.state, Text("Sampah menumpuk sejak kemarin di depan los ikan", 2))
    assert out.state.draft.latitude == -0.9492 and out.state.step == "photo"


def test_english_on_request_for_the_new_questions() -> None:
    out = run(ChatState(language="en"), Text(COMPLETE, 1), Command("lapor", "", 2))
    assert out.says[0].text.startswith("Your previous report is not sent yet")
    thanks = run(
        ChatState(language="en"),
        Text("thank you very much sir", 3),
        context=ctx(read_intent=intents(IntentKind.THANKS)),
    )
    assert thanks.says[0].text.startswith("You are welcome")


def test_what_the_bot_said_last_is_remembered() -> None:
    out = run(ChatState(), Text(COMPLETE, 1))
    assert out.state.said_at == "2026-11-23T03:00:00+00:00"
    later = replace(ctx(), now=NOW.replace(hour=11))
    quiet = run(out.state, Text(COMPLETE, 1), context=later)  # a redelivery: nothing said
    assert quiet.says == [] and quiet.state.said_at == "2026-11-23T03:00:00+00:00"


def test_lapor_twice_with_nothing_written_simply_begins_again() -> None:
    out = run(ChatState(), Command("lapor", "", 1), Command("lapor", COMPLETE, 2))
    assert out.state.conv == 2 and out.state.draft.what == COMPLETE
    assert out.state.pending is None and "keep:1" not in buttons(out)


@pytest.mark.parametrize("kind", [IntentKind.THANKS, IntentKind.CHATTER, IntentKind.STATUS])
def test_a_long_text_not_read_as_a_complaint_can_be_reported_by_button(kind: IntentKind) -> None:
    text = "There is a forest fire spreading near Way Kambas, thick smoke reached our village"
    context = ctx(read_intent=intents(kind))
    out = run(ChatState(), Text(text, 1), context=context)
    assert out.state.step == "idle" and out.submitted is None
    [offer] = out.later
    assert offer.buttons == [[("📝 Laporkan pesan ini", "go:text")]]
    started = run(fork(out.state), Button("go:text"), context=context)
    assert started.state.draft.what == text and started.state.step == "where"
    # another text in between: the offer is gone
    later = run(fork(out.state), Text("halo", 2), Button("go:text"), context=context)
    assert later.notice == "Tombol ini sudah tidak berlaku." and later.state.step == "idle"


def test_a_short_thanks_is_not_offered_as_a_report() -> None:
    out = run(
        ChatState(), Text("ok makasih pak", 1), context=ctx(read_intent=intents(IntentKind.THANKS))
    )
    assert out.later == [] and out.state.pending is None


def test_a_report_stored_at_the_old_anonymity_question_goes_on() -> None:
    stored = {
        "language": "id",
        "step": "anonymous",
        "conv": 1,
        "reports": 1,
        "draft": {"what": COMPLETE, "where": "Jl. Hasanuddin", "when": "2026-11-22"},
        "seen": [1],
    }
    out = run(ChatState.from_json(stored), Button("anon:1:yes"))
    assert out.state.step == "confirm" and "👤 anonim" in out.says[0].text
    sent = run(out.state, Button("send:1"))
    assert sent.submitted is not None and sent.submitted.anonymous is True
