"""Which zone each province keeps (Keppres 41/1987) and how times are shown in it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.open311.views import request_view
from gateway.domain.zones import (
    PROVINCE_ZONES,
    WIB,
    WIT,
    WITA,
    shown,
    stated_zone,
    zone_named,
    zone_of,
)
from gateway.mappings.catalog import Catalogue
from gateway.storage.models import Complaint
from gateway.tenants import load_tenants
from tests.support import ROOT, TENANT_ENV

# every Kemendagri province code, by zone
WIB_PROVINCES = [
    "11",
    "12",
    "13",
    "14",
    "15",
    "16",
    "17",
    "18",
    "19",
    "21",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "61",
    "62",
]
WITA_PROVINCES = ["51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"]
WIT_PROVINCES = ["81", "82", "91", "92", "93", "94", "95", "96"]


@pytest.mark.parametrize(
    ("province", "zone"),
    [(p, WIB) for p in WIB_PROVINCES]
    + [(p, WITA) for p in WITA_PROVINCES]
    + [(p, WIT) for p in WIT_PROVINCES],
)
def test_every_province_has_its_zone(province: str, zone: object) -> None:
    assert zone_of(province) is zone
    assert zone_of(f"{province}.01") is zone
    assert zone_of(f"{province}.01.02.2001") is zone


def test_the_table_holds_the_38_provinces_and_no_other() -> None:
    assert sorted(PROVINCE_ZONES) == sorted(WIB_PROVINCES + WITA_PROVINCES + WIT_PROVINCES)
    assert len(PROVINCE_ZONES) == 38


def test_kalimantan_is_split() -> None:
    assert [zone_of(p).label for p in ("61", "62", "63", "64", "65")] == [
        "WIB", "WIB", "WITA", "WITA", "WITA",
    ]  # fmt: skip


@pytest.mark.parametrize("code", ["99", "00", "", "20.71"])
def test_a_code_in_no_province_is_refused(code: str) -> None:
    with pytest.raises(ValueError, match="no Indonesian province"):
        zone_of(code)


def test_offsets_match_the_iana_zones() -> None:
    moment = datetime(2026, 3, 21, 6, 5, tzinfo=UTC)
    for zone in (WIB, WITA, WIT):
        offset = moment.astimezone(zone.info).utcoffset()
        assert offset is not None and offset.total_seconds() == zone.offset_hours * 3600
        assert zone_named(zone.name) is zone
    assert zone_named("Europe/Paris") is None


def test_shown_in_the_zone_with_its_label() -> None:
    received = datetime(2026, 3, 21, 1, 42, tzinfo=UTC)
    assert shown(received, WIB) == "2026-03-21 08:42 WIB"
    assert shown(received, WITA) == "2026-03-21 09:42 WITA"
    assert shown(received, WIT, seconds=True) == "2026-03-21 10:42:00 WIT"
    # a naive moment is UTC, as SQLite gives it back
    assert shown(datetime(2026, 3, 20, 17, 0), WIB) == "2026-03-21 00:00 WIB"


def test_stated_zone() -> None:
    assert stated_zone("14.05 WITA") is WITA
    assert stated_zone("jam 9 wit") is WIT
    assert stated_zone("08:42 WIB") is WIB
    assert stated_zone("14.05") is None
    assert stated_zone("witness") is None


def test_every_sample_channels_zone_is_its_regions() -> None:
    """A channel's ``timezone`` (Open311 times, "kemarin" in a chat) agrees with the zone
    its tenant's region keeps: kalsel and sulbar WITA, lampung and sumbar WIB."""
    tenants = load_tenants(ROOT / "mappings", TENANT_ENV)
    checked = 0
    for tenant in tenants.values():
        for channel in tenant.spec.channels:
            if (name := channel.settings.get("timezone")) is not None:
                assert zone_named(str(name)) is zone_of(tenant.spec.region_code), (
                    tenant.id,
                    channel.id,
                )
                checked += 1
    assert checked >= 8


def test_open311_gives_a_kalsel_request_its_wita_offset() -> None:
    tenant = load_tenants(ROOT / "mappings", TENANT_ENV)["kalsel"]
    received = datetime(2026, 3, 21, 1, 42, tzinfo=UTC)
    complaint = Complaint(
        id="c1",
        tenant="kalsel",
        channel="open311",
        source_ref="r1",
        external_ref="lpg-1",
        title="Jalan rusak",
        content="Jalan berlubang",
        classification="pengaduan",
        region_code="63.71",
        status="received",
        created_at=received,
        updated_at=received,
    )
    zone = zone_of(tenant.spec.region_code)
    view = request_view(complaint, tenant, Catalogue.bundled(), zone.info, "id")
    assert view["requested_datetime"] == "2026-03-21T09:42:00+08:00"
