"""Importing messy call-centre exports: exact created / duplicate / rejected counts,
re-runs that create nothing, a reject file naming row, column and reason."""

from __future__ import annotations

import csv
import json
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
    # file, (rows, created, updated, duplicate, rejected) imported in this order into one
    # database; the city's export repeats LPG-2026-03-0001 with longer notes: updated
    ("lampung_semicolon_bom.csv", (25, 20, 0, 1, 4)),
    ("kota_comma_cp1252.csv", (10, 9, 1, 0, 0)),
    ("lampung.xlsx", (10, 9, 0, 0, 1)),
    ("lampung.jsonl", (12, 10, 0, 0, 2)),
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
    for name, expected in ORDER:
        path = tmp_path / name
        shutil.copy(SAMPLES / name, path)
        counts = import_file(factory, mapping, path)
        got = (counts.rows, counts.created, counts.updated, counts.duplicate, counts.rejected)
        assert got == expected, name
    assert _count(factory, Complaint) == 48
    assert _count(factory, OutboxJob) == 49  # one submit job each, one comment

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
    lines = first.output.splitlines()
    assert "lampung.jsonl: 12 baris dalam" in said(first) and "baris/dtk" in said(first)
    assert "10 baru, 0 berubah, 0 sama, 2 ditolak" in lines
    rejected = [line for line in lines if line.startswith("lampung.jsonl baris ")]
    assert len(rejected) == 2 and all(", kolom " in line for line in rejected)
    summary = [line for line in lines if line.startswith("lampung.jsonl: ")]
    assert all(len(line) <= 80 for line in [*summary, *rejected])  # the path's line may not
    assert f"ditolak: lihat {path}.rejects.csv" in lines
    english = runner.invoke(
        app, ["import", "callcenter", str(path), "--tenant", "lampung", "--lang", "en"]
    )
    assert english.exit_code == 1, english.output
    assert "0 created, 0 updated, 10 duplicate, 2 rejected" in english.output.splitlines()
    assert any(line.startswith("lampung.jsonl row ") for line in english.output.splitlines())
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
    assert "9 baru, 0 berubah, 0 sama, 1 ditolak" in said(watched)
    assert [p.name.split("-", 1)[1] for p in (drop / "done").glob("*.xlsx")] == ["nightly.xlsx"]
    assert not (drop / "nightly.xlsx").exists()
    assert [p.name.split("-", 1)[1] for p in (drop / "failed").iterdir()] == ["notes.txt"]


HEADER = "ticket_no;subject;notes;kategori;caller_phone;kode_wilayah;tanggal_kejadian\n"
NOTES = "Pelapor menyampaikan jalan di depan pasar Kedaton berlubang besar."


def _export(path: Path, *rows: str) -> Path:
    path.write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def _comments(factory) -> list[str]:
    with factory() as session:
        jobs = session.scalars(
            select(OutboxJob).where(OutboxJob.kind == "comment").order_by(OutboxJob.id)  # type: ignore[arg-type]
        ).all()
        return [json.loads(job.payload)["text"] for job in jobs]


def test_a_changed_ticket_is_updated_once_per_version(factory, mapping, tmp_path: Path) -> None:
    first = f"CC-1;Jalan berlubang;{NOTES};JALAN;0812-3456-7890;18.71;21/03/2026"
    other = "CC-2;Lampu mati;Pelapor menyampaikan lampu jalan mati.;PJU;;18.71;21/03/2026"
    path = _export(tmp_path / "export.csv", first, other)
    counts = import_file(factory, mapping, path)
    assert (counts.created, counts.updated, counts.duplicate) == (2, 0, 0)

    changed = first.replace(NOTES, NOTES + " Update: ada korban luka.")
    _export(path, changed, other)
    counts = import_file(factory, mapping, path)
    assert (counts.created, counts.updated, counts.duplicate) == (0, 1, 1)
    assert _comments(factory) == [NOTES + " Update: ada korban luka."]

    again = import_file(factory, mapping, path)  # the same file a third time: nothing new
    assert (again.created, again.updated, again.duplicate) == (0, 0, 2)
    assert len(_comments(factory)) == 1

    # two more versions in one file: one comment each, the stored complaint unchanged
    newer = changed.replace("luka.", "luka, dibawa ke RSUD.")
    _export(path, changed, other, newer, first.replace(NOTES, NOTES + " Selesai."))
    counts = import_file(factory, mapping, path)
    assert (counts.updated, counts.duplicate) == (2, 2)
    assert [text[len(NOTES) :] for text in _comments(factory)] == [
        " Update: ada korban luka.",
        " Update: ada korban luka, dibawa ke RSUD.",
        " Selesai.",
    ]
    assert _count(factory, Complaint) == 2
    with factory() as session:
        stored = session.scalars(select(Complaint).where(Complaint.source_ref == "CC-1")).one()  # type: ignore[arg-type]
        assert stored.content == NOTES


def test_each_run_writes_its_own_rejects_file(factory, mapping, tmp_path: Path) -> None:
    good = f"CC-1;Jalan berlubang;{NOTES};JALAN;0812-3456-7890;18.71;21/03/2026"
    bad_phone = f"CC-2;Lampu mati;{NOTES};PJU;08-12;18.71;21/03/2026"
    bad_date = f"CC-3;Banjir;{NOTES};BANJIR;;18.71;31/02/2026"
    path = _export(tmp_path / "export.csv", good, bad_phone)
    rejects = tmp_path / "export.csv.rejects.csv"

    def rejected_rows() -> dict[int, str]:
        with rejects.open(encoding="utf-8-sig", newline="") as f:
            return {int(r["row"]): r["column"] for r in csv.DictReader(f)}

    assert import_file(factory, mapping, path).rejects == rejects
    assert rejected_rows() == {3: "caller_phone"}  # spreadsheet rows: the header is row 1

    _export(path, good, bad_phone.replace("08-12", "0812-1111-2222"), bad_date)
    counts = import_file(factory, mapping, path)
    assert counts.rejects == rejects and counts.rejected == 1
    assert rejected_rows() == {4: "tanggal_kejadian"}  # this run's only, not the last one's

    _export(path, good, bad_phone.replace("08-12", "0812-1111-2222"))
    counts = import_file(factory, mapping, path)
    assert counts.rejected == 0 and counts.rejects is None
    assert not rejects.exists()  # no stale file listing rows that are now fine
