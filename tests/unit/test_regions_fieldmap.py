"""A record's region from its region column (a code or a name) or, without one, from
its coordinates: Kalimantan Selatan's web form, through the shared field mapping."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from adapters.webform.settings import WebformSettings
from gateway.fieldmap import FieldMapping, RecordError
from gateway.tenants import load_tenants
from tests.support import ROOT, TENANT_ENV

TODAY = date(2026, 3, 25)


@pytest.fixture(scope="module")
def form() -> FieldMapping:
    kalsel = load_tenants(ROOT / "mappings", TENANT_ENV)["kalsel"]
    channel = next(c for c in kalsel.spec.channels if c.type == "webform")
    settings = WebformSettings.model_validate(channel.settings)
    return FieldMapping(kalsel, "webform", channel.id, channel.fields, settings)


def row(**values: Any) -> dict[str, Any]:
    base = {
        "id_laporan": "LP-1",
        "judul_laporan": "Jalan rusak",
        "isi_laporan": "Jalan di depan pasar rusak parah dan berlubang sejak bulan lalu.",
        "kategori": "jalan",
    }
    return {**base, **values}


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"kode_wilayah": "63.71"}, "63.71"),
        ({"kode_wilayah": "6371"}, "63.71"),
        ({"kode_wilayah": "Kota Banjarmasin"}, "63.71"),
        ({"kode_wilayah": "Banjarmasin"}, "63.71"),
        ({"kode_wilayah": "Banjar"}, "63.03"),  # the regency: Kota Banjar is Jawa Barat's
        ({"kode_wilayah": "HSS"}, "63.06"),
        ({"kode_wilayah": "Banjarmasn"}, "63.71"),  # misspelt, close to one region only
        # no region column: the coordinates (Banjarmasin; Martapura, Kabupaten Banjar)
        ({"latitude": "-3.31987", "longitude": "114.59075"}, "63.71"),
        ({"latitude": "-3,4135", "longitude": "114,8493"}, "63.03"),
        # the column wins over the coordinates; neither: the tenant's own region
        ({"kode_wilayah": "Tabalong", "latitude": "-3.31987", "longitude": "114.59075"}, "63.09"),
        ({}, "63"),
        # coordinates outside the tenant (Bandar Lampung): the tenant's own region
        ({"latitude": "-5.42917", "longitude": "105.26111"}, "63"),
    ],
)
def test_the_region_of_a_record(form: FieldMapping, values: dict[str, Any], code: str) -> None:
    assert form.draft(row(**values), TODAY).region_code == code


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("Kota Bandung", "'Kota Bandung' is Kota Bandung (32.73), outside Kalimantan Selatan (63)"),
        ("Hulu Sungai", "closest: Kabupaten Hulu Sungai Utara (63.08), Kabupaten Hulu"),
        ("Kota Banjar", "'Kota Banjar' is Kota Banjar (32.79), outside Kalimantan Selatan"),
        ("zzzz", "'zzzz' is not a region of Kalimantan Selatan (63); no region name comes"),
    ],
)
def test_a_name_that_is_not_one_region_rejects_the_row(
    form: FieldMapping, value: str, says: str
) -> None:
    with pytest.raises(RecordError) as caught:
        form.draft(row(kode_wilayah=value), TODAY)
    assert caught.value.column == "kode_wilayah"
    assert says in caught.value.reason
