"""What the SMS channel does with an SMS (adapters.sms.reading.decide), and what it
reads from a new complaint's text about where and when (details)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from adapters.sms import reading
from adapters.sms.grammar import parse, tracking_id_in
from adapters.sms.reading import Decision, Facts, Target, decide, details
from gateway.storage.repeats import Repeat
from gateway.understanding.intent import Intent, IntentKind

OPEN = Target("c-open", "23456789")
AFTER_STATUS = Facts(open_complaint=False, after_status=True)
WITH_OPEN = Facts(open_complaint=True, after_status=True, target=OPEN)
REPEAT = Repeat("c-first", "34567890")
WIB = ZoneInfo("Asia/Jakarta")


Calls = list[tuple[str, bool, bool]]


def reader(kind: IntentKind, calls: Calls | None = None) -> reading.ReadIntent:
    def read(text: str, open_complaint: bool, after_status: bool) -> Intent:
        if calls is not None:
            calls.append((text, open_complaint, after_status))
        return Intent(kind, 0.7, "test")

    return read


@pytest.mark.parametrize(
    ("sms", "action"),
    [
        ("STATUS", "status"),
        ("cek 2345 6789", "status"),
        ("INFO", "info"),
        ("?", "info"),
        ("UNREG", "stop"),
        ("...", "nothing"),
        ("", "nothing"),
        ("LAPOR", "need_text"),
        ("LAPOR jalan", "need_text"),
    ],
)
def test_commands_are_what_they_say(sms: str, action: str) -> None:
    calls: Calls = []
    decided = decide(parse(sms), WITH_OPEN, reader(IntentKind.NEW, calls))
    assert decided.action == action
    assert calls == []  # a command is never read for its intent


def test_the_keyword_always_files_unless_the_text_repeats_a_complaint() -> None:
    calls: Calls = []
    sms = parse("LAPOR terima kasih pak, jalan depan SDN 3 sudah diperbaiki")
    assert decide(sms, AFTER_STATUS, reader(IntentKind.THANKS, calls)).action == "file"
    assert calls == []
    repeated = decide(sms, Facts(repeat=REPEAT), reader(IntentKind.NEW))
    assert repeated == Decision("repeat", "keyword, repeats c-first")


@pytest.mark.parametrize(
    ("kind", "facts", "action"),
    [
        (IntentKind.THANKS, AFTER_STATUS, "thanks"),
        (IntentKind.STATUS, WITH_OPEN, "status"),
        (IntentKind.CHATTER, Facts(), "info"),
        (IntentKind.MORE, WITH_OPEN, "comment"),
        # "more" with nowhere to go: the text is not lost, it is filed
        (IntentKind.MORE, Facts(open_complaint=True), "file"),
        (IntentKind.NEW, WITH_OPEN, "file"),
    ],
)
def test_a_free_text_does_what_its_intent_says(kind: IntentKind, facts: Facts, action: str) -> None:
    calls: Calls = []
    text = "jalan di depan pasar raya masih berlubang"
    decided = decide(parse(text), facts, reader(kind, calls))
    assert decided.action == action
    assert calls == [(text, facts.open_complaint, facts.after_status)]
    assert decided.note.startswith(f"read as {kind.value} (test, 0.70)")


def test_a_comment_names_the_complaint_it_goes_to() -> None:
    decided = decide(parse("lokasinya di jl sudirman"), WITH_OPEN, reader(IntentKind.MORE))
    assert decided.note.endswith(": comment on c-open")


def test_a_repeated_free_text_is_not_read_again() -> None:
    calls: Calls = []
    text = "Jalan rusak parah di depan SDN 3 Padang"
    decided = decide(parse(text), Facts(repeat=REPEAT), reader(IntentKind.NEW, calls))
    assert decided == Decision("repeat", "repeats c-first") and calls == []


def test_a_short_new_text_asks_for_the_complaint_and_a_failing_reader_files() -> None:
    assert decide(parse("PJU mati"), Facts(), reader(IntentKind.NEW)).action == "need_text"

    def broken(text: str, open_complaint: bool, after_status: bool) -> Intent:
        raise RuntimeError("bug")

    decided = decide(parse("air PDAM tidak mengalir tiga hari"), Facts(), broken)
    assert decided.action == "file" and "intent not read: RuntimeError" in decided.note


@pytest.mark.parametrize(
    ("text", "facts", "action"),
    [
        # issue 18: a thank-you reply to a status message, and a bare thanks
        ("terima kasih pak, jalannya sudah diperbaiki", AFTER_STATUS, "thanks"),
        ("ok makasih pak", Facts(), "thanks"),
        ("ok makasih pak", WITH_OPEN, "thanks"),
        ("Makasih min 🙏", AFTER_STATUS, "thanks"),
        ("halo", Facts(), "info"),
        ("gimana laporan saya", WITH_OPEN, "status"),
        ("masih belum diperbaiki pak, makin parah", WITH_OPEN, "comment"),
        ("lokasinya di jl khatib sulaiman dekat masjid", WITH_OPEN, "comment"),
        ("Jl. Sudirman depan SDN 3", WITH_OPEN, "comment"),  # the answer to "where?"
        ("Lampu jalan mati di Jl. Khatib Sulaiman Padang sejak kemarin", Facts(), "file"),
    ],
)
def test_what_citizens_send_with_the_real_reader(text: str, facts: Facts, action: str) -> None:
    assert decide(parse(text), facts).action == action


def test_a_tracking_id_in_a_free_text() -> None:
    assert tracking_id_in("gimana laporan 2345 6789 pak?") == "23456789"
    assert tracking_id_in("laporan saya sudah sampai mana ya") is None


# --- where and when ------------------------------------------------------------------


def test_a_street_in_the_tenant_s_city_and_yesterday() -> None:
    now = datetime(2026, 7, 12, 14, 0, tzinfo=WIB)
    found = details("Lampu jalan mati di Jl. Khatib Sulaiman Padang sejak kemarin", "13", now)
    assert found.location is not None
    assert found.location.text == "Jl. Khatib Sulaiman Padang"
    assert found.region_code == "13.71"  # Kota Padang, inside Sumatera Barat
    assert (found.incident_date, found.incident_at) == (date(2026, 7, 11), None)


def test_last_night_at_nine_is_a_moment_in_the_tenant_s_zone() -> None:
    now = datetime(2026, 7, 12, 8, 0, tzinfo=WIB)
    found = details("tadi malam jam 9 ada pungli di depan pasar Raya Padang", "13", now)
    assert found.incident_date == date(2026, 7, 11)
    assert found.incident_at == datetime.combine(date(2026, 7, 11), time(21, 0), tzinfo=WIB)


def test_a_time_still_to_come_today_leaves_the_date_alone() -> None:
    now = datetime(2026, 7, 12, 10, 0, tzinfo=WIB)
    found = details("hari ini jam 3 sore air PDAM mati total", "13", now)
    assert (found.incident_date, found.incident_at) == (date(2026, 7, 12), None)


def test_a_region_outside_the_tenant_is_kept_as_text_only() -> None:
    now = datetime(2026, 7, 12, 10, 0, tzinfo=WIB)
    found = details("jalan rusak parah di Jl. Teuku Umar Bandar Lampung", "13", now)
    assert found.location is not None and "Teuku Umar" in found.location.text
    assert found.region_code is None


def test_no_place_and_no_date() -> None:
    found = details("pelayanan lambat sekali, tolong", "13", datetime(2026, 7, 12, tzinfo=WIB))
    assert found == reading.Details()


def test_a_failing_place_reader_leaves_the_place_out(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str, *, region_code: str | None = None) -> None:
        raise ValueError("bug")

    monkeypatch.setattr(reading, "find_place", broken)
    now = datetime(2026, 7, 12, 14, 0, tzinfo=WIB)
    found = details("Lampu jalan mati di Jl. Khatib Sulaiman sejak kemarin", "13", now)
    assert found.location is None and found.incident_date == date(2026, 7, 11)
