"""The oversight figures' pre-aggregation: one row per complaint with the day each step
first happened, the agency it had then, its working-day durations and its SLA dates.

The figures (:mod:`gateway.oversight.compute`) count and take medians over these rows
with indexed range scans and GROUP BY, instead of reading every complaint's history.

A row is written with the complaint (``received``) and moved on in the same
transaction as each status event the gateway records (:func:`record`, called where
:mod:`gateway.storage.complaints` and :mod:`gateway.storage.submissions` write the
history). Applying an event is idempotent: a step keeps the earliest day it was
reached, so an event the feed repeats (or one applied twice) changes nothing.
:func:`gateway.oversight.rebuild.rebuild` recomputes every row from the status
history (``gateway oversight rebuild``), each step (and ``received``) under the agency
its first event recorded (``status_event.agency_code``, revision 0018), as the live
rows keep it; an event recorded before that revision gives the complaint's current one.

Days are dates in the tenant's zone (:mod:`gateway.domain.zones`); working days skip
weekends and Indonesian holidays (:mod:`gateway.calendar`). The SLA dates: verify by
``verify_days`` working days after submission, follow up by ``follow_up_days`` after
the first disposition, finish by ``auto_close_days`` after the first follow-up; a step
is *done* when it happens or the complaint is archived.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Column, Date, Index, bindparam, select, update
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel, col

from gateway.domain.sla import HolidayCalendar, SlaPolicy, add_working_days, is_working_day
from gateway.domain.zones import local, zone_or_wib
from gateway.oversight import monthly
from gateway.storage.models import Complaint

#: the forward chain's order (gateway.domain.status): reaching one reaches those before
LEVEL = {"submitted": 1, "verified": 2, "dispatched": 3, "in_progress": 4, "resolved": 5}
#: a figure's step -> the chain level that reaches it
STEP_LEVEL = {"verified": 2, "dispatched": 3, "followed_up": 4, "finished": 5}
#: a history note the feed's not-applied events carry (gateway.storage.complaints)
NOT_APPLIED = "not applied"


def _day() -> Any:
    return Field(default=None, sa_column=Column(Date, nullable=True))


class OversightFact(SQLModel, table=True):
    __tablename__ = "oversight_fact"
    __table_args__ = (
        Index("ix_oversight_received", "tenant", "received_day"),
        Index("ix_oversight_verified", "tenant", "verified_day"),
        Index("ix_oversight_dispatched", "tenant", "dispatched_day"),
        Index("ix_oversight_followed_up", "tenant", "followed_up_day"),
        Index("ix_oversight_finished", "tenant", "finished_day"),
        Index("ix_oversight_archived", "tenant", "archived_day"),
        Index("ix_oversight_verify_due", "tenant", "verify_due"),
        Index("ix_oversight_follow_up_due", "tenant", "follow_up_due"),
        Index("ix_oversight_finish_due", "tenant", "finish_due"),
    )

    complaint_id: str = Field(primary_key=True, max_length=36)
    tenant: str = Field(max_length=64)
    channel: str = Field(max_length=32)
    topic_id: int | None = None
    received_day: date = Field(sa_column=Column(Date, nullable=False))
    received_agency: str | None = Field(default=None, max_length=64)
    submitted_day: date | None = _day()
    verified_day: date | None = _day()
    verified_agency: str | None = Field(default=None, max_length=64)
    dispatched_day: date | None = _day()
    dispatched_agency: str | None = Field(default=None, max_length=64)
    followed_up_day: date | None = _day()
    followed_up_agency: str | None = Field(default=None, max_length=64)
    finished_day: date | None = _day()
    finished_agency: str | None = Field(default=None, max_length=64)
    archived_day: date | None = _day()
    archived_agency: str | None = Field(default=None, max_length=64)
    #: working days from received to the step (the day received itself never counts)
    days_to_verify: int | None = None
    days_to_follow_up: int | None = None
    days_to_finish: int | None = None
    verify_due: date | None = _day()
    verify_done: date | None = _day()
    follow_up_due: date | None = _day()
    follow_up_done: date | None = _day()
    finish_due: date | None = _day()
    finish_done: date | None = _day()


#: the row's dates: a change to one in a month that has ended drops that month's trend
DATES = (
    "received_day",
    "submitted_day",
    "verified_day",
    "dispatched_day",
    "followed_up_day",
    "finished_day",
    "archived_day",
    "verify_due",
    "verify_done",
    "follow_up_due",
    "follow_up_done",
    "finish_due",
    "finish_done",
)


def working_days_between(start: date, end: date, calendar: HolidayCalendar) -> int:
    """Working days after ``start`` up to and including ``end`` (0 for the same day)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day, calendar):
            count += 1
    return count


def local_day(moment: datetime, region_code: str) -> date:
    return local(moment, zone_or_wib(region_code)).date()


def new_fact(complaint: Complaint) -> OversightFact:
    return OversightFact(
        complaint_id=complaint.id,
        tenant=complaint.tenant,
        channel=complaint.channel,
        topic_id=complaint.topic_id,
        received_day=local_day(complaint.created_at, complaint.region_code),
        received_agency=complaint.agency_code,
    )


def fact_row(complaint: Mapping[str, Any]) -> dict[str, Any]:
    """The row of a complaint being inserted (a complaint table row, as intake writes it)."""
    return {
        "complaint_id": complaint["id"],
        "tenant": complaint["tenant"],
        "channel": complaint["channel"],
        "topic_id": complaint["topic_id"],
        "received_day": local_day(complaint["created_at"], complaint["region_code"]),
        "received_agency": complaint["agency_code"],
    }


def _reach(fact: OversightFact, step: str, day: date, agency: str | None) -> None:
    old = getattr(fact, f"{step}_day")
    if old is None or day < old:
        setattr(fact, f"{step}_day", day)
        if step != "submitted":
            setattr(fact, f"{step}_agency", agency)


def apply_event(
    fact: OversightFact,
    status: str,
    day: date,
    agency: str | None,
    calendar: HolidayCalendar,
    sla: SlaPolicy,
) -> None:
    """Move ``fact`` on by one history event (idempotent: the earliest day wins)."""
    level = LEVEL.get(status, 0)
    if level >= 1:
        _reach(fact, "submitted", day, agency)
    for step, needed in STEP_LEVEL.items():
        if level >= needed:
            _reach(fact, step, day, agency)
    if status == "rejected":
        _reach(fact, "archived", day, agency)
    derive(fact, calendar, sla)


def derive(fact: OversightFact, calendar: HolidayCalendar, sla: SlaPolicy) -> None:
    """The durations and SLA dates that follow from the step days."""
    received = fact.received_day
    for step, name in (
        ("verified", "days_to_verify"),
        ("followed_up", "days_to_follow_up"),
        ("finished", "days_to_finish"),
    ):
        day = getattr(fact, f"{step}_day")
        setattr(fact, name, None if day is None else working_days_between(received, day, calendar))

    def done(day: date | None) -> date | None:
        found = [d for d in (day, fact.archived_day) if d is not None]
        return min(found) if found else None

    def due(start: date | None, days: int) -> date | None:
        return None if start is None else add_working_days(start, days, calendar)

    fact.verify_due = due(fact.submitted_day, sla.verify_days)
    fact.verify_done = done(fact.verified_day)
    fact.follow_up_due = due(fact.dispatched_day, sla.follow_up_days)
    fact.follow_up_done = done(fact.followed_up_day)
    fact.finish_due = due(fact.followed_up_day, sla.auto_close_days)
    fact.finish_done = done(fact.finished_day)


def record(
    session: Session,
    complaint: Complaint,
    status: str,
    at: datetime,
    calendar: HolidayCalendar,
    sla: SlaPolicy,
) -> None:
    """The complaint reached ``status`` at ``at``: move its row on, in the caller's
    transaction, with the agency the complaint has now (after the event)."""
    fact = session.get(OversightFact, complaint.id)
    if fact is None:
        fact = new_fact(complaint)
        session.add(fact)
    before = {name: getattr(fact, name) for name in DATES}
    moved = fact.topic_id != complaint.topic_id
    fact.topic_id = complaint.topic_id
    day = local_day(at, complaint.region_code)
    apply_event(fact, status, day, complaint.agency_code, calendar, sla)
    after = {name: getattr(fact, name) for name in DATES}
    touched = touched_days(before, after, moved)
    if touched:
        # a late step in a month that has ended: its kept figures are computed again
        today = local_day(datetime.now(UTC), complaint.region_code)
        monthly.forget(session, complaint.tenant, touched, today)


#: each SLA's due date and the day its step was done
_DUE_DONE = (
    ("verify_due", "verify_done"),
    ("follow_up_due", "follow_up_done"),
    ("finish_due", "finish_done"),
)


def touched_days(
    before: Mapping[str, date | None], after: Mapping[str, date | None], moved: bool
) -> list[date]:
    """The days whose months' figures a change of a row's dates changes: every date
    changed, old and new; the due date of an SLA whose lateness changed (the step
    done by its due date after all); every date of a row moved to another topic."""
    if moved:
        return [d for d in (*before.values(), *after.values()) if d is not None]
    found = [
        value
        for name, old in before.items()
        if old != after[name]
        for value in (old, after[name])
        if value is not None
    ]
    for due, done in _DUE_DONE:
        late = [_late(row[due], row[done]) for row in (before, after)]
        if late[0] != late[1]:
            found += [d for d in (before[due], after[due]) if d is not None]
    return found


def _late(due: date | None, done: date | None) -> bool:
    return due is not None and (done is None or done > due)


def record_submitted_many(
    session: Session,
    submitted: Sequence[tuple[str, datetime]],
    calendar: HolidayCalendar,
    sla: SlaPolicy,
) -> None:
    """Many complaints were submitted (``(complaint_id, at)``): their submission day and
    verification due date, in two statements (the recorder's batches)."""
    if not submitted:
        return
    connection = session.connection()
    at_of = dict(submitted)
    query = (
        select(col(OversightFact.complaint_id), col(Complaint.tenant), col(Complaint.region_code))
        .join(Complaint, col(Complaint.id) == col(OversightFact.complaint_id))
        .where(
            col(OversightFact.complaint_id).in_(sorted(at_of)),
            col(OversightFact.submitted_day).is_(None),
        )
    )
    changes = []
    for complaint_id, tenant, region_code in connection.execute(query):
        day = local_day(at_of[complaint_id], region_code)
        due = add_working_days(day, sla.verify_days, calendar)
        today = local_day(datetime.now(UTC), region_code)
        monthly.forget(session, tenant, [day, due], today)
        changes.append(
            {
                "b_id": complaint_id,
                "submitted_day": day,
                "verify_due": due,
            }
        )
    if changes:
        by_id = col(OversightFact.complaint_id) == bindparam("b_id")
        connection.execute(update(OversightFact).where(by_id), changes)


def sla_of(tenant: Any) -> SlaPolicy:
    """A tenant's :class:`SlaPolicy` from its mapping's ``sla``."""
    sla = tenant.spec.sla
    return SlaPolicy(sla.verify_days, sla.follow_up_days, sla.auto_close_days)
