"""The gazetteer (names to Kemendagri codes) and the point resolver, on the bundled data."""

from __future__ import annotations

import ast
import csv
import gzip
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.cli import app
from gateway.regions.aliases import ALIASES
from gateway.regions.gazetteer import Kind, bundled, dotted, split_name
from gateway.regions.places import bundled_places, distance_km

DATA = Path(__file__).resolve().parents[2] / "gateway" / "regions" / "data"


def test_every_province_regency_city_and_district_of_the_source_loads() -> None:
    # idn-area-data 4.0.1: 38 provinces, 416 regencies and 98 cities (514), 7,285 districts
    with gzip.open(DATA / "regions.csv.gz", "rt", encoding="utf-8") as f:
        source = {row["code"] for row in csv.DictReader(f)}
    regions = bundled().regions
    assert set(regions) == source
    kinds = [r.kind for r in regions.values()]
    assert kinds.count(Kind.PROVINCE) == 38
    assert kinds.count(Kind.REGENCY) == 416
    assert kinds.count(Kind.CITY) == 98
    assert kinds.count(Kind.DISTRICT) == 7285
    assert regions["18.71.01"].name == "Kecamatan Kedaton"
    assert regions["18.71"].name == "Kota Bandar Lampung"
    assert regions["18.71"].province == "Lampung"
    assert regions["63.03"].kind is Kind.REGENCY  # Kabupaten Banjar
    assert regions["31.74"].kind is Kind.CITY  # Kota Administrasi Jakarta Selatan


@pytest.mark.parametrize(
    ("text", "within", "code"),
    [
        ("Kota Bandar Lampung", "18", "18.71"),
        ("kota bandar lampung", None, "18.71"),
        ("Bandarlampung", "18", "18.71"),
        ("Bandar  Lampung", "18", "18.71"),
        ("Kab. Lampung Selatan", "18", "18.01"),
        ("Kabupaten Lampung Selatan", "18", "18.01"),
        ("kab lamsel", None, "18.01"),
        ("LAMSEL", "18", "18.01"),
        ("Banjarmasin", "63", "63.71"),
        ("Banjar", "63", "63.03"),  # Kota Banjar is in Jawa Barat, outside the tenant
        ("Kodya Padang", "13", "13.71"),
        ("Kota Solok", "13", "13.72"),
        ("Kab. Solok", "13", "13.02"),
        ("Mamuju Utara", "76", "76.01"),  # the old name of Pasangkayu
        ("Kota Adm. Jakarta Selatan", None, "31.74"),
        ("Lampung", "18", "18"),
        ("Provinsi Kalimantan Selatan", None, "63"),
        # a district (kecamatan) by its exact name, when no regency or city has it
        ("Kedaton", "18", "18.71.01"),
        ("Kec. Kedaton", "18", "18.71.01"),
        ("Martapura", "63", "63.03.05"),
        ("Metro", "18", "18.72"),  # Kota Metro, though Lampung has no Kecamatan Metro either
    ],
)
def test_names_in_the_forms_people_write(text: str, within: str | None, code: str) -> None:
    found = bundled().resolve(text, within)
    assert found.region is not None, found
    assert found.region.code == code


def test_a_district_name_of_two_regencies_is_ambiguous() -> None:
    # Raja Basa in Lampung Selatan, Rajabasa in Bandar Lampung
    found = bundled().resolve("Rajabasa", "18")
    assert found.problem == "ambiguous"
    assert [m.region.code for m in found.matches] == ["18.01.16", "18.71.10"]


def test_a_name_of_two_regions_is_ambiguous_and_names_both() -> None:
    found = bundled().resolve("Solok", "13")
    assert found.region is None
    assert found.problem == "ambiguous"
    assert [m.region.code for m in found.matches] == ["13.02", "13.72"]
    across = bundled().resolve("Banjar")
    assert across.problem == "ambiguous"
    assert {m.region.code for m in across.matches} == {"32.79", "63.03"}


def test_a_name_outside_the_tenant_is_unknown_with_the_closest_inside() -> None:
    found = bundled().resolve("Kota Bandung", "18")
    assert found.region is None and found.problem == "unknown"
    assert all(m.region.code.startswith("18") for m in found.matches)
    near = bundled().resolve("Tulang Bawang Brt", "18")  # two regencies come close
    assert near.region is None and near.problem == "unknown"
    assert [m.region.code for m in near.matches[:2]] == ["18.12", "18.05"]
    assert 0.6 <= near.matches[0].score < 1


@pytest.mark.parametrize(
    ("text", "within", "code"),
    [
        ("Bandar Lampong", "18", "18.71"),
        ("Lampung Selatn", "18", "18.01"),
        ("Banjarmasn", "63", "63.71"),
        ("Padang Panjan", "13", "13.74"),
    ],
)
def test_a_name_close_to_one_region_only_is_that_region_misspelt(
    text: str, within: str, code: str
) -> None:
    found = bundled().resolve(text, within)
    assert found.region is not None and found.region.code == code
    assert 0.88 <= found.matches[0].score < 1


@pytest.mark.parametrize(
    ("text", "within"),
    [
        ("Solk", "13"),  # Kabupaten and Kota Solok alike
        ("Kota Banjar", "63"),  # the regency is not the city misspelt
        ("Kota Metr", "18"),  # too short to guess
    ],
)
def test_a_near_name_is_not_guessed_when_it_could_be_another(text: str, within: str) -> None:
    found = bundled().resolve(text, within)
    assert found.region is None and found.problem == "unknown"


def test_the_kind_word_must_fit() -> None:
    assert bundled().resolve("Kota Lampung Selatan", "18").problem == "unknown"
    assert split_name("Kab. Lampung-Selatan") == (Kind.REGENCY, "lampungselatan")
    assert split_name("Kotabaru") == (None, "kotabaru")


def test_every_alias_names_one_region() -> None:
    gazetteer = bundled()
    for alias in ALIASES:
        assert gazetteer.resolve(alias).region is not None, alias


def test_codes_undotted_become_dotted() -> None:
    assert dotted("1871") == "18.71"
    assert dotted("18.71") == "18.71"
    assert dotted("18") == "18"


@pytest.mark.parametrize(
    ("lat", "lon", "within", "code"),
    [
        (-5.42917, 105.26111, "18", "18.71"),  # Bandar Lampung, Tugu Adipura
        (-5.3971, 105.2668, "18", "18.71"),  # Way Halim, Bandar Lampung
        (-5.73805, 105.5916, "18", "18.01"),  # Kalianda, Lampung Selatan
        (-5.1132, 105.3067, "18", "18.72"),  # Metro
        (-3.31987, 114.59075, "63", "63.71"),  # Banjarmasin
        (-0.94924, 100.35427, "13", "13.71"),  # Padang
        (-2.6748, 118.8885, "76", "76.02"),  # Mamuju
    ],
)
def test_a_point_resolves_to_its_regency_or_city(
    lat: float, lon: float, within: str, code: str
) -> None:
    found = bundled_places().locate(lat, lon, within)
    assert found is not None
    assert found.region.code == code


def test_a_point_outside_the_region_is_not_placed() -> None:
    # Banjarmasin's coordinates, searched inside Lampung
    assert bundled_places().locate(-3.31987, 114.59075, "18") is None
    # the Indian Ocean, far from any place
    assert bundled_places().locate(-12.0, 95.0) is None


def test_every_bundled_place_is_a_known_regency_or_city() -> None:
    places = bundled_places()
    assert len(places.places) > 8000
    codes = {p.code for p in places.places}
    assert codes <= set(bundled().regions)
    assert all(len(c) == 5 for c in codes)
    assert round(distance_km(0, 100, 1, 100), 1) == 111.2  # a degree of latitude


def test_regions_package_imports_no_framework() -> None:
    allowed = {"__future__", "csv", "difflib", "gzip", "re", "collections", "dataclasses"}
    allowed |= {"enum", "functools", "importlib", "math", "gateway"}
    for module in (DATA.parent).glob("*.py"):
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module.split(".")[0] in allowed, (module.name, node.module)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    assert alias.name.split(".")[0] in allowed, (module.name, alias.name)


def test_cli_find_shows_code_kind_name_province_and_score() -> None:
    result = CliRunner().invoke(app, ["regions", "find", "kab lamsel"])
    assert result.exit_code == 0, result.output
    assert "18.01\tkabupaten\tKabupaten Lampung Selatan\tLampung\t1.00" in result.output
    english = CliRunner().invoke(
        app, ["regions", "find", "Solok", "--within", "13", "--lang", "en"]
    )
    assert english.exit_code == 1
    assert "ambiguous" in english.output
    assert "13.72\tcity\tKota Solok" in english.output
    unknown = CliRunner().invoke(app, ["regions", "find", "Kota Bandung", "--within", "18"])
    assert unknown.exit_code == 1
    assert "tidak dikenal" in unknown.output


def test_cli_at_names_the_city_of_a_point() -> None:
    result = CliRunner().invoke(app, ["regions", "at", "--within", "18", "--", "-5.43", "105.26"])
    assert result.exit_code == 0, result.output
    assert "18.71 Kota Bandar Lampung" in result.output
