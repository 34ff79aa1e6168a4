"""gateway.storage.repeats on real SQLite and PostgreSQL databases: the same text from
the same sender within 24 hours is found, for a Telegram chat (source_ref) and an SMS
number (reporter_phone) alike; another sender, another text, or an older one is not."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from gateway.domain.complaint import ComplaintDraft, Reporter
from gateway.storage.intake import complaint_from_draft
from gateway.storage.repeats import Repeat, find_repeat, same_text

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
TEXT = "Lampu jalan di depan SDN 3 Padang mati sejak kemarin.\n\nGelap sekali."


@pytest.fixture
def session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """On SQLite and on PostgreSQL (the ``factory`` fixture runs both)."""
    with factory() as s:
        yield s


def add(
    session: Session,
    ident: str,
    *,
    channel: str = "telegram",
    ref: str = "5012345678:1",
    text: str = TEXT,
    phone: str | None = None,
    ago: timedelta = timedelta(hours=1),
    tracking: str | None = None,
) -> None:
    draft = ComplaintDraft(
        tenant="sumbar",
        channel=channel,
        source_ref=ref,
        title=text[:80],
        content=text,
        region_code="13",
        reporter=Reporter(phone=phone) if phone else None,
    )
    row = complaint_from_draft(draft, ident, None, NOW - ago)
    row.tracking_id = tracking
    session.add(row)
    session.flush()


def test_the_same_text_from_the_same_chat_within_a_day(session: Session) -> None:
    add(session, "c-1", tracking="12345678")
    again = "  lampu JALAN di depan SDN 3 Padang mati sejak kemarin!! Gelap sekali 🙏"
    found = find_repeat(session, "sumbar", "telegram", "5012345678", again, NOW)
    assert found == Repeat("c-1", "12345678")


@pytest.mark.parametrize(
    ("key", "text", "ago", "tenant"),
    [
        ("5099999999", TEXT, timedelta(hours=1), "sumbar"),  # another chat
        ("501234567", TEXT, timedelta(hours=1), "sumbar"),  # a chat id's prefix is not it
        ("5012345678", "Lampu jalan di depan SDN 4 Padang mati", timedelta(hours=1), "sumbar"),
        ("5012345678", TEXT, timedelta(hours=25), "sumbar"),  # too long ago
        ("5012345678", TEXT, timedelta(hours=1), "lampung"),  # another tenant
    ],
)
def test_not_a_repeat(session: Session, key: str, text: str, ago: timedelta, tenant: str) -> None:
    add(session, "c-1", ago=ago)
    assert find_repeat(session, tenant, "telegram", key, text, NOW) is None


def test_an_sms_number_and_the_newest_of_several(session: Session) -> None:
    add(
        session,
        "s-1",
        channel="sms",
        ref="kannel:1",
        phone="+6281234567890",
        ago=timedelta(hours=5),
    )
    add(session, "s-2", channel="sms", ref="kannel:2", phone="+6281234567890", tracking="87654321")
    found = find_repeat(session, "sumbar", "sms", "+6281234567890", TEXT.upper(), NOW)
    assert found == Repeat("s-2", "87654321")
    assert find_repeat(session, "sumbar", "telegram", "+6281234567890", TEXT, NOW) is None


def test_same_text_ignores_case_accents_punctuation_and_spacing() -> None:
    assert same_text("Jalan  RUSAK!!\n\nDi Jl. Sudirman 😡") == "jalan rusak di jl sudirman"
    assert same_text("Kampung Pelangi café") == same_text("kampung pelangi cafe")
    assert same_text("...!!!") == ""
