"""Every WhatsApp message type and status read into channel-neutral events, and shapes
nobody expected read without an exception."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from adapters.whatsapp.events import Message, parse_delivery, parse_message, status_rank
from tests.fakes import whatsapp_api as wa

PHONE_ID = "106540352242922"
CITIZEN = "6281234567890"


def one_of_each() -> dict[str, dict[str, Any]]:
    return {
        "text": wa.text(CITIZEN, "Jalan berlubang di Jl. Sudirman"),
        "image": wa.media(CITIZEN, "image", "m-img", "image/jpeg", caption="lubangnya"),
        "document": wa.media(
            CITIZEN, "document", "m-doc", "application/pdf", filename="surat.pdf", caption="surat"
        ),
        "audio": wa.media(CITIZEN, "audio", "m-voice", "audio/ogg; codecs=opus", voice=True),
        "video": wa.media(CITIZEN, "video", "m-vid", "video/mp4"),
        "sticker": wa.media(CITIZEN, "sticker", "m-stk", "image/webp", animated=False),
        "location": wa.location(CITIZEN, -0.9471, 100.4172, "Pasar Raya", "Jl. M. Yamin, Padang"),
        "contacts": wa.contacts(CITIZEN, "Pak RT", "+62 812-0000-1111"),
        "button_reply": wa.button_reply(CITIZEN, "confirm:send", "Kirim", context="wamid.OUT1"),
        "list_reply": wa.list_reply(CITIZEN, "cat:JALAN", "Jalan rusak"),
        "quick_reply": wa.quick_reply(CITIZEN, "status:open", "Lihat status"),
        "reaction": wa.reaction(CITIZEN, "wamid.OUT1"),
        "unsupported": wa.unsupported(CITIZEN),
    }


def parsed(raw: dict[str, Any]) -> Message:
    found = parse_delivery(wa.delivery(PHONE_ID, [raw])).received
    assert len(found) == 1
    return found[0].message


def test_one_delivery_of_every_type_reads_each_message() -> None:
    messages = one_of_each()
    delivery = parse_delivery(wa.delivery(PHONE_ID, list(messages.values()), name="Rina"))
    kinds = [r.message.kind for r in delivery.received]
    assert kinds == [
        "text", "image", "document", "audio", "video", "sticker", "location", "contacts",
        "reply", "reply", "reply", "reaction", "unsupported",
    ]  # fmt: skip
    assert delivery.skipped == 0 and delivery.phone_number_ids == (PHONE_ID,)
    for received in delivery.received:
        assert received.message.sender == CITIZEN
        assert received.message.profile_name == "Rina"
        assert received.message.at is not None and received.message.at.year == 2026


def test_each_type_carries_what_the_engine_needs() -> None:
    m = one_of_each()
    assert parsed(m["text"]).text == "Jalan berlubang di Jl. Sudirman"
    image = parsed(m["image"])
    assert image.media is not None and image.media.id == "m-img"
    assert (image.media.mime_type, image.text) == ("image/jpeg", "lubangnya")
    doc = parsed(m["document"]).media
    assert doc is not None and (doc.filename, doc.caption) == ("surat.pdf", "surat")
    voice = parsed(m["audio"]).media
    assert voice is not None and voice.voice and voice.mime_type == "audio/ogg; codecs=opus"
    place = parsed(m["location"]).place
    assert place is not None
    assert (place.latitude, place.longitude, place.name) == (-0.9471, 100.4172, "Pasar Raya")
    assert place.address == "Jl. M. Yamin, Padang"
    shared = parsed(m["contacts"]).contacts
    assert shared[0].name == "Pak RT" and shared[0].phones == ("+62 812-0000-1111",)
    button = parsed(m["button_reply"])
    assert (button.reply_id, button.reply_title, button.context_id) == (
        "confirm:send",
        "Kirim",
        "wamid.OUT1",
    )
    assert parsed(m["list_reply"]).reply_id == "cat:JALAN"
    quick = parsed(m["quick_reply"])
    assert (quick.type, quick.reply_id, quick.text) == ("button", "status:open", "Lihat status")
    react = parsed(m["reaction"])
    assert (react.reacted_to, react.emoji) == ("wamid.OUT1", "\U0001f44d")
    assert parsed(wa.reaction(CITIZEN, "wamid.OUT1", emoji=None)).emoji is None  # removed
    unsupported = parsed(m["unsupported"])
    assert unsupported.type == "unsupported" and unsupported.note == "Message type unknown"


def test_a_type_nobody_knows_is_unsupported_with_its_type() -> None:
    for kind, body in [
        ("order", {"order": {"catalog_id": "1"}}),
        ("system", {"system": {"body": "changed number"}}),
        ("interactive", {"interactive": {"type": "nfm_reply", "nfm_reply": {}}}),
        ("image", {"image": {"mime_type": "image/jpeg"}}),  # no media id
        ("location", {"location": {"latitude": "north"}}),
        ("text", {"text": "not an object"}),
    ]:
        message = parsed({"from": CITIZEN, "id": f"wamid.{kind}", "type": kind, **body})
        assert message.kind == "unsupported", kind
        assert message.type == kind


def test_each_stored_part_is_a_delivery_of_its_message_alone() -> None:
    messages = [wa.text(CITIZEN, "satu"), wa.text("6289999999999", "dua")]
    delivery = parse_delivery(wa.delivery(PHONE_ID, messages))
    for received in delivery.received:
        again = parse_delivery(json.loads(json.dumps(received.raw))).received
        assert [r.message for r in again] == [received.message]
        value = received.raw["entry"][0]["changes"][0]["value"]
        assert [c["wa_id"] for c in value["contacts"]] == [received.message.sender]


def test_statuses_with_their_error_code() -> None:
    statuses = [
        wa.status("wamid.OUT1", "delivered", CITIZEN),
        wa.status("wamid.OUT2", "failed", CITIZEN, error_code=131047),
    ]
    found = parse_delivery(wa.delivery(PHONE_ID, statuses=statuses)).statuses
    assert [(s.message_id, s.status, s.error_code) for s in found] == [
        ("wamid.OUT1", "delivered", None),
        ("wamid.OUT2", "failed", 131047),
    ]
    assert found[1].error_title == "error 131047"
    assert status_rank("read") > status_rank("delivered") > status_rank("sent")
    assert status_rank("failed") > status_rank("read") and status_rank("deleted") == -1


def test_changes_of_another_number_are_left_out_when_a_number_is_asked_for() -> None:
    body = wa.delivery("999", [wa.text(CITIZEN, "bukan untuk kami")])
    assert len(parse_delivery(body).received) == 1
    other = parse_delivery(body, PHONE_ID)
    assert other.received == () and other.foreign == 1


WEIRD: list[Any] = [
    None, 7, "x", [], {}, {"entry": None}, {"entry": [None, 3, {"changes": "x"}]},
    {"entry": [{"changes": [{"field": "messages", "value": []}]}]},
    {"entry": [{"changes": [{"field": "account_update", "value": {"messages": []}}]}]},
    {"entry": [{"changes": [{"field": "messages", "value": {"messages": [None, 1, {}]}}]}]},
    {"entry": [{"changes": [{"field": "messages", "value": {"statuses": [{"id": 1}, "s"]}}]}]},
]  # fmt: skip


@pytest.mark.parametrize("body", WEIRD)
def test_shapes_nobody_expected_are_skipped_without_an_exception(body: Any) -> None:
    delivery = parse_delivery(body)
    assert delivery.received == () and delivery.statuses == ()


def test_every_field_of_every_type_mangled_raises_nothing() -> None:
    """Each message of each type with each of its fields replaced by odd values."""
    odd: list[Any] = [None, 0, -1, True, 1e308, "", "x" * 5000, [], {}, [None], {"id": None}]
    count = 0
    for raw in one_of_each().values():
        inner = raw.get(raw["type"])
        paths = [(k,) for k in raw]
        if isinstance(inner, dict):
            paths += [(raw["type"], k) for k in inner]
        for path in paths:
            for value in odd:
                mangled = copy.deepcopy(raw)
                target = mangled if len(path) == 1 else mangled[path[0]]
                target[path[-1]] = value
                message = parse_message(mangled)
                count += 1
                if message is not None:
                    assert message.kind in {
                        "text", "image", "document", "audio", "video", "sticker",
                        "location", "contacts", "reply", "reaction", "unsupported",
                    }  # fmt: skip
    assert count > 500
    assert parse_message({"from": CITIZEN, "type": "text", "text": {"body": "x"}}) is None
