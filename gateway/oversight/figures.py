"""The oversight figures: what a province is evaluated on, over a period.

This module is the contract between the figures (computed from the gateway's own
status history), the oversight page (``/ops/pengawasan``), the reports (XLSX, PDF,
CSV; ``gateway report``) and the drill-down from a figure to its complaints.

Definitions (stated on the page and in the reports):

- a complaint **counts in a period** for a step when that step *happened* in the
  period (the ``at`` of the first status event reaching that step; the history is
  the national feed's, :class:`gateway.storage.models.StatusEvent`);
- ``received``: stored by the gateway in the period (``created_at``);
- ``verified``, ``dispatched``, ``followed_up`` (ditindaklanjuti), ``finished``
  (selesai), ``archived`` (diarsipkan): the first time the complaint reached that
  step (or a later one on the forward chain, since the registry may skip steps
  between two polls) in the period;
- ``follow_up_rate`` = complaints received in the period that were followed up or
  finished by the end of the period (as the ministry counts: ditindaklanjuti +
  selesai over all complaints) / received in the period; ``finish_rate`` = finished
  by the end of the period / received; both ``None`` when nothing was received;
- medians in working days (Indonesian holidays, :mod:`gateway.calendar`) from
  received to verification, to first follow-up, to finish, over the complaints that
  reached that step in the period;
- ``over_sla_*``: complaints whose step came (or, still open at the end of the
  period, has not come) after its due date: 3 working days to verify, 5 to follow up,
  10 to finish (the tenant's ``sla`` may say otherwise);
- a regency or city is **active** (keaktifan) in a period when it followed up or
  finished at least one complaint in it, or received none.

A complaint reopened, archived or moved to another agency is counted by what its
history says: the agency is the one it had when the step happened.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

#: the steps a figure can be drilled down to (the ``step`` of :class:`Drill`)
STEPS = ("received", "verified", "dispatched", "followed_up", "finished", "archived")


@dataclass(frozen=True)
class Period:
    """Inclusive dates in the tenant's zone, with an Indonesian label
    ("November 2026", "Triwulan IV 2026", "2026", "1-15 November 2026")."""

    start: date
    end: date
    label: str
    #: "2026-11", "2026-Q4", "2026" or "2026-11-01..2026-11-15": what parse() reads
    key: str


@dataclass(frozen=True)
class Counts:
    received: int = 0
    verified: int = 0
    dispatched: int = 0
    followed_up: int = 0
    finished: int = 0
    archived: int = 0
    follow_up_rate: float | None = None
    finish_rate: float | None = None
    median_days_to_verify: float | None = None
    median_days_to_follow_up: float | None = None
    median_days_to_finish: float | None = None
    over_sla_verify: int = 0
    over_sla_follow_up: int = 0
    over_sla_finish: int = 0


@dataclass(frozen=True)
class Row:
    """One line of a breakdown: a regency or city (``key`` its tenant id), an agency
    (its code), a channel or a topic (its id as text), with its display name."""

    key: str
    name: str
    counts: Counts
    #: keaktifan; only meaningful for regions (True elsewhere)
    active: bool = True


@dataclass(frozen=True)
class Month:
    key: str  # "2026-11"
    label: str  # "Nov 2026"
    counts: Counts


@dataclass(frozen=True)
class Oversight:
    tenant: str
    tenant_name: str
    #: the tenants covered: the tenant and every regency and city below it
    tenants: tuple[str, ...]
    period: Period
    zone: str  # "WIB", "WITA", "WIT"
    total: Counts
    by_region: Sequence[Row]  # the tenant itself first, then each child, by name
    by_agency: Sequence[Row]  # ranked: follow-up rate, then finish rate, then received
    by_channel: Sequence[Row]
    by_topic: Sequence[Row]
    #: the twelve months ending with the period's last month
    monthly: Sequence[Month]
    #: what each figure means, Indonesian (``definitions_en``: English)
    definitions: Mapping[str, str]
    definitions_en: Mapping[str, str]


@dataclass(frozen=True)
class Drill:
    """The complaints behind one figure: the page links each figure to them."""

    tenant: str  # the overseeing tenant (its children included) or one child
    period_key: str
    step: str  # one of STEPS, or "over_sla_verify" / "over_sla_follow_up" / "over_sla_finish"
    region: str | None = None  # a child tenant id
    agency: str | None = None
    channel: str | None = None
    topic: int | None = None
