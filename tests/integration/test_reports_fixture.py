"""The reports of the hand-computed oversight fixture (tests/oversight_fixture.py):
December 2026 for Sumatera Barat and the regencies and cities below it, computed from
the real storage on SQLite and PostgreSQL, read back from the XLSX, the PDF and the CSV;
every figure there is the hand-computed one."""

from __future__ import annotations

import csv
from io import BytesIO, StringIO

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy.orm import Session, sessionmaker

from gateway.oversight.compute import compute, parse_period
from gateway.oversight.figures import Oversight
from gateway.oversight.report_files import render_report
from gateway.oversight.report_tables import FIELDS
from tests import oversight_fixture as fx


@pytest.fixture
def figures(factory: sessionmaker[Session]) -> Oversight:
    fx.build(factory)
    period = parse_period(fx.PERIOD, fx.TODAY)
    return compute(factory, fx.TENANTS, "sumbar", period, now=fx.NOW)


def expected(row: dict[str, object]) -> list[object]:
    return [row[f] for f in FIELDS]


def close(values: list[object], wanted: list[object]) -> bool:
    return all(
        v == pytest.approx(w) if isinstance(w, float) else v == w
        for v, w in zip(values, wanted, strict=True)
    )


def test_the_workbook_holds_the_hand_computed_figures(figures: Oversight) -> None:
    body, _ = render_report(figures, "xlsx")
    book = load_workbook(BytesIO(body))
    lines = [r[:2] for r in book["Ringkasan"].iter_rows(values_only=True)]
    assert ("Periode", "Desember 2026") in lines
    assert ("Diterima", fx.EXPECTED_TOTAL["received"]) in lines
    assert ("Tingkat tindak lanjut", pytest.approx(10 / 21)) in lines
    regions = {r[1]: list(r) for r in book["Kabupaten-Kota"].iter_rows(min_row=5, values_only=True)}
    # the province, then by name: "Pemerintah Kabupaten ..." before "Pemerintah Kota ..."
    assert list(regions) == ["sumbar", "sijunjung", "padang"]
    for key, (wanted, active) in fx.EXPECTED_REGIONS.items():
        line = regions[key]
        assert close(line[2 : 2 + len(FIELDS)], expected(wanted)), key
        assert line[-1] == ("Aktif" if active else "Tidak aktif")
    agencies = [r for r in book["Instansi"].iter_rows(min_row=5, values_only=True)]
    # no agency yet: an empty code, named "Belum ditentukan"
    assert [r[2] or "" for r in agencies] == fx.EXPECTED_AGENCY_ORDER
    assert [r[0] for r in agencies] == list(range(1, len(fx.EXPECTED_AGENCY_ORDER) + 1))
    for line in agencies:
        assert close(list(line[3 : 3 + len(FIELDS)]), expected(fx.EXPECTED_AGENCIES[line[2] or ""]))
    months = {r[0]: r[1] for r in book["Tren Bulanan"].iter_rows(min_row=5, values_only=True)}
    assert months["Nov 2026"] == fx.EXPECTED_NOVEMBER["received"]
    assert months["Des 2026"] == fx.EXPECTED_TOTAL["received"]


def test_the_pdf_and_csv_hold_the_hand_computed_figures(figures: Oversight) -> None:
    body, _ = render_report(figures, "pdf")
    reader = PdfReader(BytesIO(body))
    first = reader.pages[0].extract_text()
    assert "Pemerintah Provinsi Sumatera Barat" in first and "Desember 2026" in first
    # 21 received, 10 of them followed up (47,6 %), 8 finished (38,1 %)
    for figure in ("21", "47,6 %", "38,1 %"):
        assert figure in first, figure
    regions = reader.pages[1].extract_text()
    assert "Pemerintah Kota Padang" in regions and "Tidak aktif" in regions

    body, _ = render_report(figures, "csv", "en", "channels")
    rows = {r["Channel"]: r for r in csv.DictReader(StringIO(body.decode()))}
    names = {"Telegram": "telegram", "API / app": "api", "Web form": "webform"}
    names["SMS"] = "sms"
    assert set(rows) == set(names)
    for name, row in rows.items():
        wanted = fx.EXPECTED_CHANNELS[names[name]]
        assert int(row["Received"]) == wanted["received"]
        assert int(row["Finished"]) == wanted["finished"]
        rate = wanted["follow_up_rate"]
        assert row["Follow-up rate (%)"] == ("" if rate is None else f"{rate * 100:.1f}")
