"""The channel-neutral chat engine (gateway.chat) driven with plain events, as any
channel would drive it: a whole report, its choices as WhatsApp can show them,
``batal``, ``status`` and English on request; no Telegram object anywhere."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from gateway.chat.choices import WHATSAPP, offer, typed
from gateway.chat.commands import read_command
from gateway.chat.engine import open_choices, step
from gateway.chat.state import (
    Button,
    ChatState,
    Command,
    Context,
    Event,
    Outcome,
    Photo,
    Reading,
    Text,
)
from gateway.understanding.intent import Intent, IntentKind
from gateway.understanding.place import Place
from gateway.understanding.when import When

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
WHAT = "Jalan berlubang besar di depan pasar, berbahaya bagi pengendara motor"
PHOTO = {"filename": "lubang.jpg", "content_type": "image/jpeg", "size": 1234}
#: more categories than a WhatsApp list holds
CATEGORIES = {f"K{n:02d}": f"Kategori nomor {n:02d} yang panjang" for n in range(1, 13)}


def ctx(**changes: Any) -> Context:
    base = Context(
        tenant_name="Pemerintah Provinsi Sumatera Barat",
        today=NOW.date(),
        categories={"JALAN": "Jalan rusak", "LAINNYA": "Lainnya"},
        category_menu=True,
        classify=lambda text: Reading("Jalan Rusak", True),
        now=NOW,
        reporter="Rina",
        read_place=lambda text: Place("Jl. Sudirman", None) if "Sudirman" in text else None,
        read_when=lambda text, now: None,
        read_intent=lambda text, open_, after: Intent(IntentKind.NEW, 0.9, "test"),
    )
    return replace(base, **changes)


def run(state: ChatState, *events: Event, context: Context | None = None) -> list[Outcome]:
    """Every event's outcome, in order, each with its own copy of the state (a step
    changes the state it is given)."""
    outcomes = []
    for event in events:
        outcomes.append(step(ChatState.from_json(state.to_json()), event, context or ctx()))
        state = outcomes[-1].state
    return outcomes


def ids(out: Outcome) -> list[str]:
    return [data for say in out.says for row in (say.buttons or []) for _, data in row]


def within_whatsapp(out: Outcome) -> None:
    for say in out.says + out.later:
        shown = offer(say.buttons, WHATSAPP)
        if shown is None:
            continue
        if shown.kind == "buttons":
            assert len(shown.choices) <= 3
            assert all(len(c.label) <= 20 for c in shown.choices)
        else:
            assert len(shown.choices) <= 10
            assert all(len(c.label) <= 24 for c in shown.choices)


def test_a_whole_guided_report_with_plain_events() -> None:
    outs = run(
        ChatState(),
        Command("start", "", 1),
        Button("go:lapor"),
        Text(WHAT, 2),
        Text("Jl. Sudirman dekat pasar raya", 3),
        Button("when:1:yesterday"),
        Photo(PHOTO, None, 4),
        Button("send:1:anon"),
    )
    welcome, asked, where, when, photo, summary, sent = outs
    assert "Selamat datang" in welcome.says[0].text and "go:lapor" in ids(welcome)
    assert asked.says[0].text.startswith("Apa yang terjadi")
    assert where.state.step == "where" and when.state.step == "when"
    assert ids(when) == ["when:1:today", "when:1:yesterday", "when:1:skip"]
    assert photo.state.step == "photo" and ids(photo) == ["photo:1:skip"]
    assert summary.state.step == "confirm" and "📎 1 lampiran" in summary.says[0].text
    assert ids(summary) == ["send:1", "send:1:anon", "cancel:1"]
    draft = sent.submitted
    assert draft is not None and sent.submitted_conv == 1
    assert draft.what == WHAT and draft.where == "Jl. Sudirman dekat pasar raya"
    assert draft.when == date(2026, 11, 22).isoformat() and draft.photos == [PHOTO]
    assert draft.anonymous is True and sent.state.step == "idle"
    assert sent.says[0].text.startswith("Terima kasih")
    for out in outs:
        within_whatsapp(out)


def test_a_text_that_says_everything_goes_to_the_summary_and_is_filed() -> None:
    told = f"{WHAT} di Jl. Sudirman"
    context = ctx(read_when=lambda text, now: When(date(2026, 11, 22), None, "kemarin"))
    summary, sent = run(ChatState(), Text(told, 1), Button("send:1"), context=context)
    assert summary.state.step == "confirm"
    assert sent.submitted is not None and sent.submitted.anonymous is False
    assert sent.submitted.where == "Jl. Sudirman"


def test_many_categories_fit_a_whatsapp_list_and_the_rest_are_typed() -> None:
    context = ctx(categories=CATEGORIES, classify=lambda text: Reading("Lainnya", False))
    (out,) = run(ChatState(), Text(WHAT, 1), context=context)
    assert out.state.step == "category" and len(ids(out)) == 12
    shown = offer(out.says[0].buttons, WHATSAPP)
    assert shown is not None and shown.kind == "list" and shown.more
    assert len(shown.choices) == 10 and all(len(c.label) <= 24 for c in shown.choices)
    # the twelfth is not shown: typed, it is pressed all the same
    choices = open_choices(out.state, context)
    assert [c.id for c in choices] == ids(out)
    chosen = typed("kategori nomor 12 yang panjang", choices)
    assert chosen is not None and chosen.id == "cat:1:K12"
    assert chosen.id not in [c.id for c in shown.choices]
    (after,) = run(out.state, Button(chosen.id), context=context)
    assert after.state.draft.category == "K12" and after.state.step == "where"


def test_likely_topics_fit_whatsapp_with_cancel_kept() -> None:
    likely = ((27, "Pemadaman Listrik"), (26, "Listrik dan Energi"), (4, "Penerangan Jalan"))
    context = ctx(
        classify=lambda text: Reading("Lainnya", False, likely),
        topic_names=dict(likely),
        read_when=lambda text, now: When(date(2026, 11, 22), None, "kemarin"),
    )
    (out,) = run(ChatState(), Text(f"{WHAT} di Jl. Sudirman", 1), context=context)
    assert out.state.step == "topic"
    shown = offer(out.says[0].buttons, WHATSAPP)
    assert shown is not None and shown.kind == "list" and not shown.more
    assert [c.id for c in shown.choices][-2:] == ["topic:1:other", "cancel:1"]
    within_whatsapp(out)


def test_batal_cancels_the_open_report_and_then_has_nothing_to_cancel() -> None:
    started, cancelled, again = run(
        ChatState(), Text(WHAT, 1), Command("batal", "", 2), Command("batal", "", 3)
    )
    assert started.state.step == "where"
    assert cancelled.state.step == "idle" and cancelled.says[0].text == "Laporan dibatalkan."
    assert cancelled.submitted is None
    assert again.says[0].text == "Tidak ada laporan yang sedang diisi."


def test_bare_words_are_commands_for_a_channel_without_slashes() -> None:
    assert read_command("batal", 1, bare=True) == Command("batal", "", 1)
    assert read_command(" Status  LPR-123 ", 2, bare=True) == Command("status", "LPR-123", 2)
    assert read_command("/status@lapor_bot ABC", 3) == Command("status", "ABC", 3)
    assert read_command("batal", 4) is None  # Telegram: a bare word stays text
    assert read_command("batal saja jalannya rusak", 5, bare=True) is None
    assert read_command("status laporan saya", 6, bare=True) is None


def test_status_asks_for_the_chats_reports_or_one_of_them() -> None:
    listed, one, pressed = run(
        ChatState(), Command("status", "", 1), Command("status", "LPR-7 x", 2), Button("go:status")
    )
    assert listed.status_query == "*" and one.status_query == "LPR-7"
    assert pressed.status_query == "*"
    # asked in the middle of a report, which stays open
    started, during = run(ChatState(), Text(WHAT, 3), Command("status", "", 4))
    assert during.status_query == "*" and during.state.step == started.state.step == "where"


def test_english_on_request_then_the_questions_are_in_english() -> None:
    told, asked, back = run(
        ChatState(), Command("english", "", 1), Button("go:lapor"), Button("lang:id")
    )
    assert told.state.language == "en" and told.says[0].text == "Language set to English."
    assert asked.says[0].text.startswith("What happened?")
    assert back.state.language == "id" and back.says[0].text.startswith("Bahasa diubah")
    (welcome,) = run(ChatState(language="en"), Command("start", "", 2))
    assert welcome.says[0].text.startswith("Welcome") and "lang:id" in ids(welcome)


def test_a_redelivered_message_is_taken_once_whatever_its_id() -> None:
    first, again = run(ChatState(), Text(WHAT, 7), Text(WHAT, 7))
    assert first.says and not again.says and again.state.step == "where"
    wamid = "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjA="  # WhatsApp's ids are strings
    first, again = run(ChatState(), Text(WHAT, wamid), Text(WHAT, wamid))
    assert first.says and not again.says and again.state.seen == [wamid]


def test_open_choices_leave_the_state_as_it_was() -> None:
    (out,) = run(ChatState(), Text(f"{WHAT} di Jl. Sudirman", 1))
    before = out.state.to_json()
    assert [c.id for c in open_choices(out.state, ctx())] == [
        "when:1:today",
        "when:1:yesterday",
        "when:1:skip",
    ]
    assert out.state.to_json() == before
    assert open_choices(ChatState(), ctx()) == ()
