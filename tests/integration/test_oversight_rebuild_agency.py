"""The agency of each step in a rebuilt oversight row, on SQLite and PostgreSQL: the
history keeps the complaint's agency at each event (``status_event.agency_code``,
revision 0018), so ``gateway oversight rebuild`` counts a complaint moved from one
agency to another as the live rows do; history older than the revision falls back to
the complaint's current agency."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from alembic import command
from sqlalchemy import inspect, select, text, update
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from gateway.calendar import IndonesianCalendar
from gateway.domain.complaint import ComplaintDraft
from gateway.domain.sla import SlaPolicy
from gateway.migrations import alembic_config, current_revision, upgrade
from gateway.oversight.aggregate import OversightFact
from gateway.oversight.rebuild import rebuild
from gateway.ports import ChangeEvent
from gateway.storage.complaints import apply_change
from gateway.storage.engine import make_engine
from gateway.storage.intake import record_complaint
from gateway.storage.models import NO_AGENCY, StatusEvent
from gateway.storage.submissions import Submitted, mark_submitted_many
from tests import oversight_fixture as fx

STEPS = ("verified", "dispatched", "followed_up", "finished", "archived")


def store(
    factory: sessionmaker[Session],
    key: str,
    agency: str | None,
    feed: list[tuple[str, datetime, str | None]],
) -> str:
    """A complaint of ``sumbar`` taken in by intake under ``agency``, submitted by the
    recorder on 1 December, then the feed's events (each delivered twice)."""
    calendar, sla = IndonesianCalendar(), SlaPolicy()
    draft = ComplaintDraft(
        tenant="sumbar", channel="api", source_ref=key, title="Jalan rusak",
        content="Jalan rusak parah di Sijunjung.", region_code="13", topic_id=2,
        agency_code=agency,
    )  # fmt: skip
    complaint_id = record_complaint(factory, draft, "{}", "application/json").complaint_id
    tracking = f"LAPOR-{key}"
    with factory() as session, session.begin():
        mark_submitted_many(session, [Submitted(complaint_id, tracking, fx.at(1))], calendar, sla)
    for status, moment, code in feed:
        event = ChangeEvent(
            tracking, None, status, f"{status} {moment:%d %H} {code}", moment, agency_code=code
        )
        for _replay in range(2):
            with factory() as session, session.begin():
                apply_change(session, "sumbar", event, calendar, sla)
    return complaint_id


def agencies(factory: sessionmaker[Session], complaint_id: str) -> dict[str, Any]:
    with factory() as session:
        row = session.get(OversightFact, complaint_id)
        assert row is not None
        return {step: getattr(row, f"{step}_agency") for step in STEPS}


def row_of(factory: sessionmaker[Session], complaint_id: str) -> dict[str, Any]:
    """The row without ``received_agency`` (a rebuild takes the current agency there)."""
    with factory() as session:
        row = session.get(OversightFact, complaint_id)
        assert row is not None
        return {k: v for k, v in row.model_dump().items() if k != "received_agency"}


def history(factory: sessionmaker[Session], complaint_id: str) -> list[tuple[str, str | None]]:
    """(status, agency_code) of each history event, in the order recorded."""
    with factory() as session:
        query = (
            select(col(StatusEvent.status), col(StatusEvent.agency_code))
            .where(col(StatusEvent.complaint_id) == complaint_id)
            .order_by(col(StatusEvent.id))  # as recorded (intake's "received" is now)
        )
        return [(status, agency) for status, agency in session.execute(query)]


#: dispatched to PU on 3 December, moved to DIK on 7 (the feed names the new agency
#: with the same status), followed up on 8 and finished on 10 under DIK
MOVED = [
    (fx.V, fx.at(2), None),
    (fx.D, fx.at(3), fx.PU),
    (fx.D, fx.at(7), fx.DIK),
    (fx.P, fx.at(8), None),
    (fx.R, fx.at(10), None),
]


def test_a_complaint_moved_after_its_disposition_keeps_it_under_the_first_agency(
    factory: sessionmaker[Session],
) -> None:
    complaint_id = store(factory, "MOVED-1", fx.PU, MOVED)
    # every writer of the history keeps the agency the complaint had after the event:
    # intake, the recorder's batch submission and the feed
    assert history(factory, complaint_id) == [
        ("received", fx.PU),
        ("submitted", fx.PU),
        ("verified", fx.PU),
        ("dispatched", fx.PU),
        ("dispatched", fx.DIK),
        ("in_progress", fx.DIK),
        ("resolved", fx.DIK),
    ]
    expected = {
        "verified": fx.PU,
        "dispatched": fx.PU,
        "followed_up": fx.DIK,
        "finished": fx.DIK,
        "archived": None,
    }
    assert agencies(factory, complaint_id) == expected
    live = row_of(factory, complaint_id)
    assert rebuild(factory, fx.TENANTS, IndonesianCalendar()) == 1
    assert agencies(factory, complaint_id) == expected
    assert row_of(factory, complaint_id) == live


def test_a_step_reached_with_no_agency_stays_without_one_when_rebuilt(
    factory: sessionmaker[Session],
) -> None:
    """Intake routed it nowhere; verified without an agency, then dispatched to PU: the
    verification counts under no agency, live and rebuilt (not under PU, its agency now)."""
    feed = [(fx.V, fx.at(2), None), (fx.D, fx.at(3), fx.PU), (fx.X, fx.at(9), None)]
    complaint_id = store(factory, "NONE-1", None, feed)
    assert [agency for _status, agency in history(factory, complaint_id)] == [
        NO_AGENCY,
        NO_AGENCY,
        NO_AGENCY,
        fx.PU,
        fx.PU,
    ]
    expected = {
        "verified": None,
        "dispatched": fx.PU,
        "followed_up": None,
        "finished": None,
        "archived": fx.PU,
    }
    assert agencies(factory, complaint_id) == expected
    rebuild(factory, fx.TENANTS, IndonesianCalendar())
    assert agencies(factory, complaint_id) == expected


def test_two_events_at_the_same_moment_the_first_recorded_gives_the_agency(
    factory: sessionmaker[Session],
) -> None:
    """The feed dispatches to PU and, at the same second, to DIK: the live row keeps the
    first one applied, and so does the rebuild (events in (at, id) order)."""
    feed = [(fx.V, fx.at(2), None), (fx.D, fx.at(3), fx.PU), (fx.D, fx.at(3), fx.DIK)]
    complaint_id = store(factory, "TIE-1", fx.PU, feed)
    assert history(factory, complaint_id)[-2:] == [("dispatched", fx.PU), ("dispatched", fx.DIK)]
    assert agencies(factory, complaint_id)["dispatched"] == fx.PU
    live = row_of(factory, complaint_id)
    rebuild(factory, fx.TENANTS, IndonesianCalendar())
    assert agencies(factory, complaint_id)["dispatched"] == fx.PU
    assert row_of(factory, complaint_id) == live


def test_history_recorded_before_revision_0018_takes_the_current_agency(
    factory: sessionmaker[Session],
) -> None:
    """Events without an agency (NULL: recorded before the column existed) count under
    the complaint's agency now; a later event that has one still gives its own."""
    moved = store(factory, "MOVED-OLD", fx.PU, MOVED)
    # followed up under DIK on 8 December, handed back to PU on 9, finished by PU
    back = [*MOVED[:4], (fx.P, fx.at(9), fx.PU), (fx.R, fx.at(10), None)]
    partly = store(factory, "BACK-PART", fx.PU, back)
    with factory() as session, session.begin():
        session.execute(
            update(StatusEvent)
            .where(col(StatusEvent.complaint_id) == moved)
            .values(agency_code=None)
        )
        # only what came before the move to DIK predates the revision
        session.execute(
            update(StatusEvent)
            .where(col(StatusEvent.complaint_id) == partly, col(StatusEvent.at) < fx.at(7))
            .values(agency_code=None)
        )
    rebuild(factory, fx.TENANTS, IndonesianCalendar())
    # live: dispatched PU, followed up and finished DIK; now all under DIK, its agency now
    assert agencies(factory, moved) == {
        "verified": fx.DIK,
        "dispatched": fx.DIK,
        "followed_up": fx.DIK,
        "finished": fx.DIK,
        "archived": None,
    }
    # its agency now is PU; the follow-up's event (after the revision) says DIK
    assert agencies(factory, partly) == {
        "verified": fx.PU,
        "dispatched": fx.PU,
        "followed_up": fx.DIK,
        "finished": fx.PU,
        "archived": None,
    }


def test_migration_0018_adds_the_agency_and_leaves_older_history_without_one(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0017")
        now = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO status_event (complaint_id, status, source, at, recorded_at)"
                    " VALUES ('c1', 'received', 'gateway', :now, :now)"
                ),
                {"now": now},
            )
        upgrade(engine, "0018")
        assert current_revision(engine) == "0018"
        with engine.connect() as connection:
            row = connection.execute(
                text("SELECT status, agency_code FROM status_event WHERE complaint_id = 'c1'")
            ).one()
        assert tuple(row) == ("received", None)
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0017")
        columns = {c["name"] for c in inspect(engine).get_columns("status_event")}
        assert "agency_code" not in columns and "status" in columns
    finally:
        engine.dispose()
