"""The oversight reports over a real database (issue 20, point 3): downloaded from the
console (``/ops/pengawasan/unduh``) over loopback by operators of a province, of a
regency below it and of another province, and made by ``gateway report``."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from io import BytesIO, StringIO
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from gateway.cli import app as cli
from gateway.domain.complaint import ComplaintDraft
from gateway.domain.zones import WIB, local
from gateway.oversight import compute
from gateway.storage.intake import record_complaint
from gateway.tenants import load_tenants
from tests.ops_support import Clients, serve_console, signed_in_clients
from tests.support import ROOT, TENANT_ENV, scaled

#: complaints stored today: Sumatera Barat's own and Sijunjung's (a regency below it)
STORED = {"sumbar": 3, "sijunjung": 2, "kalsel": 1}
#: operator -> tenant
OPERATORS = (("sari", "sumbar"), ("joni", "sijunjung"), ("rina", "kalsel"))
REGION = {"sumbar": "13.71", "sijunjung": "13.09", "kalsel": "63.71"}


def this_month() -> str:
    return local(datetime.now(UTC), WIB).strftime("%Y-%m")


def store(factory: sessionmaker[Session]) -> None:
    for tenant, count in STORED.items():
        for i in range(count):
            draft = ComplaintDraft(
                tenant=tenant,
                channel="api",
                source_ref=f"R-{tenant}-{i}",
                title="Jalan rusak",
                content="Jalan rusak parah di depan pasar, dua motor sudah jatuh.",
                region_code=REGION[tenant],
            )
            record_complaint(factory, draft, "{}", "application/json")


@pytest.fixture
def base_url(factory: sessionmaker[Session], database_url: str) -> Iterator[str]:
    store(factory)
    with serve_console(database_url, log_format="auto") as base:
        yield base


@pytest.fixture
def clients(base_url: str, factory: sessionmaker[Session]) -> Iterator[Clients]:
    """Signed in: Sumatera Barat's operator, Sijunjung's, Kalimantan Selatan's."""
    operators = [(name, "tenant", tenant) for name, tenant in OPERATORS]
    # a report is computed and drawn on demand
    with signed_in_clients(base_url, factory, operators, timeout=60) as made:
        yield made


def download(client: httpx.Client, **params: str) -> httpx.Response:
    return client.get("/ops/pengawasan/unduh", params=params)


def figures(factory: sessionmaker[Session], tenant: str) -> compute.Oversight:
    tenants = load_tenants(ROOT / "mappings", TENANT_ENV)
    today = local(datetime.now(UTC), WIB).date()
    return compute.compute(factory, tenants, tenant, compute.parse_period(this_month(), today))


def sheet_rows(book, name: str) -> list[tuple[object, ...]]:
    rows = list(book[name].iter_rows(min_row=5, values_only=True))
    return [r for r in rows if any(v is not None for v in r)]


def test_a_province_downloads_its_workbook_pdf_and_csv(clients, factory) -> None:
    month = this_month()
    answer = download(clients["sari"], tenant="sumbar", period=month, format="xlsx")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    disposition = answer.headers["content-disposition"]
    assert disposition == f'attachment; filename="pengawasan-sumbar-{month}.xlsx"'
    book = load_workbook(BytesIO(answer.content))
    assert book.sheetnames[:2] == ["Ringkasan", "Kabupaten-Kota"]
    o = figures(factory, "sumbar")
    assert o.total.received == STORED["sumbar"] + STORED["sijunjung"]  # not Kalsel's
    lines = [r[:2] for r in book["Ringkasan"].iter_rows(values_only=True)]
    assert ("Diterima", o.total.received) in lines  # the totals, before the definitions
    regions = {r[1]: r[2] for r in sheet_rows(book, "Kabupaten-Kota")}
    assert regions == {"sumbar": STORED["sumbar"], "sijunjung": STORED["sijunjung"]}
    assert regions == {r.key: r.counts.received for r in o.by_region}

    pdf = download(clients["sari"], tenant="sumbar", period=month, format="pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].endswith(f'pengawasan-sumbar-{month}.pdf"')
    reader = PdfReader(BytesIO(pdf.content))
    first = reader.pages[0].extract_text()
    assert o.tenant_name in first and o.period.label in first
    assert "Pemerintah Kabupaten Sijunjung" in first or "Sijunjung" in first
    assert f"Halaman 1 dari {len(reader.pages)}" in first

    english = download(clients["sari"], tenant="sumbar", period=month, format="csv", lang="en")
    assert english.status_code == 200
    assert english.headers["content-type"] == "text/csv; charset=utf-8"
    lines = list(csv.reader(StringIO(english.text)))
    assert ["Received", str(o.total.received)] in lines

    # the console's language, remembered from an earlier page, is the report's too
    clients["sari"].cookies.set("lapor_ops_lang", "en")
    remembered = download(clients["sari"], tenant="sumbar", period=month, format="csv")
    assert ["Received", str(o.total.received)] in list(csv.reader(StringIO(remembered.text)))
    clients["sari"].cookies.set("lapor_ops_lang", "id")

    one = download(clients["sari"], tenant="sumbar", period=month, format="csv", table="regions")
    rows = list(csv.DictReader(StringIO(one.text)))
    assert {r["Kode"]: int(r["Diterima"]) for r in rows} == regions


def test_who_may_download_what(clients) -> None:
    month = this_month()
    # a province sees the regencies below it
    below = download(clients["sari"], tenant="sijunjung", period=month, format="pdf")
    assert below.status_code == 200
    # a regency sees its own figures, not its province's, nor another province's
    own = download(clients["joni"], tenant="sijunjung", period=month, format="xlsx")
    assert own.status_code == 200
    for who, tenant in (("joni", "sumbar"), ("rina", "sumbar"), ("rina", "sijunjung")):
        refused = download(clients[who], tenant=tenant, period=month, format="xlsx")
        assert refused.status_code == 404, (who, tenant)
        assert "content-disposition" not in refused.headers
    unknown = download(clients["sari"], tenant="nowhere", period=month, format="pdf")
    assert unknown.status_code == 404
    # no session: the sign-in page, no file
    anonymous = httpx.get(
        str(clients["sari"].base_url).rstrip("/") + "/ops/pengawasan/unduh",
        params={"tenant": "sumbar", "period": month, "format": "pdf"},
        timeout=scaled(30),
    )
    assert anonymous.status_code in (303, 401) and "content-disposition" not in anonymous.headers


def test_bad_period_format_or_table(clients) -> None:
    bad = download(clients["sari"], tenant="sumbar", period="2026-13", format="pdf")
    assert bad.status_code == 400 and "Periode tidak dikenal" in bad.text
    bad = download(clients["sari"], tenant="sumbar", period="2026-11", format="docx")
    assert bad.status_code == 400 and "Format tidak dikenal" in bad.text
    bad = download(clients["sari"], tenant="sumbar", period="2026-11", format="pdf", table="x")
    assert bad.status_code == 400


def cli_env(database_url: str) -> dict[str, str]:
    return {
        **TENANT_ENV,
        "GATEWAY_DATABASE_URL": database_url,
        "GATEWAY_NATIONAL_URL": "http://127.0.0.1:9",
        "GATEWAY_MAPPINGS_DIR": str(ROOT / "mappings"),
    }


def test_gateway_report_writes_each_format(
    factory, database_url: str, tmp_path: Path, monkeypatch
) -> None:
    store(factory)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    env = cli_env(database_url)
    month = this_month()
    done = runner.invoke(
        cli, ["report", "--tenant", "sumbar", "--period", month, "--format", "xlsx"], env=env
    )
    assert done.exit_code == 0, done.output
    path = tmp_path / f"pengawasan-sumbar-{month}.xlsx"
    assert f"pengawasan-sumbar-{month}.xlsx" in done.output
    book = load_workbook(path)
    o = figures(factory, "sumbar")
    regions = {r[1]: r[2] for r in sheet_rows(book, "Kabupaten-Kota")}
    assert regions == {r.key: r.counts.received for r in o.by_region}

    out = tmp_path / "laporan.pdf"
    args = ["report", "--tenant", "sumbar", "--period", month, "--format", "pdf", "--lang", "en"]
    done = runner.invoke(cli, [*args, "--output", str(out)], env=env)
    assert done.exit_code == 0, done.output
    reader = PdfReader(out)
    first = reader.pages[0].extract_text()
    assert "Complaint Oversight Report" in first and o.tenant_name in first
    assert f"Page 1 of {len(reader.pages)}" in first

    out = tmp_path / "kanal.csv"
    args = ["report", "--tenant", "sumbar", "--period", month, "--format", "csv"]
    done = runner.invoke(cli, [*args, "--table", "regions", "-o", str(out)], env=env)
    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(StringIO(out.read_text(encoding="utf-8"))))
    assert {r["Kode"]: int(r["Diterima"]) for r in rows} == regions


def test_gateway_report_refuses_a_bad_period_or_an_unknown_tenant(
    engine, database_url: str, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    env = cli_env(database_url)
    done = runner.invoke(cli, ["report", "--tenant", "sumbar", "--period", "2026-13"], env=env)
    assert done.exit_code == 2 and "2026-13" in done.output and "tidak dikenal" in done.output
    done = runner.invoke(cli, ["report", "--tenant", "padang", "--period", "2026-11"], env=env)
    assert done.exit_code == 2 and "'padang'" in done.output and "sumbar" in done.output
    done = runner.invoke(
        cli, ["report", "--tenant", "sumbar", "--format", "docx", "--lang", "en"], env=env
    )
    assert done.exit_code == 2 and "unknown format 'docx'" in done.output
    assert not list(tmp_path.glob("pengawasan-*"))  # nothing written
