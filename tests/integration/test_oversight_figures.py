"""The oversight figures of the hand-computed fixture (tests/oversight_fixture.py), on
SQLite and PostgreSQL: the total, every breakdown, the monthly trend, the drill-down
(the complaints behind each figure are exactly as many as the figure) and the rebuild
from the status history."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from gateway.calendar import IndonesianCalendar
from gateway.domain.sla import SlaPolicy
from gateway.oversight.compute import compute, drill, parse_period
from gateway.oversight.figures import STEPS, Counts, Drill, Oversight
from gateway.oversight.rebuild import rebuild
from tests import oversight_fixture as fx

OVER_SLA = ("over_sla_verify", "over_sla_follow_up", "over_sla_finish")


def figures(factory: sessionmaker[Session], key: str = fx.PERIOD) -> Oversight:
    period = parse_period(key, fx.TODAY)
    return compute(factory, fx.TENANTS, "sumbar", period, now=fx.NOW)


@pytest.fixture
def built(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    fx.build(factory)
    return factory


def as_dict(counts: Counts) -> dict[str, object]:
    return dataclasses.asdict(counts)


def test_the_total_and_every_breakdown(built: sessionmaker[Session]) -> None:
    result = figures(built)
    assert result.tenant_name == "Pemerintah Provinsi Sumatera Barat"
    assert result.tenants == ("sumbar", "padang", "sijunjung")
    assert result.zone == "WIB"
    assert result.period.label == "Desember 2026"
    assert as_dict(result.total) == fx.EXPECTED_TOTAL

    # the province first, then each child by name
    assert [row.key for row in result.by_region] == ["sumbar", "sijunjung", "padang"]
    assert [row.name for row in result.by_region][1:] == [
        "Pemerintah Kabupaten Sijunjung",
        "Pemerintah Kota Padang",
    ]
    for row in result.by_region:
        expected, active = fx.EXPECTED_REGIONS[row.key]
        assert (row.key, as_dict(row.counts)) == (row.key, expected)
        assert row.active is active, row.key

    assert [row.key for row in result.by_agency] == fx.EXPECTED_AGENCY_ORDER
    for row in result.by_agency:
        assert (row.key, as_dict(row.counts)) == (row.key, fx.EXPECTED_AGENCIES[row.key])
    names = {row.key: row.name for row in result.by_agency}
    assert names[fx.PU] == "Dinas Bina Marga, Cipta Karya dan Tata Ruang Provinsi Sumatera Barat"
    assert names[fx.SJ] == fx.SJ_NAME  # not in the catalogue: the name the feed gave
    assert names[""] == "Belum ditentukan"

    assert {row.key for row in result.by_channel} == set(fx.EXPECTED_CHANNELS)
    for row in result.by_channel:
        assert (row.key, as_dict(row.counts)) == (row.key, fx.EXPECTED_CHANNELS[row.key])
    assert {row.key: row.name for row in result.by_channel}["webform"] == "Formulir web"

    assert {row.key for row in result.by_topic} == set(fx.EXPECTED_TOPICS)
    for row in result.by_topic:
        assert (row.key, as_dict(row.counts)) == (row.key, fx.EXPECTED_TOPICS[row.key])
    assert {row.key: row.name for row in result.by_topic}["2"] == "Jalan Rusak"

    assert set(result.definitions) == set(result.definitions_en)
    assert {f.name for f in dataclasses.fields(Counts)} <= set(result.definitions)


def test_the_monthly_trend_and_other_periods(built: sessionmaker[Session]) -> None:
    result = figures(built)
    assert [m.key for m in result.monthly] == [f"2026-{m:02d}" for m in range(1, 13)]
    assert result.monthly[-1].label == "Des 2026"
    assert as_dict(result.monthly[-1].counts) == fx.EXPECTED_TOTAL
    assert as_dict(result.monthly[-2].counts) == fx.EXPECTED_NOVEMBER
    assert all(m.counts.received == 0 for m in result.monthly[:-2])

    assert as_dict(figures(built, "2026-11").total) == fx.EXPECTED_NOVEMBER
    quarter = figures(built, "2026-Q4")
    assert quarter.period.label == "Triwulan IV 2026"
    assert (quarter.total.received, quarter.total.verified) == (
        fx.EXPECTED_Q4_RECEIVED,
        fx.EXPECTED_Q4_VERIFIED,
    )
    # a regency sees only its own
    own = compute(built, fx.TENANTS, "sijunjung", parse_period("2026-12", fx.TODAY), now=fx.NOW)
    assert own.tenants == ("sijunjung",)
    assert as_dict(own.total) == fx.EXPECTED_REGIONS["sijunjung"][0]


@pytest.mark.parametrize(
    "key",
    [
        fx.PERIOD, "2026-11", "2026-Q4", "2026", "2026-11-20..2026-12-10",
        "2026-10-15..2026-12-10", "2026-11-01..2026-12-10", "2026-11-20..2026-12-31",
    ],
)  # fmt: skip
def test_every_figure_drills_down_to_as_many_complaints(
    built: sessionmaker[Session], key: str
) -> None:
    """Every figure of a month, a quarter, the year (summed from kept months, the
    second time) and a range of dates (its whole months kept, the pieces at its ends
    counted from the rows) equals the number of
    complaints its drill-down lists from the rows; the rates' numerators too."""
    first = figures(built, key)  # the ended months computed, then kept
    result = figures(built, key)  # read back from the kept months
    assert result == first

    def check(counts: Counts, **where: object) -> None:
        for step in (*STEPS, *OVER_SLA):
            target = Drill("sumbar", key, step, **where)  # type: ignore[arg-type]
            total, page = drill(built, fx.TENANTS, target, limit=100, now=fx.NOW)
            assert total == getattr(counts, step), (step, where)
            assert len(page) == total, (step, where)
        for step, rate in (
            ("followed_up_by_end", "follow_up_rate"),
            ("finished_by_end", "finish_rate"),
        ):
            target = Drill("sumbar", key, step, **where)  # type: ignore[arg-type]
            total, _page = drill(built, fx.TENANTS, target, limit=1, now=fx.NOW)
            share = getattr(counts, rate)
            assert (round(share * counts.received) if share is not None else 0) == total, (
                step, where
            )  # fmt: skip

    check(result.total)
    for row in result.by_region:
        check(row.counts, region=row.key)
    for row in result.by_agency:
        check(row.counts, agency=row.key)
    for row in result.by_channel:
        check(row.counts, channel=row.key)
    for row in result.by_topic:
        check(row.counts, topic=int(row.key))
    if key != fx.PERIOD:
        return

    # the complaints themselves: December's archived ones, newest first
    _total, page = drill(built, fx.TENANTS, Drill("sumbar", fx.PERIOD, "archived"), now=fx.NOW)
    assert [c.source_ref for c in page] == ["P3", "J3", "S4"]
    # a sibling is never reached through another tenant's drill
    outside = Drill("sijunjung", fx.PERIOD, "received", region="padang")
    assert drill(built, fx.TENANTS, outside, now=fx.NOW)[0] == 0


def test_a_rebuild_from_the_history_gives_the_same_figures(built: sessionmaker[Session]) -> None:
    live = figures(built)
    assert rebuild(built, fx.TENANTS, IndonesianCalendar()) == len(fx.CASES)
    again = figures(built)
    assert again.total == live.total
    assert again.by_region == live.by_region
    assert again.by_channel == live.by_channel
    assert again.by_topic == live.by_topic
    # the history keeps the agency each step had: S3, first dispatched to PU, then
    # moved to DIK, counts its disposition under PU after a rebuild too
    assert again.by_agency == live.by_agency


@pytest.mark.parametrize(
    ("key", "start", "end", "label"),
    [
        ("2026-11", date(2026, 11, 1), date(2026, 11, 30), "November 2026"),
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31), "Triwulan IV 2026"),
        ("2024-q1", date(2024, 1, 1), date(2024, 3, 31), "Triwulan I 2024"),
        ("2026", date(2026, 1, 1), date(2026, 12, 31), "2026"),
        ("2026-11-01..2026-11-15", date(2026, 11, 1), date(2026, 11, 15), "1-15 November 2026"),
        ("2026-10-28..2026-11-03", date(2026, 10, 28), date(2026, 11, 3),
         "28 Oktober - 3 November 2026"),
        ("", date(2026, 12, 1), date(2026, 12, 31), "Desember 2026"),
    ],
)  # fmt: skip
def test_periods(key: str, start: date, end: date, label: str) -> None:
    period = parse_period(key, date(2026, 12, 2))
    assert (period.start, period.end, period.label) == (start, end, label)
    assert parse_period(period.key, date(2026, 12, 2)) == period


@pytest.mark.parametrize("key", ["2026-13", "2026-Q5", "Nov 2026", "2026-11-15..2026-11-01"])
def test_a_period_not_understood_is_named(key: str) -> None:
    with pytest.raises(ValueError, match=re.escape(repr(key))):
        parse_period(key, date(2026, 12, 2))


def test_the_live_rows_follow_intake_the_recorder_and_the_feed(
    factory: sessionmaker[Session],
) -> None:
    """A complaint stored by intake has its row at once; the recorder's batch submission
    and each feed event move it on in their own transactions, a repeated event changes
    nothing, and the row equals the one rebuilt from the history."""
    from gateway.domain.complaint import ComplaintDraft
    from gateway.oversight.aggregate import OversightFact
    from gateway.ports import ChangeEvent
    from gateway.storage.complaints import apply_change
    from gateway.storage.intake import record_complaint
    from gateway.storage.submissions import Submitted, mark_submitted_many

    calendar, sla = IndonesianCalendar(), aggregate_sla()
    draft = ComplaintDraft(
        tenant="sumbar",
        channel="api",
        source_ref="LIVE-1",
        title="Jalan rusak",
        content="Jalan rusak parah di Sijunjung.",
        region_code="13",
        topic_id=2,
        agency_code=fx.PU,
    )
    complaint_id = record_complaint(factory, draft, "{}", "application/json").complaint_id
    with factory() as session:
        row = session.get(OversightFact, complaint_id)
        assert row is not None and row.received_agency == fx.PU and row.submitted_day is None
    with factory() as session, session.begin():
        mark_submitted_many(session, [Submitted(complaint_id, "LAPOR-L1", fx.at(1))], calendar, sla)
    event = ChangeEvent("LAPOR-L1", None, "terdisposisi", None, fx.at(2), agency_code=fx.DIK)
    for _replay in range(2):
        with factory() as session, session.begin():
            apply_change(session, "sumbar", event, calendar, sla)
    with factory() as session:
        row = session.get(OversightFact, complaint_id)
        assert row is not None
        assert (row.submitted_day, row.verify_due) == (date(2026, 12, 1), date(2026, 12, 4))
        assert (row.verified_day, row.dispatched_day) == (date(2026, 12, 2), date(2026, 12, 2))
        assert (row.dispatched_agency, row.follow_up_due) == (fx.DIK, date(2026, 12, 9))
        assert row.days_to_verify is not None  # stored now, so no earlier than its steps
        live = {k: v for k, v in row.model_dump().items() if k != "received_agency"}
    rebuild(factory, fx.TENANTS, calendar)
    with factory() as session:
        again = session.get(OversightFact, complaint_id)
        assert again is not None
        assert {k: v for k, v in again.model_dump().items() if k != "received_agency"} == live


def test_a_step_dated_before_the_day_received_counts_zero_days_live_and_rebuilt(
    factory: sessionmaker[Session],
) -> None:
    """The registry's clock may put a step before the gateway's own day received (a
    complaint stored just after midnight, verified by a clock a few minutes behind):
    its duration is 0 working days, not -1, in the live row and in the rebuilt one."""
    from sqlalchemy import update

    from gateway.domain.complaint import ComplaintDraft
    from gateway.oversight.aggregate import OversightFact
    from gateway.ports import ChangeEvent
    from gateway.storage.complaints import apply_change
    from gateway.storage.intake import record_complaint
    from gateway.storage.models import Complaint
    from gateway.storage.submissions import Submitted, mark_submitted_many

    calendar, sla = IndonesianCalendar(), aggregate_sla()
    draft = ComplaintDraft(
        tenant="sumbar", channel="api", source_ref="SKEW-1", title="Jalan rusak",
        content="Jalan rusak parah.", region_code="13", topic_id=2, agency_code=fx.PU,
    )  # fmt: skip
    complaint_id = record_complaint(factory, draft, "{}", "application/json").complaint_id
    received = fx.at(3, hour=0)  # 00:00 WIB on 3 December
    with factory() as session, session.begin():
        session.execute(
            update(Complaint).where(col(Complaint.id) == complaint_id).values(created_at=received)
        )
        session.execute(
            update(OversightFact)
            .where(col(OversightFact.complaint_id) == complaint_id)
            .values(received_day=date(2026, 12, 3))
        )
        mark_submitted_many(session, [Submitted(complaint_id, "LAPOR-S1", fx.at(2))], calendar, sla)
    event = ChangeEvent("LAPOR-S1", None, "terverifikasi", None, fx.at(2, hour=23))
    with factory() as session, session.begin():
        apply_change(session, "sumbar", event, calendar, sla)
    with factory() as session:
        row = session.get(OversightFact, complaint_id)
        assert row is not None and row.verified_day == date(2026, 12, 2)
        assert row.days_to_verify == 0
    rebuild(factory, fx.TENANTS, calendar)
    with factory() as session:
        again = session.get(OversightFact, complaint_id)
        assert again is not None and again.received_day == date(2026, 12, 3)
        assert again.days_to_verify == 0


def aggregate_sla() -> SlaPolicy:
    return SlaPolicy()


def test_gateway_oversight_rebuild_in_a_shell(tmp_path: Path) -> None:
    """``gateway oversight rebuild`` recomputes the rows (here: lost ones)."""
    import os
    import subprocess

    from gateway.migrations import upgrade
    from gateway.oversight.aggregate import OversightFact
    from gateway.storage.engine import make_engine, make_session_factory
    from tests.support import ROOT, TENANT_ENV, python, scaled

    url = f"sqlite:///{tmp_path / 'gw.db'}"
    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    fx.build(factory)
    before = figures(factory)
    with factory() as session, session.begin():
        session.execute(OversightFact.__table__.delete())  # type: ignore[attr-defined]
    # pieces of months are counted from the rows (a whole month that has ended is kept)
    assert figures(factory, "2026-11-30..2026-12-30").total.received == 0
    env = {
        **TENANT_ENV,
        "GATEWAY_DATABASE_URL": url,
        "GATEWAY_MAPPINGS_DIR": str(ROOT / "mappings"),
    }
    done = subprocess.run(
        [python(), "-m", "gateway", "oversight", "rebuild"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=scaled(60),
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert f"{len(fx.CASES)} pengaduan dihitung ulang" in done.stdout
    assert figures(factory).total == before.total
    engine.dispose()


def test_a_late_step_in_a_month_that_has_ended_updates_its_kept_trend(
    built: sessionmaker[Session],
) -> None:
    """The trend keeps the totals of months that have ended (oversight_month); a step
    recorded later with a day in such a month drops it, so the trend shows the step."""
    from gateway.oversight.monthly import OversightMonth, OversightMonthState
    from gateway.ports import ChangeEvent
    from gateway.storage.complaints import apply_change

    assert figures(built).monthly[-2].counts.finished == 0  # November, now kept
    with built() as session:
        kept = session.scalars(
            select(OversightMonth).where(col(OversightMonth.month) == "2026-11")
        ).all()
        assert {row.tenant for row in kept} == {"sumbar", "sijunjung"}  # Padang: none
        states = session.scalars(
            select(OversightMonthState).where(col(OversightMonthState.month) == "2026-11")
        ).all()
        assert {(s.tenant, s.kept) for s in states} == {
            ("sumbar", True), ("sijunjung", True), ("padang", True)
        }  # fmt: skip
        assert not [r for r in kept if r.tenant == "sijunjung" and r.measure == "finished"]
    # the feed catches up: J2 was finished on 30 November (a late, out-of-order event)
    event = ChangeEvent("LAPOR-J2", None, "selesai", "selesai", fx.at(30, month=11))
    with built() as session, session.begin():
        assert apply_change(session, "sijunjung", event, IndonesianCalendar(), SlaPolicy()) == (
            "applied"
        )
    after = figures(built)
    assert after.monthly[-2].counts.finished == 1
    assert figures(built, "2026-11").total.finished == 1
