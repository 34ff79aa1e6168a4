"""The oversight figures as *measures* over the pre-aggregated rows
(:mod:`gateway.oversight.aggregate`, one per complaint).

A measure is the day column that puts a complaint in a period, an extra condition,
the agency it counts under and, for a median, the working-day duration. The figures
(:mod:`gateway.oversight.compute`), the kept months (:mod:`gateway.oversight.cube`)
and the drill-down from a figure to its complaints all use the same measures, so a
figure and its list always agree.

The rates' numerators are measures of their own, put in a period by the day the step
was reached: complaints received in a period and followed up by its end are those
followed up in the period and received on or after its first day (a step never comes
before the day received). So a month holds the follow-ups that happened in it, with
the month each was received; a quarter's numerator is the sum of its months' for
complaints received in the quarter, and no month's figures change once it has ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import col

from gateway.oversight.aggregate import OversightFact as F
from gateway.oversight.figures import Period


@dataclass(frozen=True)
class Measure:
    """A figure: complaints whose ``day`` falls in the period (and, for a lateness,
    whose step came after that due day or has not come by today; for a rate's
    numerator, that were received on or after the period's first day)."""

    name: str
    day: Any  # the column that puts a complaint in a period
    agency: Any  # the column the measure counts under in the agency breakdown
    days: Any = None  # the working-day duration column a median is taken over
    done: Any = None  # a lateness: the day the due step was done
    rate: bool = False  # a rate's numerator: ``day`` is the day the step was reached

    def where(self, period: Period, today: date) -> ColumnElement[bool]:
        within = [self.day >= period.start, self.day <= period.end, *self.conditions(today)]
        if self.rate:
            within.append(col(F.received_day) >= period.start)
        return and_(*within)

    def conditions(self, today: date) -> list[ColumnElement[bool]]:
        """The conditions besides the period's (a lateness: late by ``today``)."""
        if self.done is None:
            return []
        return [or_(self.done > self.day, and_(self.done.is_(None), self.day < today))]


def _step(name: str, step: str, days: Any = None) -> Measure:
    return Measure(name, getattr(F, f"{step}_day"), getattr(F, f"{step}_agency"), days)


MEASURES = {
    m.name: m
    for m in (
        _step("received", "received"),
        _step("verified", "verified", col(F.days_to_verify)),
        _step("dispatched", "dispatched"),
        _step("followed_up", "followed_up", col(F.days_to_follow_up)),
        _step("finished", "finished", col(F.days_to_finish)),
        _step("archived", "archived"),
        Measure("over_sla_verify", col(F.verify_due), col(F.received_agency),
                done=col(F.verify_done)),
        Measure("over_sla_follow_up", col(F.follow_up_due), col(F.dispatched_agency),
                done=col(F.follow_up_done)),
        Measure("over_sla_finish", col(F.finish_due), col(F.followed_up_agency),
                done=col(F.finish_done)),
        Measure("followed_up_by_end", col(F.followed_up_day), col(F.received_agency),
                rate=True),
        Measure("finished_by_end", col(F.finished_day), col(F.received_agency), rate=True),
    )
}  # fmt: skip
#: the measures a median is taken of, and the figure that holds it
MEDIANS = {
    "verified": "median_days_to_verify",
    "followed_up": "median_days_to_follow_up",
    "finished": "median_days_to_finish",
}
RATES = tuple(name for name, m in MEASURES.items() if m.rate)
