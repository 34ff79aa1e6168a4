"""A WhatsApp message as the chat engine's event (adapters.whatsapp.service.event_of):
words typed alone are commands, a chosen button or row is the choice pressed, a place
with a name is a venue, only the sender's own number is a contact, and what the
conversation cannot read is unsupported by its kind."""

from __future__ import annotations

from adapters.whatsapp.service import event_of
from gateway.chat.state import Button, Command, Contact, Location, Text, Unsupported, Venue
from tests.fakes import whatsapp_api as wa
from tests.unit.test_whatsapp_events import CITIZEN, parsed


def test_typed_words_are_commands_or_texts() -> None:
    batal = wa.text(CITIZEN, "  Batal ", "wamid.A")
    assert event_of(parsed(batal)) == Command("batal", "", "wamid.A")
    status = wa.text(CITIZEN, "status 1234ABCD", "wamid.B")
    assert event_of(parsed(status)) == Command("status", "1234ABCD", "wamid.B")
    said = wa.text(CITIZEN, "batal saja laporannya", "wamid.C")
    assert event_of(parsed(said)) == Text("batal saja laporannya", "wamid.C")


def test_a_chosen_button_row_or_quick_reply_is_the_choice_pressed() -> None:
    assert event_of(parsed(wa.button_reply(CITIZEN, "send:1", "Kirim"))) == Button("send:1")
    assert event_of(parsed(wa.list_reply(CITIZEN, "cat:1:JALAN", "Jalan"))) == Button("cat:1:JALAN")
    assert event_of(parsed(wa.quick_reply(CITIZEN, "go:status", "Status"))) == Button("go:status")


def test_places_contacts_and_what_cannot_be_read() -> None:
    named = parsed(wa.location(CITIZEN, -0.9471, 100.4172, "Pasar Raya", "Jl. M. Yamin"))
    assert event_of(named) == Venue(
        "Pasar Raya", "Jl. M. Yamin", -0.9471, 100.4172, named.message_id
    )
    bare = parsed(wa.location(CITIZEN, -0.9471, 100.4172))
    assert event_of(bare) == Location(-0.9471, 100.4172, bare.message_id)
    own = parsed(wa.contacts(CITIZEN, "Rina", "+62 812-3456-7890"))
    assert event_of(own) == Contact("+6281234567890", own.message_id)
    other = parsed(wa.contacts(CITIZEN, "Pak RT", "+62 812-0000-1111"))
    assert event_of(other) == Contact(None, other.message_id)
    voice = parsed(wa.media(CITIZEN, "audio", "m-1", "audio/ogg", voice=True))
    assert event_of(voice) == Unsupported("voice", voice.message_id)
    sticker = parsed(wa.media(CITIZEN, "sticker", "m-2", "image/webp"))
    assert event_of(sticker) == Unsupported("sticker", sticker.message_id)
    unknown = parsed(wa.unsupported(CITIZEN))
    assert event_of(unknown) == Unsupported("other", unknown.message_id)
