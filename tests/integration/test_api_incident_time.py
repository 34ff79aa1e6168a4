"""The canonical JSON intake takes the incident's time: ``incident_time`` (local, in the
region's zone) with ``incident_date``, or ``incident_at`` with its offset; stored in UTC,
given back with the zone's offset. Bad combinations are 422s naming the field."""

from __future__ import annotations

import httpx
import pytest

from tests.integration.test_api_intake import COMPLAINT, KALSEL, LAMPUNG, URL
from tests.integration.test_api_intake import gateway as gateway  # the fixture

KALSEL_URL = "/channels/api/kalsel/complaints"
BANJARMASIN = {**COMPLAINT, "region_code": "63.71", "location": {"text": "Jl. A. Yani km 6"}}


def stored(client: httpx.Client, answer: httpx.Response, key: dict) -> dict:
    assert answer.status_code == 202, answer.text
    return client.get(f"/complaints/{answer.json()['id']}", headers=key).json()


def test_a_local_time_takes_the_zone_of_the_region(gateway: httpx.Client) -> None:
    body = {**BANJARMASIN, "incident_date": "2026-03-21", "incident_time": "14:05"}
    complaint = stored(gateway, gateway.post(KALSEL_URL, json=body, headers=KALSEL), KALSEL)
    # Kalimantan Selatan keeps WITA (UTC+8)
    assert complaint["incident_at"] == "2026-03-21T14:05:00+08:00"
    assert complaint["incident_date"] == "2026-03-21"
    lampung = {**COMPLAINT, "source_ref": "CC-T2", "incident_date": "2026-03-21"}
    lampung["incident_time"] = "14:05"
    complaint = stored(gateway, gateway.post(URL, json=lampung, headers=LAMPUNG), LAMPUNG)
    assert complaint["incident_at"] == "2026-03-21T14:05:00+07:00"  # Lampung: WIB


def test_a_moment_with_its_offset_is_kept_and_gives_the_local_date(
    gateway: httpx.Client,
) -> None:
    # 23:30 WIB on the 20th is already the 21st in WITA
    body = {**BANJARMASIN, "incident_at": "2026-03-20T23:30:00+07:00"}
    complaint = stored(gateway, gateway.post(KALSEL_URL, json=body, headers=KALSEL), KALSEL)
    assert complaint["incident_at"] == "2026-03-21T00:30:00+08:00"
    assert complaint["incident_date"] == "2026-03-21"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"incident_time": "14:05"}, "incident_time"),  # no date
        ({"incident_at": "2026-03-21T14:05:00"}, "incident_at"),  # no offset
        (
            {"incident_date": "2026-03-22", "incident_at": "2026-03-21T14:05:00+08:00"},
            "incident_date",
        ),
        (
            {"incident_date": "2026-03-21", "incident_time": "14:05"}
            | {"incident_at": "2026-03-21T14:05:00+08:00"},
            "incident_time",
        ),
        ({"incident_at": "2099-01-01T10:00:00+08:00"}, "incident_at"),  # the future
        ({"incident_at": "0001-01-01T00:00:00+14:00"}, "incident_at"),  # out of range
    ],
)
def test_bad_times_are_refused_naming_the_field(
    gateway: httpx.Client, extra: dict, field: str
) -> None:
    body = {**BANJARMASIN, "source_ref": f"BAD-{field}-{len(extra)}", **extra}
    answer = gateway.post(KALSEL_URL, json=body, headers=KALSEL)
    assert answer.status_code == 422, answer.text
    assert field in [f["field"] for f in answer.json()["error"]["fields"]]
    listed = gateway.get("/complaints", headers=KALSEL).json()["items"]
    assert listed == []  # nothing stored
