"""Parts of long SMS from Gammu's inbox grouped into messages (issue 16, finding 2), and
Gammu's sent-item statuses read as a reply's state (finding 8a)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.sms.gammu_parts import Part, group, own_text
from adapters.sms.gammu_poll import outcome

T0 = datetime(2026, 12, 2, 3, 30, tzinfo=UTC)
WINDOW = timedelta(seconds=120)
SENDER = "+6281234567890"


def part(
    id_: int,
    seq: int,
    text: str,
    *,
    ref: int = 0xA7,
    total: int = 2,
    decoded: str | None = None,
    at: datetime = T0,
    sender: str = SENDER,
) -> Part:
    """A row as gammu-smsd 1.42 writes it: ``Text`` is hex of the part's own UCS-2 text."""
    raw = own_text("Default_No_Compression", text.encode("utf-16-be").hex().upper())
    return Part(id_, sender, "modem1", at, decoded or "", raw, ref, total, seq)


def test_two_long_sms_with_one_reference_stay_two() -> None:
    # gammu-smsd: the whole text in part 1's TextDecoded, "" in part 2's
    a1, a2 = "Lapor: lampu jalan di Jl. Ahmad Yani mati ", "sejak seminggu."
    b1, b2 = "Lapor: got tersumbat di Gang Mawar, ", "air masuk rumah."
    rows = [
        part(1, 1, a1, decoded=a1 + a2),
        part(2, 2, a2),
        part(3, 1, b1, decoded=b1 + b2),
        part(4, 2, b2),
    ]
    messages = group(rows, WINDOW)
    assert [(m.ids, m.text, m.complete) for m in messages] == [
        ((1, 2), a1 + a2, True),
        ((3, 4), b1 + b2, True),
    ]


def test_interleaved_and_reversed_parts_find_their_messages() -> None:
    rows = [part(1, 2, "A2"), part(2, 1, "B1"), part(3, 1, "A1"), part(4, 2, "B2")]
    # A2 opens a message; B1 joins it (its part 1 is missing), A1 repeats part 1: a new
    # message, which B2 completes. Order in Gammu's inbox is all there is to go on, and
    # nothing is lost or merged into three parts of one.
    messages = group(rows, WINDOW)
    assert sorted(len(m.parts) for m in messages) == [2, 2]
    assert sorted(m.ids for m in messages) == [(1, 2), (3, 4)]
    # the usual case, a modem writing part 2 first: one message in the right order
    [one] = group([part(7, 2, "world"), part(8, 1, "hello ")], WINDOW)
    assert one.text == "hello world" and one.complete


def test_parts_far_apart_in_time_are_not_joined() -> None:
    rows = [part(1, 1, "old part one "), part(2, 2, "new part two", at=T0 + timedelta(hours=3))]
    messages = group(rows, WINDOW)
    assert [m.ids for m in messages] == [(1,), (2,)]
    assert not any(m.complete for m in messages)


def test_a_character_split_between_parts_is_joined_before_decoding() -> None:
    whole = "LAPOR banjir 🙏".encode("utf-16-be")
    cut = len(whole) - 2  # between the two halves of the emoji's surrogate pair
    rows = [
        Part(1, SENDER, "m", T0, "", whole[:cut], 5, 2, 1),
        Part(2, SENDER, "m", T0, "", whole[cut:], 5, 2, 2),
    ]
    assert group(rows, WINDOW)[0].text == "LAPOR banjir 🙏"


def test_without_text_column_the_decoded_text_is_used() -> None:
    # rows written by hand (no Text): each part's own TextDecoded
    rows = [
        Part(1, SENDER, "m", T0, "hello ", None, 9, 2, 1),
        Part(2, SENDER, "m", T0, "world", None, 9, 2, 2),
    ]
    assert group(rows, WINDOW)[0].text == "hello world"


def test_sent_items_statuses_make_the_reply_state() -> None:
    assert outcome(["SendingOK"], 1) == "sent"
    assert outcome(["SendingOKNoReport"], 1) == "sent"
    assert outcome(["DeliveryOK"], 1) == "delivered"
    assert outcome(["DeliveryOK", "SendingOK"], 2) == "sent"
    assert outcome(["SendingOK"], 2) is None  # part 2 not sent yet
    assert outcome(["SendingError"], 1) == "failed"
    assert outcome(["SendingOK", "Error"], 2) == "failed"
    assert outcome(["DeliveryFailed"], 1) == "failed"
