"""``POST requests`` fields and ``GET requests`` filters, read as the spec writes them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from adapters.open311.form import read_form, source_ref, to_draft
from adapters.open311.lookup import WINDOW, parse_filter
from adapters.open311.render import Open311Error
from adapters.open311.settings import Open311Settings
from gateway.domain.complaint import Classification
from gateway.tenants import Tenant, load_tenants
from tests.support import ROOT, TENANT_ENV

NOW = datetime(2026, 6, 3, 2, 0, tzinfo=UTC)  # 09:00 WIB
WIB = ZoneInfo("Asia/Jakarta")
SETTINGS = Open311Settings(media_domains=["lampungprov.go.id"])
BASE = [
    ("service_code", "JALAN"),
    ("description", "Jalan berlubang besar di depan pasar Kedaton."),
    ("lat", "-5.3971"),
    ("long", "105.2668"),
]


@pytest.fixture(scope="module")
def lampung() -> Tenant:
    return load_tenants(ROOT / "mappings", TENANT_ENV)["lampung"]


def draft(tenant: Tenant, pairs: list[tuple[str, str]], settings: Open311Settings = SETTINGS):
    submitted = read_form(pairs)
    return to_draft(submitted, tenant, settings, source_ref(None, submitted), NOW)


def refused(tenant: Tenant, pairs: list[tuple[str, str]]) -> str:
    with pytest.raises(Open311Error) as caught:
        draft(tenant, pairs)
    assert caught.value.status == 400
    return caught.value.description("en")


def test_attributes_are_read_from_their_brackets() -> None:
    submitted = read_form(
        [
            ("attribute[classification]", "aspirasi"),
            ("attribute[anonymous][]", "ya"),  # a multivaluelist's form
            ("attribute[anonymous]", "tidak"),  # repeated: the first wins
            ("attribute[confidential]", ""),  # empty: not sent
            ("attribute[]", "x"),  # no code: not an attribute
            ("attribute[a][b]", "x"),
            ("description", " Lampu\x00 mati\x07 \n"),
        ]
    )
    assert submitted.attributes == {"classification": "aspirasi", "anonymous": "ya"}
    assert submitted.fields == {
        "attribute[]": "x",
        "attribute[a][b]": "x",
        "description": "Lampu mati",
    }


def test_a_full_request_becomes_the_canonical_draft(lampung: Tenant) -> None:
    found = draft(
        lampung,
        [
            *BASE,
            ("address_string", "Jl. Teuku Umar, Kedaton"),
            ("first_name", "Siti"),
            ("last_name", "Aminah"),
            ("phone", "0812-3456-7890"),
            ("email", "siti@example.co.id"),
            ("media_url", "https://foto.lampungprov.go.id/1.jpg"),
            ("attribute[incident_date]", "2026-06-02T23:30:00Z"),  # 3 June in WIB
            ("attribute[classification]", "permintaan_informasi"),
            ("attribute[anonymous]", "ya"),
            ("attribute[confidential]", "tidak"),
            ("api_key", "never-stored"),
        ],
    )
    assert (found.tenant, found.channel, found.category) == ("lampung", "open311", "JALAN")
    assert found.region_code == "18.71"  # lat/long in Kedaton: Kota Bandar Lampung
    assert found.location is not None and found.location.latitude == -5.3971
    assert found.location.text == "Jl. Teuku Umar, Kedaton"
    assert found.reporter is not None and found.reporter.phone == "+6281234567890"
    assert found.reporter.name == "Siti Aminah"
    assert found.incident_date == date(2026, 6, 3)
    assert found.incident_at == datetime(2026, 6, 2, 23, 30, tzinfo=UTC)  # the moment too
    assert found.classification == Classification.PERMINTAAN_INFORMASI
    assert (found.anonymous, found.confidential) == (True, False)
    assert [a.url for a in found.attachments] == ["https://foto.lampungprov.go.id/1.jpg"]
    assert found.source_ref.startswith("sha256:")


def test_a_date_alone_has_no_moment_and_a_local_time_takes_the_zone(lampung: Tenant) -> None:
    alone = draft(lampung, [*BASE, ("attribute[incident_date]", "2026-06-02")])
    assert (alone.incident_date, alone.incident_at) == (date(2026, 6, 2), None)
    local = draft(lampung, [*BASE, ("attribute[incident_date]", "2026-06-02T14:05:00")])
    assert local.incident_at == datetime(2026, 6, 2, 7, 5, tzinfo=UTC)  # 14:05 WIB


def test_media_on_other_hosts_stays_in_the_text(lampung: Tenant) -> None:
    found = draft(lampung, [*BASE, ("media_url", "https://lampungprov.go.id.evil.example/1.jpg")])
    assert found.attachments == []
    assert found.content.endswith("Foto/media: https://lampungprov.go.id.evil.example/1.jpg")
    assert "Foto/media" not in found.title


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"service_code": None}, "service_code is required"),
        ({"service_code": "jalan"}, "service_code jalan was not found"),
        ({"description": "pendek"}, "description is too short"),
        ({"description": "x" * 4001}, "description is too long"),
        ({"lat": None, "long": None}, "a location is required"),
        ({"long": None}, "long is required with lat"),
        ({"lat": None}, "lat is required with long"),
        ({"lat": "utara"}, "lat must be a number"),
        ({"lat": "91"}, "lat is outside -90..90"),
        ({"long": "nan"}, "long is outside -180..180"),
        ({"long": "-1e309"}, "long is outside"),
        ({"phone": "0812"}, "phone is not a valid phone number"),
        ({"email": "siti@"}, "email is not an e-mail address"),
        ({"media_url": "javascript:alert(1)"}, "media_url must be an http(s) URL"),
        ({"media_url": "http://[::1"}, "media_url must be"),
        ({"first_name": "S" * 100}, "first_name is too long"),
        ({"attribute[colour]": "red"}, "attribute[colour] is not an attribute"),
        ({"attribute[classification]": "Aspirasi"}, "attribute[classification] must be one of"),
        ({"attribute[incident_date]": "kemarin"}, "attribute[incident_date] is not an ISO 8601"),
        ({"attribute[incident_date]": "2026-06-05"}, "must not be in the future"),
        # today, but hours from now (09:00 WIB now)
        ({"attribute[incident_date]": "2026-06-03T15:00:00+07:00"}, "must not be in the future"),
        ({"attribute[incident_date]": "0001-01-01T00:00:00+09:00"}, "is not an ISO 8601"),
        ({"attribute[incident_date]": "9" * 5000}, "is not an ISO 8601"),
    ],
)
def test_each_mistake_names_its_field(
    lampung: Tenant, change: dict[str, str | None], named: str
) -> None:
    fields = dict(BASE)
    fields.update(change)
    pairs = [(k, v) for k, v in fields.items() if v is not None]
    assert named in refused(lampung, pairs)


def test_the_same_content_has_the_same_source_ref() -> None:
    one = read_form([*BASE, ("api_key", "k1"), ("jurisdiction_id", "lampung")])
    same = read_form([("api_key", "k2"), *reversed(BASE)])
    other = read_form([*BASE, ("attribute[anonymous]", "ya")])
    assert source_ref(None, one) == source_ref(None, same) != source_ref(None, other)
    assert source_ref("app-1:42", one) == "key:app-1:42"
    record = read_form([*BASE, ("api_key", "k1"), ("phone", "0812-3456-7890")]).record()
    assert "api_key" not in record and "k1" not in repr(record)
    assert record["reporter"] == {"phone": "0812-3456-7890"} and "phone" not in record
    for bad in ("", "a b", "ü", "x" * 101):
        with pytest.raises(Open311Error):
            source_ref(bad, one)


def test_request_filters() -> None:
    categories = {"JALAN": 1, "PJU": 2}
    found = parse_filter({}, categories, WIB, NOW)
    assert (found.ids, found.service_codes, found.statuses) == (None, None, None)
    assert (found.start, found.end) == (NOW - WINDOW, NOW)
    found = parse_filter(
        {"service_code": "PJU,NOPE", "status": "closed", "start_date": "2026-05-01"},
        categories,
        WIB,
        NOW,
    )
    assert found.service_codes == ("PJU",)
    assert found.statuses == ("rejected", "resolved")
    assert found.start == datetime(2026, 4, 30, 17, 0, tzinfo=UTC)  # midnight WIB
    assert found.end == found.start + WINDOW
    found = parse_filter({"service_request_id": "a-1, b-2,,\x00x,a-1"}, categories, WIB, NOW)
    assert found.ids == ("a-1", "b-2")
    assert parse_filter({"end_date": "0001-01-01T00:00:00Z"}, categories, WIB, NOW).start.year == 1


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"status": "open, closed"}, "status must be one of"),
        ({"status": ""}, "status must be one of"),
        ({"start_date": "2026-13-01"}, "start_date is not an ISO 8601"),
        ({"end_date": "99999-01-01"}, "end_date is not an ISO 8601"),
        ({"start_date": "2026-06-01", "end_date": "2026-05-01"}, "end_date is before"),
        ({"start_date": "2026-01-01", "end_date": "2026-06-01"}, "at most 90 days"),
        ({"service_request_id": ",".join(["a"] * 1001)}, "service_request_id: at most 1000"),
    ],
)
def test_wrong_filters_name_their_parameter(params: dict[str, str], named: str) -> None:
    with pytest.raises(Open311Error) as caught:
        parse_filter(params, {}, WIB, NOW)
    assert caught.value.status == 400 and named in caught.value.description("en")
