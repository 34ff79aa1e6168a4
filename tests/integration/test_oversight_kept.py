"""The kept months of the oversight figures (gateway.oversight.monthly) and late steps
racing with them, on SQLite and PostgreSQL, with the hand-computed fixture
(tests/oversight_fixture.py): a late step landing while a month's figures are being
kept, or while kept figures are being read, never leaves stale figures behind."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from gateway.calendar import IndonesianCalendar
from gateway.domain.sla import SlaPolicy
from gateway.oversight import cube, monthly
from gateway.oversight.compute import compute, parse_period
from gateway.oversight.figures import Oversight
from gateway.oversight.monthly import OversightMonthState
from gateway.oversight.rebuild import rebuild
from tests import oversight_fixture as fx


@pytest.fixture
def built(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    fx.build(factory)
    return factory


def figures(factory: sessionmaker[Session], key: str) -> Oversight:
    return compute(factory, fx.TENANTS, "sumbar", parse_period(key, fx.TODAY), now=fx.NOW)


def late_step(factory: sessionmaker[Session]) -> None:
    """The feed catches up: J2 (Sijunjung) was finished on 30 November."""
    from gateway.ports import ChangeEvent
    from gateway.storage.complaints import apply_change

    event = ChangeEvent("LAPOR-J2", None, "selesai", "selesai", fx.at(30, month=11))
    with factory() as session, session.begin():
        outcome = apply_change(session, "sijunjung", event, IndonesianCalendar(), SlaPolicy())
        assert outcome == "applied"


def state(factory: sessionmaker[Session], tenant: str, month: str) -> tuple[int, bool]:
    with factory() as session:
        found = session.get(OversightMonthState, (tenant, month))
        return (found.version, found.kept) if found is not None else (0, False)


def test_a_late_step_while_a_month_is_being_kept_is_not_lost(
    built: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_keep = monthly.keep

    def keep_after_a_late_step(factory: Any, read: Any, rows: Any) -> Any:
        late_step(factory)  # after November's figures were read, before they are kept
        return real_keep(factory, read, rows)

    version = state(built, "sijunjung", "2026-11")[0]
    monkeypatch.setattr(monthly, "keep", keep_after_a_late_step)
    assert figures(built, "2026-11").total.finished == 0  # as read: before the step
    monkeypatch.undo()
    # Sijunjung's November moved on while it was being kept: not kept; the others are
    assert state(built, "sijunjung", "2026-11") == (version + 1, False)
    assert state(built, "sumbar", "2026-11")[1] is True
    assert figures(built, "2026-11").total.finished == 1
    assert state(built, "sijunjung", "2026-11") == (version + 1, True)


def test_a_late_step_while_kept_figures_are_read_is_counted_at_once(
    built: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    finished = figures(built, "2026-Q4").total.finished
    assert state(built, "sijunjung", "2026-11")[1] is True
    real_run_all = cube.run_all
    calls = []

    def read_then_a_late_step(*args: Any) -> Any:
        found = real_run_all(*args)
        calls.append(len(found))
        if len(calls) == 1:
            late_step(built)  # lands after the kept months were read
        return found

    monkeypatch.setattr(cube, "run_all", read_then_a_late_step)
    # the same view sees November's version move, reads again, and counts the step
    assert figures(built, "2026-Q4").total.finished == finished + 1
    assert len(calls) == 3  # read, November computed again (and kept), read


def test_a_late_step_drops_only_the_months_it_changes(built: sessionmaker[Session]) -> None:
    figures(built, "2026")
    before = {t: state(built, t, "2026-11") for t in fx.TENANTS}
    late_step(built)
    after = {t: state(built, t, "2026-11") for t in fx.TENANTS}
    assert after["sijunjung"] == (before["sijunjung"][0] + 1, False)
    assert after["sumbar"] == before["sumbar"] and after["padang"] == before["padang"]
    assert state(built, "sijunjung", "2026-10")[1] is True  # another month: still kept


def test_a_rebuild_drops_every_kept_month(built: sessionmaker[Session]) -> None:
    year = figures(built, "2026")
    version = state(built, "sumbar", "2026-11")[0]
    rebuild(built, fx.TENANTS, IndonesianCalendar())
    assert state(built, "sumbar", "2026-11") == (version + 1, False)
    again = figures(built, "2026")
    assert (again.total, again.monthly) == (year.total, year.monthly)
