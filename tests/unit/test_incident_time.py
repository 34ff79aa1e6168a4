"""The incident's time of day: parsed as written, combined with its date in the zone of
the complaint's region, kept in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from adapters.callcenter.settings import CallcenterSettings
from gateway.domain.complaint import ComplaintDraft
from gateway.domain.dates import parse_time
from gateway.fieldmap import FieldMapping, RecordError
from gateway.national import contract
from gateway.national.wire import submission_body
from gateway.ports import Submission
from gateway.sandbox.catalog import load_catalog
from gateway.sandbox.wire import ComplaintIn
from gateway.tenants import Tenant, load_tenants
from tests.support import ROOT, TENANT_ENV

TODAY = date(2026, 3, 25)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14.05", time(14, 5)),
        ("14:05", time(14, 5)),
        ("14.05.30", time(14, 5)),
        ("2.05 PM", time(14, 5)),
        ("2:05 pm", time(14, 5)),
        ("12.30 AM", time(0, 30)),
        ("12:00 PM", time(12, 0)),
        ("2 pm", time(14, 0)),
        ("08.42 WIB", time(8, 42)),
        ("jam 2 siang", time(14, 0)),
        ("pukul 7 malam", time(19, 0)),
        ("Pkl. 09.15", time(9, 15)),
        ("jam 10 pagi", time(10, 0)),
        ("21/03/2026 14.05", time(14, 5)),
        ("21.03.2026 08.42", time(8, 42)),
        ("2026-03-21T14:05:00", time(14, 5)),
        ("21.03.2026", None),
        ("21/03/2026", None),
        ("2026-03-21", None),
        ("25.00", None),
        ("13.05 PM", None),
        ("kemarin", None),
        ("", None),
    ],
)
def test_parse_time(text: str, expected: time | None) -> None:
    assert parse_time(text) == expected


@pytest.fixture(scope="module")
def tenants() -> dict[str, Tenant]:
    return load_tenants(ROOT / "mappings", TENANT_ENV)


def mapping(tenant: Tenant, fields: dict[str, str], **settings: Any) -> FieldMapping:
    base = {
        "source_ref": "Tiket",
        "content": "Isi",
        "region_code": "Wilayah",
        "incident_date": "Tanggal",
        "incident_time": "Jam",
    }
    return FieldMapping(
        tenant,
        "callcenter",
        "callcenter",
        {**base, **fields},
        CallcenterSettings.model_validate(settings),
    )


def row(**values: Any) -> dict[str, Any]:
    return {"Tiket": "T-1", "Isi": "Jalan berlubang di depan pasar, mohon diperbaiki", **values}


def test_date_and_time_columns_combine_in_wita(tenants: dict[str, Tenant]) -> None:
    draft = mapping(tenants["kalsel"], {}).draft(
        row(Tanggal="21/03/2026", Jam="14.05", Wilayah="63.71"), TODAY
    )
    assert draft.incident_date == date(2026, 3, 21)
    assert draft.incident_at == datetime(2026, 3, 21, 6, 5, tzinfo=UTC)


def test_the_zone_follows_the_region_not_the_channel(tenants: dict[str, Tenant]) -> None:
    # lampung's channel says Asia/Jakarta; the row's region (Papua) keeps WIT
    at = (
        mapping(tenants["lampung"], {}, timezone="Asia/Jakarta")
        .draft(row(Tanggal="21/03/2026", Jam="14.05", Wilayah="91.71"), TODAY)
        .incident_at
    )
    assert at == datetime(2026, 3, 21, 5, 5, tzinfo=UTC)
    at = (
        mapping(tenants["lampung"], {})
        .draft(row(Tanggal="21/03/2026", Jam="14.05"), TODAY)
        .incident_at
    )  # no region: the tenant's (18, WIB)
    assert at == datetime(2026, 3, 21, 7, 5, tzinfo=UTC)


def test_a_time_after_the_date_in_one_column_is_kept(tenants: dict[str, Tenant]) -> None:
    fm = mapping(tenants["kalsel"], {"incident_time": "Tidak ada"})
    draft = fm.draft(row(Tanggal="21/03/2026 14.05"), TODAY)
    assert draft.incident_date == date(2026, 3, 21)
    assert draft.incident_at == datetime(2026, 3, 21, 6, 5, tzinfo=UTC)
    only_date = fm.draft(row(Tanggal="21/03/2026"), TODAY)
    assert only_date.incident_date == date(2026, 3, 21) and only_date.incident_at is None


def test_a_date_format_with_the_time_reads_it(tenants: dict[str, Tenant]) -> None:
    fm = mapping(tenants["kalsel"], {}, date_format="%d/%m/%Y %H:%M")
    draft = fm.draft(row(Tanggal="21/03/2026 00:30"), TODAY)
    # 00:30 WITA is the evening before in UTC; the incident's date stays the local one
    assert draft.incident_date == date(2026, 3, 21)
    assert draft.incident_at == datetime(2026, 3, 20, 16, 30, tzinfo=UTC)


def test_a_time_naming_its_zone_keeps_it(tenants: dict[str, Tenant]) -> None:
    draft = mapping(tenants["kalsel"], {}).draft(row(Tanggal="21/03/2026", Jam="14.05 WIB"), TODAY)
    assert draft.incident_at == datetime(2026, 3, 21, 7, 5, tzinfo=UTC)


def test_a_bad_time_names_its_column(tenants: dict[str, Tenant]) -> None:
    with pytest.raises(RecordError) as caught:
        mapping(tenants["kalsel"], {}).draft(row(Tanggal="21/03/2026", Jam="siang-siang"), TODAY)
    assert caught.value.column == "Jam"
    assert "not a time" in caught.value.reason


def test_a_time_in_the_future_is_refused(tenants: dict[str, Tenant]) -> None:
    soon = datetime.now(UTC) + timedelta(hours=3)
    local = soon.astimezone(ZoneInfo("Asia/Makassar"))
    with pytest.raises(RecordError) as caught:
        mapping(tenants["kalsel"], {}).draft(
            row(Tanggal=local.strftime("%d/%m/%Y"), Jam=local.strftime("%H.%M")),
            local.date(),
        )
    assert caught.value.column == "Jam" and "future" in caught.value.reason


def test_the_draft_keeps_incident_at_in_utc_and_refuses_naive() -> None:
    base: dict[str, Any] = {
        "tenant": "kalsel",
        "channel": "api",
        "source_ref": "x",
        "title": "t",
        "content": "isi pengaduan panjang",
        "region_code": "63",
    }
    wita = datetime.fromisoformat("2026-03-21T14:05:00+08:00")
    assert ComplaintDraft(**base, incident_at=wita).incident_at == datetime(
        2026, 3, 21, 6, 5, tzinfo=UTC
    )
    with pytest.raises(ValueError, match="zone"):
        ComplaintDraft(**base, incident_at=datetime(2026, 3, 21, 14, 5))
    with pytest.raises(ValueError, match="future"):
        ComplaintDraft(**base, incident_at=datetime.now(UTC) + timedelta(hours=1))


# -- the national submission ------------------------------------------------------------


def submission(**changes: Any) -> Submission:
    values: dict[str, Any] = {
        "external_ref": "lpg-cc-1",
        "title": "Jalan berlubang",
        "content": "Jalan berlubang di depan pasar Lama, Banjarmasin.",
        "classification": "pengaduan",
        "topic_id": 2,
        "agency_code": None,
        "region_code": "63.71",
        "location": None,
        "latitude": None,
        "longitude": None,
        "incident_date": "2026-03-21",
        "anonymous": False,
        "confidential": False,
        "channel": "callcenter",
        "reporter_name": None,
        "reporter_phone": None,
        "reporter_email": None,
    }
    return Submission(**{**values, **changes})


def test_the_submission_carries_incident_at_only_when_the_time_is_known() -> None:
    without = submission_body(submission())
    assert contract.F_INCIDENT_AT not in without  # as before: a registry that predates it
    with_time = submission_body(submission(incident_at="2026-03-21T14:05:00+08:00"))
    assert with_time[contract.F_INCIDENT_AT] == "2026-03-21T14:05:00+08:00"
    assert with_time[contract.F_INCIDENT_DATE] == "2026-03-21"


def test_the_sandbox_takes_incident_at_with_its_offset_and_refuses_it_without() -> None:
    catalog = load_catalog()
    body = submission_body(submission(incident_at="2026-03-21T14:05:00+08:00"))
    taken = ComplaintIn.model_validate(body, context={"catalog": catalog})
    assert taken.incident_at == datetime(2026, 3, 21, 6, 5, tzinfo=UTC)
    assert (
        ComplaintIn.model_validate(
            submission_body(submission()), context={"catalog": catalog}
        ).incident_at
        is None
    )
    for bad in ("2026-03-21T14:05:00", (datetime.now(UTC) + timedelta(hours=2)).isoformat()):
        with pytest.raises(ValueError, match="incident_at"):
            ComplaintIn.model_validate({**body, "incident_at": bad}, context={"catalog": catalog})


def test_a_database_datetime_at_midnight_is_a_date_without_time(
    tenants: dict[str, Tenant],
) -> None:
    fm = mapping(tenants["kalsel"], {"incident_time": "Tidak ada"})
    midnight = fm.draft(row(Tanggal=datetime(2026, 3, 21)), TODAY)
    assert midnight.incident_date == date(2026, 3, 21) and midnight.incident_at is None
    timed = fm.draft(row(Tanggal=datetime(2026, 3, 21, 14, 5)), TODAY)
    assert timed.incident_at == datetime(2026, 3, 21, 6, 5, tzinfo=UTC)
