"""What the database says about the sender of an SMS, read in the caller's transaction:
their complaints (open ones, the answer to ``STATUS``), the status messages they got,
and a text they sent before; and the lock that has one number's SMS read one at a time.

A sender is an E.164 number; their complaints are the tenant's complaints with that
``reporter_phone``, whatever channel brought them (a complaint filed by the call
centre for the same number is theirs too). A status message is an SMS the gateway
sent about a complaint (``sms_outbound`` with a ``complaint_id``, not failed: the
tracking ID, every status change); command answers carry none.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlmodel import SQLModel, col

from adapters.sms.reading import Facts, Target
from adapters.sms.settings import CHANNEL
from adapters.sms.texts import say
from gateway.domain.dates import stored_utc
from gateway.domain.status import is_finished, status_words
from gateway.storage.models import ChatSession, Complaint, SmsOutbound
from gateway.storage.repeats import find_repeat

#: a text this soon after a status message may be about it (thanks, more)
AFTER_STATUS = timedelta(days=3)
#: the sender's newest complaints looked at for an open one
RECENT = 20
#: complaints listed by ``STATUS`` without an ID
LISTED = 3


def facts(session: Session, tenant: str, phone: str, text: str | None, now: datetime) -> Facts:
    """What is known about ``phone`` when it sends ``text`` (None: a command, no
    repeat to look for) at ``now`` (aware)."""
    recent = list(
        session.execute(
            select(col(Complaint.id), col(Complaint.tracking_id), col(Complaint.status))
            .where(col(Complaint.tenant) == tenant, col(Complaint.reporter_phone) == phone)
            .order_by(col(Complaint.created_at).desc())
            .limit(RECENT)
        )
    )
    unfinished = [Target(c.id, c.tracking_id) for c in recent if not is_finished(c.status)]
    last = session.execute(
        select(col(SmsOutbound.complaint_id), col(SmsOutbound.created_at))
        .where(
            col(SmsOutbound.tenant) == tenant,
            col(SmsOutbound.channel) == CHANNEL,
            col(SmsOutbound.to_number) == phone,
            col(SmsOutbound.complaint_id).is_not(None),
            col(SmsOutbound.status) != "failed",  # never reached the phone
        )
        .order_by(col(SmsOutbound.created_at).desc())
        .limit(1)
    ).first()
    after = last is not None and now - stored_utc(last.created_at) <= AFTER_STATUS
    target = unfinished[0] if unfinished else None
    if after and last is not None:
        # "more" after a status message is about that message's complaint, if it is open
        target = next((t for t in unfinished if t.complaint_id == last.complaint_id), target)
    repeat = find_repeat(session, tenant, CHANNEL, phone, text, now) if text else None
    return Facts(open_complaint=bool(unfinished), after_status=after, target=target, repeat=repeat)


def status_answer(
    session: Session, tenant: str, phone: str, tracking_id: str | None, lang: str
) -> str:
    """The answer to ``STATUS`` (the sender's latest complaints) or ``STATUS <ID>``."""
    query = select(Complaint).where(
        col(Complaint.tenant) == tenant, col(Complaint.reporter_phone) == phone
    )
    if tracking_id:
        found = session.scalars(query.where(col(Complaint.tracking_id) == tracking_id)).first()
        if found is None:
            return say("not_found", lang, ref=tracking_id)
        return say(
            "detail",
            lang,
            ref=found.tracking_id,
            status=status_words(found.status, lang),
            agency=found.agency_name or "-",
            response=found.last_response or "-",
        )
    latest = list(session.scalars(query.order_by(col(Complaint.created_at).desc()).limit(LISTED)))
    if not latest:
        return say("no_reports", lang)
    return "; ".join(
        say(
            "report_line",
            lang,
            ref=c.tracking_id or say("pending", lang),
            status=status_words(c.status, lang),
        )
        for c in latest
    )


def hold(session: Session, tenant: str, phone: str) -> None:
    """Lock the number's ``chat_session`` row (made if missing) until the transaction
    ends: two SMS of one number (the same text sent twice at once) are read one after
    the other, so the second sees the first's complaint. SQLite's BEGIN IMMEDIATE
    serialises anyway; PostgreSQL needs the row."""
    table = SQLModel.metadata.tables[str(ChatSession.__tablename__)]
    values = {
        "tenant": tenant,
        "channel": CHANNEL,
        "chat_id": phone,
        "language": "id",
        "state": "{}",
        "updated_at": datetime.now(UTC),
    }
    dialect = session.get_bind().dialect.name
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(make(table).values(**values).on_conflict_do_nothing())
    session.get(ChatSession, (tenant, CHANNEL, phone), with_for_update=True)


def told_before(session: Session, complaint_id: str) -> bool:
    """Whether an SMS about ``complaint_id`` has already gone out (or is going)."""
    found = session.scalar(
        select(col(SmsOutbound.id))
        .where(col(SmsOutbound.complaint_id) == complaint_id, col(SmsOutbound.status) != "failed")
        .limit(1)
    )
    return found is not None
