"""What the database says about an SMS sender (adapters.sms.sender), on a real database:
their open complaint, the status message they got lately, a text they sent before."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from adapters.sms import sender
from adapters.sms.reading import Facts, Target
from gateway.domain.complaint import ComplaintDraft, Reporter
from gateway.storage.engine import transaction
from gateway.storage.intake import record_complaint
from gateway.storage.models import Complaint, SmsOutbound
from gateway.storage.repeats import Repeat

PHONE = "+6281234567890"
TEXT = "Jalan berlubang di depan SDN 3 Padang, motor sering jatuh"


def complaint(
    factory: sessionmaker[Session],
    ref: str,
    *,
    status: str = "submitted",
    tracking: str | None = None,
    age: timedelta = timedelta(hours=1),
    text: str = TEXT,
    phone: str = PHONE,
) -> str:
    draft = ComplaintDraft(
        tenant="sumbar",
        channel="sms",
        source_ref=ref,
        title=text[:40],
        content=text,
        region_code="13",
        reporter=Reporter(phone=phone),
    )
    made = record_complaint(factory, draft, "{}", "application/json").complaint_id
    with transaction(factory) as session:
        session.execute(
            update(Complaint)
            .where(col(Complaint.id) == made)
            .values(status=status, tracking_id=tracking, created_at=datetime.now(UTC) - age)
        )
    return made


def told(
    factory: sessionmaker[Session],
    complaint_id: str | None,
    age: timedelta,
    status: str = "delivered",
) -> None:
    at = datetime.now(UTC) - age
    with transaction(factory) as session:
        session.add(
            SmsOutbound(
                id=str(uuid.uuid4()),
                tenant="sumbar",
                channel="sms",
                complaint_id=complaint_id,
                to_number=PHONE,
                text="Laporan 23456789 ...",
                encoding="gsm7",
                parts=1,
                transport="kannel",
                status=status,
                created_at=at,
                updated_at=at,
            )
        )


def facts_of(factory: sessionmaker[Session], text: str | None = None) -> Facts:
    with factory() as session:
        return sender.facts(session, "sumbar", PHONE, text, datetime.now(UTC))


def test_a_new_number_has_nothing(factory: sessionmaker[Session]) -> None:
    assert facts_of(factory, TEXT) == Facts()


def test_an_open_complaint_and_a_recent_status_message(factory: sessionmaker[Session]) -> None:
    older = complaint(factory, "kannel:1", tracking="11111111", age=timedelta(days=2))
    newer = complaint(factory, "kannel:2", status="received", age=timedelta(hours=2))
    complaint(factory, "kannel:3", status="submitted", phone="+6281399998888")  # not theirs
    assert facts_of(factory) == Facts(open_complaint=True, target=Target(newer, None))
    # a status message about the older complaint: "more" is about that one
    told(factory, older, timedelta(hours=5))
    assert facts_of(factory) == Facts(True, True, Target(older, "11111111"))
    # a command's answer (no complaint) is no status message, nor one that failed
    told(factory, None, timedelta(minutes=1))
    told(factory, newer, timedelta(minutes=2), status="failed")
    assert facts_of(factory) == Facts(True, True, Target(older, "11111111"))


def test_a_finished_complaint_is_not_open(factory: sessionmaker[Session]) -> None:
    done = complaint(factory, "kannel:1", status="resolved", tracking="22222222")
    complaint(factory, "kannel:2", status="rejected", tracking="33333333")
    told(factory, done, timedelta(days=1))
    assert facts_of(factory) == Facts(open_complaint=False, after_status=True)


def test_a_status_message_older_than_three_days_is_not_replied_to(
    factory: sessionmaker[Session],
) -> None:
    mine = complaint(factory, "kannel:1", tracking="44444444", age=timedelta(days=5))
    told(factory, mine, timedelta(days=3, hours=1))
    assert facts_of(factory) == Facts(True, False, Target(mine, "44444444"))


def test_the_same_text_within_a_day_repeats_the_complaint(factory: sessionmaker[Session]) -> None:
    first = complaint(factory, "kannel:1", status="received", age=timedelta(hours=23))
    again = "jalan berlubang di depan SDN 3 padang  motor sering jatuh!!"
    assert facts_of(factory, again).repeat == Repeat(first, None)
    assert facts_of(factory, "jalan berlubang di depan SDN 4 Padang").repeat is None


def test_a_day_later_the_same_text_is_a_new_complaint(factory: sessionmaker[Session]) -> None:
    complaint(factory, "kannel:1", tracking="55555555", age=timedelta(hours=25))
    assert facts_of(factory, TEXT).repeat is None


def test_status_answers(factory: sessionmaker[Session]) -> None:
    with factory() as session:
        assert sender.status_answer(session, "sumbar", PHONE, None, "id").startswith("Belum ada")
    complaint(factory, "kannel:1", tracking="66666666", age=timedelta(hours=3))
    complaint(factory, "kannel:2", status="received")
    with factory() as session:
        listing = sender.status_answer(session, "sumbar", PHONE, None, "id")
        one = sender.status_answer(session, "sumbar", PHONE, "66666666", "en")
        other = sender.status_answer(session, "sumbar", PHONE, "77777777", "id")
    assert listing.startswith("(menunggu nomor): ") and "; 66666666: " in listing
    assert one.startswith("Report 66666666: ")
    assert other == "Laporan 77777777 tidak ditemukan untuk nomor ini."


def test_told_before(factory: sessionmaker[Session]) -> None:
    mine = complaint(factory, "kannel:1")
    told(factory, mine, timedelta(minutes=2), status="failed")
    with factory() as session:
        assert not sender.told_before(session, mine)
    told(factory, mine, timedelta(minutes=1))
    with factory() as session:
        assert sender.told_before(session, mine)
