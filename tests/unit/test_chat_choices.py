"""The engine's choices fitted to a channel's limits (gateway.chat.choices): WhatsApp's
3 reply buttons (titles up to 20 characters) and 10 list rows (titles up to 24),
Telegram's inline keyboard as it is, and a typed answer naming a choice."""

from __future__ import annotations

from gateway.chat.choices import TELEGRAM, WHATSAPP, Choice, choices_of, fit, offer, typed

LONG = "Pelayanan administrasi kependudukan"  # 35 characters


def many(n: int) -> list[Choice]:
    return [Choice(f"cat:1:K{i}", f"Kategori {i}") for i in range(1, n + 1)]


def test_three_choices_are_buttons_with_titles_cut_to_twenty() -> None:
    shown = fit([Choice("a", LONG), Choice("b", "Sampah"), Choice("c", "Jalan")], WHATSAPP)
    assert shown.kind == "buttons" and not shown.more
    assert [c.id for c in shown.choices] == ["a", "b", "c"]
    assert shown.choices[0].label == "Pelayanan administr…" and len(shown.choices[0].label) == 20
    assert shown.choices[1].label == "Sampah"


def test_four_to_ten_choices_are_a_list_with_titles_cut_to_twenty_four() -> None:
    shown = fit([*many(3), Choice("x", LONG)], WHATSAPP)
    assert shown.kind == "list" and len(shown.choices) == 4 and not shown.more
    assert shown.choices[-1].label == "Pelayanan administrasi…"  # 24, the space dropped
    assert fit(many(10), WHATSAPP).choices == tuple(many(10))


def test_more_than_ten_are_the_first_rows_and_the_kept_last_ones() -> None:
    choices = [*many(12), Choice("topic:1:other", "Lainnya"), Choice("cancel:1", "Batal")]
    shown = fit(choices, WHATSAPP, keep=2)
    assert shown.kind == "list" and shown.more and len(shown.choices) == 10
    assert [c.id for c in shown.choices] == [
        *(f"cat:1:K{i}" for i in range(1, 9)),
        "topic:1:other",
        "cancel:1",
    ]
    assert fit(many(12), WHATSAPP).choices == tuple(many(10))


def test_telegram_shows_every_choice_as_it_is() -> None:
    shown = fit([*many(15), Choice("x", LONG * 2)], TELEGRAM)
    assert shown.kind == "buttons" and len(shown.choices) == 16 and not shown.more
    assert shown.choices[-1].label == LONG * 2


def test_a_keyboard_is_offered_with_cancel_other_and_skip_kept() -> None:
    rows = [[(f"Topik {i}", f"topic:1:{i}")] for i in range(1, 12)]
    rows += [[("Lainnya", "topic:1:other")], [("Batal", "cancel:1")]]
    shown = offer(rows, WHATSAPP)
    assert shown is not None and shown.more
    assert [c.id for c in shown.choices][-3:] == ["topic:1:8", "topic:1:other", "cancel:1"]
    assert offer(None, WHATSAPP) is None and offer([], WHATSAPP) is None
    when = [
        [("Hari ini", "when:1:today"), ("Kemarin", "when:1:yesterday")],
        [("Lewati", "when:1:skip")],
    ]
    assert choices_of(when)[1] == Choice("when:1:yesterday", "Kemarin")
    assert offer(when, WHATSAPP) == fit(choices_of(when), WHATSAPP)


def test_a_typed_answer_names_a_choice_by_number_or_label() -> None:
    choices = [Choice("a", "📝 Buat laporan"), Choice("b", "Sampah"), Choice("c", "Sampah liar")]
    assert typed("2", choices) == choices[1]
    assert typed("buat LAPORAN!", choices) == choices[0]
    assert typed("sampah", choices) == choices[1]  # the whole label before a prefix
    assert typed("4", choices) is None and typed("0", choices) is None
    assert typed("sam", choices) is None  # two labels begin so
    assert typed("Buat", choices) == choices[0]
    assert typed("", choices) is None and typed("??", choices) is None
