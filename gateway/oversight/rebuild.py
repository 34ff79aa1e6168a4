"""Rebuilding the oversight rows (:mod:`gateway.oversight.aggregate`) from the status
history: after upgrading to the revision that added them, or to check the live rows.

On PostgreSQL one INSERT ... SELECT does it (the first event reaching each step per
complaint, dates in the zone of the complaint's province, working days from a
temporary table of the calendar's working-day numbers): about a minute for a million
complaints. Elsewhere each complaint's history is folded in Python
(:func:`rebuild_one`, the same steps the live rows take). Either way a step's agency is
the one its first event recorded (``status_event.agency_code``, revision 0018), as the
live row took it; an event recorded before that revision has none, and the step takes
the complaint's current agency.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from gateway.domain.sla import HolidayCalendar, SlaPolicy, is_working_day
from gateway.domain.zones import PROVINCE_ZONES
from gateway.oversight import monthly
from gateway.oversight.aggregate import (
    NOT_APPLIED,
    OversightFact,
    apply_event,
    derive,
    local_day,
    new_fact,
    sla_of,
)
from gateway.storage.models import NO_AGENCY, Complaint, StatusEvent

#: the statuses that reach each step (the forward chain: a later step reaches it too)
_REACHING = {
    "submitted": ("submitted", "verified", "dispatched", "in_progress", "resolved"),
    "verified": ("verified", "dispatched", "in_progress", "resolved"),
    "dispatched": ("dispatched", "in_progress", "resolved"),
    "followed_up": ("in_progress", "resolved"),
    "finished": ("resolved",),
    "archived": ("rejected",),
}
#: the steps with an agency (a submission has none)
_STEPS = tuple(step for step in _REACHING if step != "submitted")
#: working days a due date may lie after the last event (the mapping allows up to 60)
_AHEAD = timedelta(days=120)


def rebuild(
    factory: sessionmaker[Session],
    tenants: Mapping[str, Any],
    calendar: HolidayCalendar,
    *,
    batch: int = 2000,
) -> int:
    """Recompute every complaint's row from the status history; how many rows."""
    with factory() as session, session.begin():
        session.execute(OversightFact.__table__.delete())  # type: ignore[attr-defined]
        monthly.forget_all(session)
        if session.get_bind().dialect.name == "postgresql":
            return _rebuild_postgres(session, tenants, calendar)
    return _rebuild_batches(factory, tenants, calendar, batch)


def rebuild_one(
    complaint: Complaint,
    events: Iterable[StatusEvent],
    calendar: HolidayCalendar,
    sla: SlaPolicy,
) -> OversightFact:
    """A complaint's row from its history: each step on the day of the first event
    reaching it, under the agency that event recorded (:func:`agency_of`)."""
    fact = new_fact(complaint)
    ordered = sorted(events, key=lambda e: (e.at, e.id or 0))
    received = [e for e in ordered if e.status == "received"]
    if received:
        fact.received_agency = agency_of(received[0].agency_code, complaint.agency_code)
    for event in ordered:
        if event.note and event.note.startswith(NOT_APPLIED):
            continue
        day = local_day(event.at, complaint.region_code)
        agency = agency_of(event.agency_code, complaint.agency_code)
        apply_event(fact, event.status, day, agency, calendar, sla)
    derive(fact, calendar, sla)
    return fact


def agency_of(recorded: str | None, current: str | None) -> str | None:
    """A step's agency from its event's ``agency_code``: none for ``NO_AGENCY``, the
    complaint's current one for an event recorded before revision 0018 (NULL)."""
    if recorded is None:
        return current
    return recorded if recorded != NO_AGENCY else None


def _rebuild_batches(
    factory: sessionmaker[Session],
    tenants: Mapping[str, Any],
    calendar: HolidayCalendar,
    batch: int,
) -> int:
    done, last = 0, ""
    while True:
        with factory() as session, session.begin():
            complaints = list(
                session.scalars(
                    select(Complaint)
                    .where(col(Complaint.id) > last)
                    .order_by(col(Complaint.id))
                    .limit(batch)
                )
            )
            if not complaints:
                return done
            ids = [c.id for c in complaints]
            history: dict[str, list[StatusEvent]] = {i: [] for i in ids}
            for event in session.scalars(
                select(StatusEvent).where(col(StatusEvent.complaint_id).in_(ids))
            ):
                history[event.complaint_id].append(event)
            for complaint in complaints:
                tenant = tenants.get(complaint.tenant)
                sla = sla_of(tenant) if tenant is not None else SlaPolicy()
                session.add(rebuild_one(complaint, history[complaint.id], calendar, sla))
            done += len(complaints)
            last = ids[-1]


def working_day_numbers(first: date, last: date, calendar: HolidayCalendar) -> list[dict[str, Any]]:
    """Each day from ``first`` to ``last`` with how many working days there are from
    ``first`` up to it: ``n(b) - n(a)`` working days after ``a`` up to ``b``."""
    rows, n, day = [], 0, first
    while day <= last:
        working = is_working_day(day, calendar)
        n += working
        rows.append({"day": day, "n": n, "working": working})
        day += timedelta(days=1)
    return rows


def _first(step: str) -> str:
    """The moment of the first event reaching ``step`` and the agency it recorded (the
    first by (at, id): :func:`rebuild_one`'s order; NULL before revision 0018)."""
    reaching = f"FILTER (WHERE status IN ({', '.join(repr(s) for s in _REACHING[step])}))"
    first = f"min(at) {reaching} AS {step}"
    if step not in _STEPS:
        return first
    return f"{first}, (array_agg(agency_code ORDER BY at, id) {reaching})[1] AS {step}_agency"


def _agency(step: str) -> str:
    """:func:`agency_of` in SQL, for a step reached (NULL for one not reached)."""
    return (
        f"CASE WHEN d.{step} IS NULL THEN NULL WHEN d.{step}_agency IS NULL THEN d.agency "
        f"ELSE nullif(d.{step}_agency, '{NO_AGENCY}') END"
    )


#: a complaint's zone: its province's, WIB (the registry's) for a code in no province
_ZONE = "coalesce(z.zone, 'Asia/Jakarta')"
#: working days from received to each step, 0 for a step the registry dates before it
_DURATIONS = ", ".join(
    f"CASE WHEN {w}.n >= wr.n THEN {w}.n - wr.n WHEN {w}.n IS NOT NULL THEN 0 END"
    for w in ("wv", "wf", "wx")
)
_FIRSTS = ",\n        ".join(
    [
        *(_first(step) for step in _REACHING),
        "(array_agg(agency_code ORDER BY at, id) FILTER (WHERE status = 'received'))[1]"
        " AS received_agency",
    ]
)
_STEP_DAYS = ", ".join(f"(ev.{step} AT TIME ZONE {_ZONE})::date AS {step}" for step in _REACHING)
_STEP_AGENCIES = ", ".join(f"ev.{step}_agency" for step in _STEPS)
_STEP_COLUMNS = ",\n    ".join(f"d.{step}, {_agency(step)}" for step in _STEPS)
# built from constants only (the steps, statuses and zone expression above)
_INSERT = f"""
INSERT INTO oversight_fact (
    complaint_id, tenant, channel, topic_id, received_day, received_agency, submitted_day,
    verified_day, verified_agency, dispatched_day, dispatched_agency,
    followed_up_day, followed_up_agency, finished_day, finished_agency,
    archived_day, archived_agency, days_to_verify, days_to_follow_up, days_to_finish,
    verify_due, verify_done, follow_up_due, follow_up_done, finish_due, finish_done)
WITH ev AS (
    SELECT complaint_id,
        {_FIRSTS}
    FROM status_event
    WHERE note IS NULL OR note NOT LIKE '{NOT_APPLIED}%'
    GROUP BY complaint_id
), d AS (
    SELECT c.id, c.tenant, c.channel, c.topic_id, c.agency_code AS agency,
        coalesce(s.verify_days, 3) AS vd, coalesce(s.follow_up_days, 5) AS fd,
        coalesce(s.auto_close_days, 10) AS ad,
        (c.created_at AT TIME ZONE {_ZONE})::date AS received,
        {_STEP_DAYS},
        {_STEP_AGENCIES},
        CASE WHEN ev.received_agency IS NULL THEN c.agency_code
             ELSE nullif(ev.received_agency, '{NO_AGENCY}') END AS received_agency
    FROM complaint c
    JOIN ev ON ev.complaint_id = c.id
    LEFT JOIN oversight_sla s ON s.tenant = c.tenant
    LEFT JOIN oversight_zone z ON z.province = left(trim(c.region_code), 2)
)
SELECT d.id, d.tenant, d.channel, d.topic_id, d.received, d.received_agency, d.submitted,
    {_STEP_COLUMNS},
    {_DURATIONS},
    vdue.day, least(d.verified, d.archived),
    fdue.day, least(d.followed_up, d.archived),
    xdue.day, least(d.finished, d.archived)
FROM d
JOIN oversight_wd wr ON wr.day = d.received
LEFT JOIN oversight_wd ws ON ws.day = d.submitted
LEFT JOIN oversight_wd wv ON wv.day = d.verified
LEFT JOIN oversight_wd wd ON wd.day = d.dispatched
LEFT JOIN oversight_wd wf ON wf.day = d.followed_up
LEFT JOIN oversight_wd wx ON wx.day = d.finished
LEFT JOIN oversight_wd vdue ON vdue.working AND vdue.n = ws.n + d.vd
LEFT JOIN oversight_wd fdue ON fdue.working AND fdue.n = wd.n + d.fd
LEFT JOIN oversight_wd xdue ON xdue.working AND xdue.n = wf.n + d.ad
ORDER BY d.received
"""  # noqa: S608

_RECEIVED_ONLY = f"""
INSERT INTO oversight_fact (complaint_id, tenant, channel, topic_id, received_day,
    received_agency)
SELECT c.id, c.tenant, c.channel, c.topic_id, (c.created_at AT TIME ZONE {_ZONE})::date,
    c.agency_code
FROM complaint c
LEFT JOIN oversight_zone z ON z.province = left(trim(c.region_code), 2)
WHERE NOT EXISTS (SELECT 1 FROM oversight_fact f WHERE f.complaint_id = c.id)
"""  # noqa: S608


def _rebuild_postgres(
    session: Session, tenants: Mapping[str, Any], calendar: HolidayCalendar
) -> int:
    first = session.scalar(select(func.min(col(Complaint.created_at))))
    last = session.scalar(select(func.max(col(StatusEvent.at))))
    if first is None:
        return 0
    last = max(last or first, first)
    for table in (
        "oversight_wd (day date PRIMARY KEY, n int, working bool)",
        "oversight_sla (tenant text PRIMARY KEY, verify_days int, follow_up_days int, "
        "auto_close_days int)",
        "oversight_zone (province text PRIMARY KEY, zone text)",
    ):
        session.execute(text(f"CREATE TEMP TABLE {table} ON COMMIT DROP"))
    # a day's date in any zone lies within a day of its UTC date
    days = working_day_numbers(first.date() - timedelta(days=2), last.date() + _AHEAD, calendar)
    session.execute(text("INSERT INTO oversight_wd VALUES (:day, :n, :working)"), days)
    slas = [
        {"tenant": tid, "v": s.verify_days, "f": s.follow_up_days, "a": s.auto_close_days}
        for tid, tenant in tenants.items()
        for s in [sla_of(tenant)]
    ]
    if slas:
        session.execute(text("INSERT INTO oversight_sla VALUES (:tenant, :v, :f, :a)"), slas)
    zones = [{"p": p, "z": z.name} for p, z in PROVINCE_ZONES.items()]
    session.execute(text("INSERT INTO oversight_zone VALUES (:p, :z)"), zones)
    session.execute(text("CREATE INDEX ON oversight_wd (n) WHERE working"))
    session.execute(text("ANALYZE oversight_wd"))
    session.execute(text(_INSERT))
    session.execute(text(_RECEIVED_ONLY))
    return session.scalar(select(func.count()).select_from(OversightFact)) or 0
