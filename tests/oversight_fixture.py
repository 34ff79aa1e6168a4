"""A hand-computed oversight fixture: Sumatera Barat (``sumbar``, WIB) with two
regencies/cities below it, Sijunjung and Kota Padang, and 23 complaints whose histories
go through the real storage functions (:func:`gateway.storage.complaints.mark_submitted`
and :func:`apply_change`, every feed event applied twice as a replaying feed would).

The period is December 2026. Working days of December 2026 (weekends and Christmas,
Friday 25 December, skipped), numbered: 1→1 2→2 3→3 4→4 7→5 8→6 9→7 10→8 11→9 14→10
15→11 16→12 17→13 18→14 21→15 22→16 23→17 24→18 28→19 29→20 30→21 31→22; Monday 30
November is the working day before 1 December; 1 and 5 January 2027 are holidays.
``wd(a, b)`` = working days after ``a`` up to ``b``. SLA: verify 3 working days after
submission, follow up 5 after the first disposition, finish 10 after the first
follow-up. "Today" is 15 January 2027 (``NOW``).

Complaint (tenant, channel, topic, agency at intake): history (days in December unless
said) -> days to verify / follow up / finish; due dates; what is late.

sumbar (province itself), agencies PU = 13-DBMCKTR, DIK = 13-DISDIK:
- S1 telegram t2 PU: recv 1, ver 2, disp 3 PU, prog 7, done 9 -> 1/4/6; dues 4, 10, 21: none late
- S2 telegram t2 PU: recv 2, ver 8, disp 8, prog 16, done 17 -> 4/10/11; verify due 7 (LATE),
  follow-up due 15 (LATE), finish due 31
- S3 api t11 PU, MOVED: recv 3, ver 4, disp 4 PU, prog 7 PU ("not ours"), disp 8 DIK,
  prog 10 DIK, done 14 DIK -> 1/2/7; first disposition and follow-up under PU, finish
  under DIK; dues 8, 11, 21
- S4 telegram t20 no agency, ARCHIVED: recv 7, archived 9; verify due 10, done (archive) 9
- S5 api t2 PU, ACROSS THE BOUNDARY: recv Fri 27 Nov, ver 1 Dec, disp 2, prog 4, done 11 ->
  2/5/10 (30 Nov counts); verify due 2 Dec (done 1), follow-up due 9, finish due 18
- S6 telegram t5 PU: stored 30 Nov 18:30 UTC = 1 Dec 01:30 WIB, so received in December;
  ver 3, disp 3, prog 9, never finished -> 2/6/-; finish due 23 (LATE: not done by NOW)
- S7 telegram t2 PU: recv 29, ver 4 Jan 2027 (verify due 4 Jan: January)
- S8 api t11 DIK: recv 14, nothing more; verify due 17 (LATE: never verified)
- S9 telegram t2 PU, HOLIDAY IN THE MIDDLE: recv 22, ver 23, disp 24, prog 30, done 31 ->
  1/5/6 (without Christmas: 1/6/7); verify due 28; follow-up and finish due in January
- S10 api t5 PU: recv 15, ver 16, disp 16, nothing more -> 1/-/-; follow-up due 23 (LATE)
- S11 telegram t11 DIK: recv 8, ver 9, disp 9 DIK, prog 10, done 28 -> 1/2/13; finish due
  24 (LATE: done 28)
- S12 telegram t5 PU, REOPENED: recv 9, ver 10, disp 10, prog 11, disp 14 (again, PU),
  prog 21, done 22 -> 1/2/9 (the first follow-up counts); dues 14, 17, 28
- S13 api t2 PU, STEPS SKIPPED: recv 10, the feed's next event is "selesai" on 17 (it
  reaches verified, dispatched, followed up and finished at once, under PU) -> 5/5/5;
  verify due 15 (LATE)

sijunjung (13.09), agency SJ = 1309-DPUPR (not in the catalogue: named by the feed):
- J1 api t2: recv 1, ver 2, disp 3, prog 8, done 10 -> 1/5/7
- J2 api t5: recv 2, ver 3, disp 4, prog 9 -> 1/5/-; finish due 23 (LATE)
- J3 api t2, ARCHIVED after disposition: recv 10, ver 11, disp 14, archived 15 -> 1/-/-
- J4 api t5: recv 21, nothing more; verify due 24 (LATE)
- J5 api t2: recv Mon 16 Nov, ver 17 Nov, disp 18 Nov, prog 20 Nov, done 7 Dec -> finished
  in December after 15 working days; finish due 4 Dec (LATE)

padang (13.71), agencies PD = 1371-DPUPR, PDL = 1371-DLH; nothing followed up in December:
- P1 webform t20 PDL: recv 3, ver 7, disp 8 -> 2/-/-; follow-up due 15 (LATE)
- P2 sms t2 PD: recv 9, ver 10, disp 10 -> 1/-/-; follow-up due 17 (LATE)
- P3 sms t20 PDL: recv 16, archived 17
- P4 webform t2 PD: recv 23, ver 24 -> 1
- P5 webform t2 PD: recv 30, never submitted (stays "received")

The expected figures (``EXPECTED_*``) follow from that table; each breakdown sums to the
total (the agency of a step is the one the complaint had then).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from gateway.calendar import IndonesianCalendar
from gateway.domain.sla import SlaPolicy
from gateway.mappings.spec import Sla
from gateway.oversight.aggregate import OversightFact, fact_row
from gateway.ports import ChangeEvent
from gateway.storage.complaints import apply_change, mark_submitted
from gateway.storage.models import NO_AGENCY, Complaint, StatusEvent

WIB = timedelta(hours=7)
NOW = datetime(2027, 1, 15, 3, 0, tzinfo=UTC)
PERIOD = "2026-12"
PU, DIK, SJ, PD, PDL = "13-DBMCKTR", "13-DISDIK", "1309-DPUPR", "1371-DPUPR", "1371-DLH"
SJ_NAME = "Dinas PUPR Kabupaten Sijunjung"


def _tenant(
    tid: str, name: str, region: str, parent: str | None, channels: list[tuple[str, str]]
) -> Any:
    spec = SimpleNamespace(
        tenant=tid,
        name=name,
        region_code=region,
        parent=parent,
        sla=Sla(),
        channels=[SimpleNamespace(id=c, type=t) for c, t in channels],
    )
    return SimpleNamespace(spec=spec, id=tid)


TENANTS = {
    "sumbar": _tenant(
        "sumbar", "Pemerintah Provinsi Sumatera Barat", "13", None,
        [("telegram", "telegram"), ("api", "api")],
    ),
    "sijunjung": _tenant(
        "sijunjung", "Pemerintah Kabupaten Sijunjung", "13.09", "sumbar", [("api", "api")]
    ),
    "padang": _tenant(
        "padang", "Pemerintah Kota Padang", "13.71", "sumbar",
        [("webform", "webform"), ("sms", "sms")],
    ),
}  # fmt: skip


def at(day: int, hour: int = 9, month: int = 12, year: int = 2026) -> datetime:
    """A moment given in WIB, as UTC."""
    return datetime(year, month, day, hour, tzinfo=UTC) - WIB


@dataclass(frozen=True)
class Case:
    key: str
    tenant: str
    channel: str
    topic: int
    agency: str | None
    created: datetime
    #: (national status, moment, agency the event names) after the submission
    feed: tuple[tuple[str, datetime, str | None], ...] = ()
    submitted: bool = True


V, D, P, R, X = "terverifikasi", "terdisposisi", "ditindaklanjuti", "selesai", "diarsipkan"
CASES = (
    Case("S1", "sumbar", "telegram", 2, PU, at(1),
         ((V, at(2), None), (D, at(3), PU), (P, at(7), None), (R, at(9), None))),
    Case("S2", "sumbar", "telegram", 2, PU, at(2, 10),
         ((V, at(8), None), (D, at(8, 14), PU), (P, at(16), None), (R, at(17), None))),
    Case("S3", "sumbar", "api", 11, PU, at(3, 8),
         ((V, at(4), None), (D, at(4, 13), PU), (P, at(7), None), (D, at(8), DIK),
          (P, at(10), None), (R, at(14), None))),
    Case("S4", "sumbar", "telegram", 20, None, at(7), ((X, at(9), None),)),
    Case("S5", "sumbar", "api", 2, PU, at(27, 10, month=11),
         ((V, at(1), None), (D, at(2), PU), (P, at(4), None), (R, at(11), None))),
    Case("S6", "sumbar", "telegram", 5, PU, datetime(2026, 11, 30, 18, 30, tzinfo=UTC),
         ((V, at(3), None), (D, at(3, 15), PU), (P, at(9), None))),
    Case("S7", "sumbar", "telegram", 2, PU, at(29), ((V, at(4, month=1, year=2027), None),)),
    Case("S8", "sumbar", "api", 11, DIK, at(14)),
    Case("S9", "sumbar", "telegram", 2, PU, at(22),
         ((V, at(23), None), (D, at(24), PU), (P, at(30), None), (R, at(31), None))),
    Case("S10", "sumbar", "api", 5, PU, at(15, 13), ((V, at(16), None), (D, at(16, 11), PU))),
    Case("S11", "sumbar", "telegram", 11, DIK, at(8, 11),
         ((V, at(9), None), (D, at(9, 10), DIK), (P, at(10), None), (R, at(28), None))),
    Case("S12", "sumbar", "telegram", 5, PU, at(9, 8),
         ((V, at(10), None), (D, at(10, 10), PU), (P, at(11), None), (D, at(14), PU),
          (P, at(21), None), (R, at(22), None))),
    Case("S13", "sumbar", "api", 2, PU, at(10), ((R, at(17), PU),)),
    Case("J1", "sijunjung", "api", 2, SJ, at(1, 10),
         ((V, at(2), None), (D, at(3), SJ), (P, at(8), None), (R, at(10), None))),
    Case("J2", "sijunjung", "api", 5, SJ, at(2),
         ((V, at(3), None), (D, at(4), SJ), (P, at(9), None))),
    Case("J3", "sijunjung", "api", 2, SJ, at(10),
         ((V, at(11), None), (D, at(14), SJ), (X, at(15), None))),
    Case("J4", "sijunjung", "api", 5, SJ, at(21)),
    Case("J5", "sijunjung", "api", 2, SJ, at(16, month=11),
         ((V, at(17, month=11), None), (D, at(18, month=11), SJ), (P, at(20, month=11), None),
          (R, at(7), None))),
    Case("P1", "padang", "webform", 20, PDL, at(3), ((V, at(7), None), (D, at(8), PDL))),
    Case("P2", "padang", "sms", 2, PD, at(9), ((V, at(10), None), (D, at(10, 13), PD))),
    Case("P3", "padang", "sms", 20, PDL, at(16), ((X, at(17), None),)),
    Case("P4", "padang", "webform", 2, PD, at(23), ((V, at(24), None),)),
    Case("P5", "padang", "webform", 2, PD, at(30), submitted=False),
)  # fmt: skip


def _complaint_row(case: Case) -> dict[str, Any]:
    region = {"sumbar": "13", "sijunjung": "13.09", "padang": "13.71"}[case.tenant]
    return {
        "id": str(uuid.uuid4()),
        "tenant": case.tenant,
        "channel": case.channel,
        "source_ref": case.key,
        "external_ref": f"GW-{case.key}",
        "title": f"Pengaduan {case.key}",
        "content": "Jalan berlubang di depan kantor camat.",
        "classification": "complaint",
        "topic_id": case.topic,
        "agency_code": case.agency,
        "region_code": region,
        "status": "received",
        "attachments": "[]",
        "language": "id",
        "created_at": case.created,
        "updated_at": case.created,
    }


def build(factory: sessionmaker[Session]) -> dict[str, str]:
    """Store the fixture's complaints and histories; complaint id by case key."""
    calendar = IndonesianCalendar()
    sla = SlaPolicy()
    ids: dict[str, str] = {}
    for case in CASES:
        row = _complaint_row(case)
        ids[case.key] = row["id"]
        with factory() as session, session.begin():
            session.execute(insert(Complaint), [row])
            session.execute(
                insert(StatusEvent),
                [
                    {
                        "complaint_id": row["id"],
                        "status": "received",
                        "source": "gateway",
                        "agency_code": case.agency or NO_AGENCY,  # as intake records it
                        "at": case.created,
                        "recorded_at": case.created,
                    }
                ],
            )
            session.execute(insert(OversightFact), [fact_row(row)])
        if not case.submitted:
            continue
        tracking = f"LAPOR-{case.key}"
        with factory() as session, session.begin():
            complaint = session.get(Complaint, row["id"])
            assert complaint is not None
            mark_submitted(
                session, complaint, tracking, case.created + timedelta(minutes=5), calendar, sla
            )
        for status, moment, agency in case.feed:
            event = ChangeEvent(
                tracking_id=tracking,
                external_ref=row["external_ref"],
                status=status,
                response=f"{status} {moment:%Y-%m-%d}",
                at=moment,
                agency_code=agency,
                agency_name=SJ_NAME if agency == SJ else None,
            )
            for _replay in range(2):  # the feed repeats itself: counted once
                with factory() as session, session.begin():
                    apply_change(session, case.tenant, event, calendar, sla)
    return ids


def counts(
    received: int, verified: int, dispatched: int, followed_up: int, finished: int,
    archived: int, over: tuple[int, int, int], by_end: tuple[int, int],
    medians: tuple[float | None, float | None, float | None],
) -> dict[str, Any]:  # fmt: skip
    """The expected Counts fields."""
    return {
        "received": received,
        "verified": verified,
        "dispatched": dispatched,
        "followed_up": followed_up,
        "finished": finished,
        "archived": archived,
        "follow_up_rate": by_end[0] / received if received else None,
        "finish_rate": by_end[1] / received if received else None,
        "median_days_to_verify": medians[0],
        "median_days_to_follow_up": medians[1],
        "median_days_to_finish": medians[2],
        "over_sla_verify": over[0],
        "over_sla_follow_up": over[1],
        "over_sla_finish": over[2],
    }


# December 2026, sumbar and every tenant below it.
# received: S1-4, S6-13 (12; S5 came in November) + J1-4 (4) + P1-5 (5) = 21
# verified: S1,2,3,5,6,9,10,11,12,13 + J1,2,3 + P1,2,4 = 16; dispatched: the same but
#   P4 = 15; followed up: S1,2,3,5,6,9,11,12,13 + J1,2 = 11; finished: S1,2,3,5,9,11,12,13
#   + J1,5 = 10; archived S4, J3, P3 = 3
# late: verify S2, S8, S13, J4; follow-up S2, S10, P1, P2; finish S6, S11, J2, J5
# received in December and followed up by 31 Dec: S1,2,3,6,9,11,12,13 + J1,2 = 10;
#   finished by then: S1,2,3,9,11,12,13 + J1 = 8
# days to verify 1 x11, 2 x3, 4, 5 -> 1; to follow up 2,2,2,4,5,5,5,5,5,6,10 -> 5;
#   to finish 5,6,6,7,7,9,10,11,13,15 -> (7+9)/2 = 8
EXPECTED_TOTAL = counts(21, 16, 15, 11, 10, 3, (4, 4, 4), (10, 8), (1, 5, 8.0))

EXPECTED_REGIONS = {
    # verify 1,1,1,1,1,1,2,2,4,5 -> 1; follow up 2,2,2,4,5,5,5,6,10 -> 5; finish
    # 5,6,6,7,9,10,11,13 -> 8
    "sumbar": (counts(12, 10, 10, 9, 8, 1, (3, 2, 2), (8, 7), (1, 5, 8.0)), True),
    # finish J1 7, J5 15 -> 11
    "sijunjung": (counts(4, 3, 3, 2, 2, 1, (1, 0, 2), (2, 1), (1, 5, 11.0)), True),
    # nothing followed up or finished while 5 came in: not active
    "padang": (counts(5, 3, 2, 0, 0, 1, (0, 2, 0), (0, 0), (1, None, None)), False),
}

# The agency a step counts under is the one the complaint had at that step: S3's first
# disposition and follow-up are PU's, its finish DIK's.
EXPECTED_AGENCIES = {
    # received S1,2,3,6,7,9,10,12,13; verify S1 1,S2 4,S3 1,S5 2,S6 2,S9 1,S10 1,S12 1,
    # S13 5 -> 1; follow up 2,2,4,5,5,5,6,10 -> 5; finish S1 6,S2 11,S5 10,S9 6,S12 9,S13 5
    # -> (6+9)/2 = 7.5
    PU: counts(9, 9, 9, 8, 6, 0, (2, 2, 1), (7, 6), (1, 5, 7.5)),
    # received S8, S11; finish S3 7, S11 13 -> 10
    DIK: counts(2, 1, 1, 1, 2, 0, (1, 0, 1), (1, 1), (1, 2, 10.0)),
    SJ: counts(4, 3, 3, 2, 2, 1, (1, 0, 2), (2, 1), (1, 5, 11.0)),
    PD: counts(3, 2, 1, 0, 0, 0, (0, 1, 0), (0, 0), (1, None, None)),
    PDL: counts(2, 1, 1, 0, 0, 1, (0, 1, 0), (0, 0), (2, None, None)),
    "": counts(1, 0, 0, 0, 0, 1, (0, 0, 0), (0, 0), (None, None, None)),
}
#: ranked by follow-up rate (7/9, 1/2, 2/4, 0...), then finish rate (DIK 1/2 before SJ
#: 1/4), then received
EXPECTED_AGENCY_ORDER = [PU, DIK, SJ, PD, PDL, ""]

EXPECTED_CHANNELS = {
    # S1,2,4,6,7,9,11,12; verify 1,4,2,1,1,1 -> 1; follow up 4,10,6,5,2,2 -> 4.5;
    # finish 6,11,6,13,9 -> 9
    "telegram": counts(8, 6, 6, 6, 5, 1, (1, 1, 2), (6, 5), (1, 4.5, 9)),
    # S3,8,10,13 + J1-4; verify S3 1,S5 2,S10 1,S13 5,J1-3 1 -> 1; follow up 2,5,5,5,5 -> 5;
    # finish S3 7,S5 10,S13 5,J1 7,J5 15 -> 7
    "api": counts(8, 7, 7, 5, 5, 1, (3, 1, 2), (4, 3), (1, 5, 7)),
    "webform": counts(3, 2, 1, 0, 0, 0, (0, 1, 0), (0, 0), (1.5, None, None)),
    "sms": counts(2, 1, 1, 0, 0, 1, (0, 1, 0), (0, 0), (1, None, None)),
}
EXPECTED_TOPICS = {
    # verify 1,4,2,1,5,1,1,1,1 -> 1; follow up S1 4,S2 10,S5 5,S9 5,S13 5,J1 5 -> 5;
    # finish 6,11,10,6,5,7,15 -> 7
    "2": counts(10, 9, 8, 6, 7, 1, (2, 2, 1), (5, 5), (1, 5, 7)),
    # follow up S6 6, S12 2, J2 5 -> 5; finish S12 9
    "5": counts(5, 4, 4, 3, 1, 0, (1, 1, 2), (3, 1), (1, 5, 9)),
    # finish S3 7, S11 13 -> 10
    "11": counts(3, 2, 2, 2, 2, 0, (1, 0, 1), (2, 2), (1, 2, 10)),
    "20": counts(3, 1, 1, 0, 0, 2, (0, 1, 0), (0, 0), (2, None, None)),
}
# November 2026: received S5, J5; J5 verified, dispatched, followed up (4 working days:
# 17-20 Nov) in November, by 30 November 1 of the 2 followed up
EXPECTED_NOVEMBER = counts(2, 1, 1, 1, 0, 0, (0, 0, 0), (1, 0), (1, 4, None))
#: the fourth quarter: November's and December's (October had none)
EXPECTED_Q4_RECEIVED, EXPECTED_Q4_VERIFIED = 23, 17
TODAY = date(2027, 1, 15)
