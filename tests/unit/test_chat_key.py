"""A reply job's queue key: one per chat, never the phone number itself (the key is
shown on the console's jobs page and by ``gateway jobs list``)."""

from __future__ import annotations

from gateway.storage.claims import chat_key
from gateway.storage.models import OutboxJob


def test_a_chat_key_hides_the_number_and_fits_the_column() -> None:
    key = chat_key("sms", "+6281234567890")
    assert key.startswith("sms:") and "81234567890" not in key
    column = OutboxJob.__table__.c.complaint_id  # type: ignore[attr-defined]
    for channel in ("sms", "telegram", "whatsapp"):
        assert len(chat_key(channel, "+6281234567890")) <= column.type.length


def test_one_key_per_chat() -> None:
    assert chat_key("sms", "+6281234567890") == chat_key("sms", "+6281234567890")
    assert chat_key("sms", "+6281234567890") != chat_key("sms", "+6281234567891")
    assert chat_key("sms", "5012345678") != chat_key("telegram", "5012345678")
