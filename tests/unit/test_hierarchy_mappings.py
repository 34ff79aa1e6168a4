"""Tenants in a hierarchy: a mapping's ``parent``, and what ``gateway mappings check``
(and start-up) refuse: an unknown parent, a cycle, a child outside its parent's region."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.cli import app
from gateway.hierarchy import family, inside, parent_of
from gateway.tenants import MappingError, load_tenants
from tests.support import ROOT, TENANT_ENV


def line_of(path: Path, start: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(start))


def folder(tmp_path: Path, **changes: tuple[str, str]) -> Path:
    """Sumatera Barat and Sijunjung from mappings/, each with ``(old, new)`` applied."""
    target = tmp_path / "mappings"
    target.mkdir()
    shutil.copytree(ROOT / "mappings" / "_shared", target / "_shared")
    for tenant in ("sumbar", "sijunjung"):
        text = (ROOT / "mappings" / f"{tenant}.yaml").read_text(encoding="utf-8")
        if tenant in changes:
            old, new = changes[tenant]
            assert old in text
            text = text.replace(old, new, 1)
        (target / f"{tenant}.yaml").write_text(text, encoding="utf-8")
    return target


def check(directory: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["mappings", "check", str(directory)], env=TENANT_ENV)
    return result.exit_code, result.output


def test_the_sample_regency_sits_under_its_province() -> None:
    tenants = load_tenants(ROOT / "mappings", TENANT_ENV)
    sijunjung = tenants["sijunjung"]
    assert (sijunjung.spec.region_code, parent_of(sijunjung)) == ("13.09", "sumbar")
    assert [c.type for c in sijunjung.spec.channels] == ["api"]
    assert family(tenants, "sumbar") == ("sumbar", "sijunjung")
    assert family(tenants, "sijunjung") == ("sijunjung",)
    assert family(tenants, "lampung") == ("lampung",)
    code, output = check(ROOT / "mappings")
    assert code == 0, output
    assert "sijunjung: Pemerintah Kabupaten Sijunjung (region 13.09)" in output
    assert "  parent: sumbar" in output


def test_region_inside_is_by_kemendagri_code_prefix() -> None:
    assert inside("13.09", "13")
    assert inside("13.09.01", "13.09")
    assert not inside("13.09", "12")
    assert not inside("13", "13")
    assert not inside("131.09", "13")


def test_an_unknown_parent_is_refused_with_file_and_line(tmp_path: Path) -> None:
    directory = folder(tmp_path, sijunjung=("parent: sumbar", "parent: sumbarr"))
    path = directory / "sijunjung.yaml"
    code, output = check(directory)
    assert code == 1
    assert (
        f"{path}:{line_of(path, 'parent:')}: parent: unknown parent 'sumbarr': "
        "no mapping file names that tenant"
    ) in output
    with pytest.raises(MappingError) as caught:  # start-up refuses it too
        load_tenants(directory, TENANT_ENV)
    assert [p.split(": ", 1)[0] for p in caught.value.problems] == [
        f"{path}:{line_of(path, 'parent:')}"
    ]


def test_a_tenant_naming_itself_as_parent_is_refused(tmp_path: Path) -> None:
    directory = folder(tmp_path, sijunjung=("parent: sumbar", "parent: sijunjung"))
    path = directory / "sijunjung.yaml"
    code, output = check(directory)
    assert code == 1
    assert (
        f"{path}:{line_of(path, 'parent:')}: parent: tenant 'sijunjung' cannot be its own parent"
    ) in output


def test_a_cycle_is_refused_in_every_file_on_it(tmp_path: Path) -> None:
    directory = folder(
        tmp_path, sumbar=('region_code: "13"\n', 'region_code: "13"\nparent: sijunjung\n')
    )
    code, output = check(directory)
    assert code == 1
    for tenant, loop in (
        ("sumbar", "sumbar -> sijunjung -> sumbar"),
        ("sijunjung", "sijunjung -> sumbar -> sijunjung"),
    ):
        path = directory / f"{tenant}.yaml"
        line = line_of(path, "parent:")
        assert f"{path}:{line}: parent: cycle in parents: {loop}" in output, output
    with pytest.raises(MappingError) as caught:
        load_tenants(directory, TENANT_ENV)
    assert len(caught.value.problems) == 2


def test_a_child_outside_its_parents_region_is_refused(tmp_path: Path) -> None:
    # 12.09 is in Sumatera Utara (12), not inside Sumatera Barat (13)
    directory = folder(tmp_path, sijunjung=('region_code: "13.09"', 'region_code: "12.09"'))
    path = directory / "sijunjung.yaml"
    code, output = check(directory)
    assert code == 1
    assert (
        f"{path}:{line_of(path, 'parent:')}: parent: region 12.09 is outside the region 13 "
        "of its parent 'sumbar'"
    ) in output
