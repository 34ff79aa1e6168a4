"""Importing messy call-centre exports: exact created / duplicate / rejected counts,
re-runs that create nothing, a reject file naming row, column and reason."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from adapters.callcenter.importer import import_file, ticket_mapping
from gateway.cli import app
from gateway.storage.models import Complaint, OutboxJob
from gateway.tenants import load_tenants
from tests.support import ROOT, TENANT_ENV

SAMPLES = ROOT / "tests" / "data" / "callcenter"
ORDER = [
    # file, (rows, created, duplicate, rejected) imported in this order into one database
    ("lampung_semicolon_bom.csv", (25, 20, 1, 4)),
    ("kota_comma_cp1252.csv", (10, 9, 1, 0)),
    ("lampung.xlsx", (10, 9, 0, 1)),
    ("lampung.jsonl", (12, 10, 0, 2)),
]


@pytest.fixture
def mapping():
    tenants = load_tenants(ROOT / "mappings", TENANT_ENV)
    return ticket_mapping(tenants["lampung"], None)


def said(result) -> str:
    """The command's output as one line (the console wraps long lines)."""
    return " ".join(result.output.split())


def _count(factory, model) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_messy_exports_give_exact_counts_and_a_second_run_creates_nothing(
    factory, mapping, tmp_path: Path
) -> None:
    for name, (rows, created, duplicate, rejected) in ORDER:
        path = tmp_path / name
        shutil.copy(SAMPLES / name, path)
        counts = import_file(factory, mapping, path)
        assert (counts.rows, counts.created, counts.duplicate, counts.rejected) == (
            rows,
            created,
            duplicate,
            rejected,
        ), name
    assert _count(factory, Complaint) == 48
    assert _count(factory, OutboxJob) == 48  # one submit job each

    again = import_file(factory, mapping, tmp_path / "lampung_semicolon_bom.csv")
    assert (again.created, again.duplicate, again.rejected) == (0, 21, 4)
    assert _count(factory, Complaint) == 48

    with factory() as session:
        flagged = session.scalars(
            select(Complaint).where(Complaint.source_ref == "LPG-2026-03-0008")  # type: ignore[arg-type]
        ).one()
        assert "PARKIR" in (flagged.review_reason or "")
        confidential = session.scalars(
            select(Complaint).where(Complaint.confidential.is_(True))  # type: ignore[attr-defined]
        ).all()
        assert confidential  # "ya", "Ya", "rahasia" read as yes
        phones = {c.reporter_phone for c in session.scalars(select(Complaint))}
        assert all(p is None or p.startswith("+62") for p in phones)


def test_the_reject_file_names_row_column_and_reason(factory, mapping, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    shutil.copy(SAMPLES / "lampung_semicolon_bom.csv", path)
    counts = import_file(factory, mapping, path)
    assert counts.rejects == tmp_path / "export.csv.rejects.csv"
    with counts.rejects.open(encoding="utf-8-sig", newline="") as f:
        rejected = {int(r["row"]): r for r in csv.DictReader(f)}
    assert sorted(rejected) == [11, 14, 17, 18]
    assert rejected[11]["column"] == "caller_phone" and "too short" in rejected[11]["reason"]
    assert rejected[11]["ticket_no"] == "LPG-2026-03-0010"  # the row itself, to fix and re-send
    assert rejected[14]["reason"].startswith("row 14 has 9 cells, the header has 10")
    assert rejected[17]["column"] == "notes"
    assert rejected[18]["column"] == "tanggal_kejadian" and "future" in rejected[18]["reason"]


def test_cli_import_prints_counts_and_fails_on_rejects(
    engine, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in TENANT_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("GATEWAY_DATABASE_URL", database_url)
    monkeypatch.setenv("GATEWAY_MAPPINGS_DIR", str(ROOT / "mappings"))
    monkeypatch.setenv("GATEWAY_NATIONAL_URL", "http://127.0.0.1:9")
    path = tmp_path / "lampung.jsonl"
    shutil.copy(SAMPLES / "lampung.jsonl", path)
    runner = CliRunner()
    first = runner.invoke(app, ["import", "callcenter", str(path), "--tenant", "lampung"])
    assert first.exit_code == 1, first.output  # some rows were rejected
    assert "12 rows" in said(first) and "10 created, 0 duplicate, 2 rejected" in said(first)
    missing = runner.invoke(
        app, ["import", "callcenter", str(tmp_path / "nope.csv"), "--tenant", "lampung"]
    )
    assert missing.exit_code == 2 and "nope.csv: no such file" in said(missing)
    unknown = runner.invoke(app, ["import", "callcenter", str(path), "--tenant", "atlantis"])
    assert unknown.exit_code == 2 and "unknown tenant 'atlantis'" in said(unknown)

    # the drop folder: each export imported once, then moved to done/
    drop = tmp_path / "drop"
    drop.mkdir()
    shutil.copy(SAMPLES / "lampung.xlsx", drop / "nightly.xlsx")
    (drop / "notes.txt").write_text("no header here", encoding="utf-8")
    watched = runner.invoke(
        app, ["import", "callcenter", str(drop), "--tenant", "lampung", "--watch", "--once"]
    )
    assert watched.exit_code == 0, watched.output
    assert "9 created, 0 duplicate, 1 rejected" in said(watched)
    assert [p.name.split("-", 1)[1] for p in (drop / "done").glob("*.xlsx")] == ["nightly.xlsx"]
    assert not (drop / "nightly.xlsx").exists()
    assert [p.name.split("-", 1)[1] for p in (drop / "failed").iterdir()] == ["notes.txt"]
