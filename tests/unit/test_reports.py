"""The oversight reports (issue 20, point 3) read back: the XLSX with openpyxl, the PDF
with pypdf, the CSV with the csv module; their figures are the Oversight's."""

from __future__ import annotations

import csv
import re
import subprocess
from dataclasses import replace
from datetime import date, datetime
from io import BytesIO, StringIO

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from gateway.oversight.figures import Period, Row
from gateway.oversight.report_csv import csv_text
from gateway.oversight.report_files import filename, render_report
from gateway.oversight.report_pdf import pdf_bytes
from gateway.oversight.report_tables import FIELDS, period_label
from gateway.oversight.report_xlsx import workbook_bytes
from tests.reports_sample import sample
from tests.support import ROOT, python, scaled

NOW = datetime(2026, 12, 2, 9, 30)  # already in the tenant's zone (WIB)
A4 = (595.28, 841.89)  # points


def rows_of(sheet, top: int = 4) -> tuple[list[str], list[list[object]]]:
    lines = [list(r) for r in sheet.iter_rows(min_row=top, values_only=True)]
    header = [str(v) for v in lines[0]]
    return header, [r for r in lines[1:] if any(v is not None for v in r)]


def test_workbook_sheets_and_figures_are_the_oversights() -> None:
    o = sample()
    book = load_workbook(BytesIO(workbook_bytes(o, "id", NOW)))
    assert book.sheetnames == [
        "Ringkasan",
        "Kabupaten-Kota",
        "Instansi",
        "Kanal",
        "Topik",
        "Tren Bulanan",
    ]
    # the summary: who, when, where, the totals, the definitions
    lines = [r[:2] for r in book["Ringkasan"].iter_rows(values_only=True) if r[0]]
    cut = lines.index(("Definisi", None))
    summary, terms = dict(lines[:cut]), dict(lines[cut + 2 :])
    assert summary["Instansi pengawas"] == "Pemerintah Provinsi Sumatera Barat"
    assert summary["Periode"] == "November 2026"
    assert summary["Tanggal"] == "1 November 2026 - 30 November 2026"
    assert summary["Zona waktu"] == "WIB"
    assert summary["Dibuat"] == "2 Desember 2026 09:30 WIB"
    assert summary["Diterima"] == o.total.received == 1414
    assert summary["Tingkat tindak lanjut"] == o.total.follow_up_rate
    assert summary["Median hari kerja ke selesai"] == o.total.median_days_to_finish
    assert summary["Lewat batas penyelesaian"] == o.total.over_sla_finish
    assert terms == {
        "Diterima": "Disimpan gateway dalam periode.",
        "Tingkat tindak lanjut": "Ditindaklanjuti atau selesai / diterima dalam periode.",
    }

    # per regency and city, with keaktifan: numbers as numbers, rates as percentages
    sheet = book["Kabupaten-Kota"]
    header, rows = rows_of(sheet)
    assert header[:3] == ["Kabupaten/kota", "Kode", "Diterima"]
    assert header[-1] == "Keaktifan"
    assert [r[1] for r in rows] == [r.key for r in o.by_region]
    for line, row in zip(rows, o.by_region, strict=True):
        assert line[0] == row.name
        assert line[2 : 2 + len(FIELDS)] == [getattr(row.counts, f) for f in FIELDS]
        assert line[-1] == ("Aktif" if row.active else "Tidak aktif")
    rate = sheet.cell(5, header.index("Tingkat tindak lanjut") + 1)
    assert rate.value == 0.98 and rate.number_format == "0.0%"
    assert sheet.cell(5, 3).data_type == "n"  # a number, not text

    # agencies in the Oversight's ranking
    header, rows = rows_of(book["Instansi"])
    assert header[:3] == ["Peringkat", "Instansi (OPD)", "Kode"]
    assert [(r[0], r[2]) for r in rows] == [(1, "13.01.KOMINFO"), (2, "13.09.PUPR")]
    assert [r[3] for r in rows] == [r.counts.received for r in o.by_agency]

    _, rows = rows_of(book["Kanal"])
    assert [(r[0], r[1]) for r in rows] == [("Telegram", 1294), ("SMS", 120)]
    _, rows = rows_of(book["Topik"])
    assert [(r[0], r[1]) for r in rows] == [("Infrastruktur", 1294), ("Kesehatan", 120)]

    # the monthly trend, with a native chart
    trend = book["Tren Bulanan"]
    header, rows = rows_of(trend)
    assert [r[0] for r in rows] == [m.label for m in o.monthly]
    assert [r[1] for r in rows] == [m.counts.received for m in o.monthly]
    assert len(trend._charts) == 1


def test_workbook_in_english() -> None:
    book = load_workbook(BytesIO(workbook_bytes(sample(), "en", NOW)))
    assert book.sheetnames == [
        "Summary",
        "Regencies-Cities",
        "Agencies",
        "Channels",
        "Topics",
        "Monthly Trend",
    ]
    header, rows = rows_of(book["Regencies-Cities"])
    assert header[:3] == ["Regency/city", "Code", "Received"]
    assert rows[0][-1] == "Active"
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if r[0]}
    assert summary["Period"] == "November 2026" and summary["Generated"].endswith(" WIB")


def pdf_text(body: bytes) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(BytesIO(body))
    return reader, [page.extract_text() for page in reader.pages]


def test_pdf_holds_the_tenant_the_period_and_the_figures_on_a4_pages() -> None:
    o = sample()
    reader, pages = pdf_text(pdf_bytes(o, "id", NOW))
    assert len(pages) == 8  # summary and charts, five breakdowns, definitions
    for page in reader.pages:  # A4, portrait or landscape
        size = sorted((float(page.mediabox.width), float(page.mediabox.height)))
        assert size == pytest.approx(sorted(A4), abs=0.5)
    assert float(reader.pages[0].mediabox.width) < float(reader.pages[0].mediabox.height)
    first = pages[0]
    assert "Laporan Pengawasan Pengaduan" in first
    assert "Pemerintah Provinsi Sumatera Barat" in first
    assert "Periode: November 2026" in first
    assert "1 November 2026 - 30 November 2026" in first
    assert "2 Desember 2026 09:30 WIB" in first
    # the totals, as people read them: 1.414 received, 97,5 % followed up
    for figure in ("1.414", "1.378", "1.317", "97,5 %", "93,2 %"):
        assert figure in first, figure
    # the charts' words: the trend's legend and months, the rates per regency
    assert "Tren bulanan: diterima, ditindaklanjuti, selesai" in first
    assert "Des 2025" in first and "Nov 2026" in first
    assert "Pemerintah Kabupaten Sijunjung" in first and "91,7 %" in first
    for number, page in enumerate(pages, 1):
        assert f"Halaman {number} dari 8" in page
    regions = pages[1]
    assert "Per kabupaten/kota" in regions and "Keaktifan" in regions
    assert "Tidak aktif" not in regions and "Aktif" in regions
    assert "1.294" in regions and "120" in regions
    agencies = pages[2]
    assert agencies.index("Dinas Komunikasi") < agencies.index("Dinas Pekerjaan Umum")
    assert "Disimpan gateway dalam periode." in pages[-1]
    assert reader.metadata is not None and reader.metadata.title is not None
    assert "Sumatera Barat" in reader.metadata.title


def test_pdf_in_english() -> None:
    _, pages = pdf_text(pdf_bytes(sample(), "en", NOW))
    assert "Complaint Oversight Report" in pages[0] and "Period: November 2026" in pages[0]
    assert "1,414" in pages[0] and "97.5%" in pages[0]
    assert "Page 1 of 8" in pages[0]


def test_pdf_without_months_or_figures() -> None:
    """A tenant with nothing received: no rate, no median, still a report."""
    o = sample(months=0)
    _, pages = pdf_text(pdf_bytes(o, "id", NOW))
    assert "Pemerintah Provinsi Sumatera Barat" in pages[0]


def test_csv_sections_parse_and_hold_the_figures() -> None:
    o = sample()
    lines = list(csv.reader(StringIO(csv_text(o, "id", now=NOW))))
    assert lines[0] == ["Laporan Pengawasan Pengaduan", "Pemerintah Provinsi Sumatera Barat"]
    assert ["Periode", "November 2026"] in lines
    sections: dict[str, list[list[str]]] = {}
    title = None
    for line in lines[8:]:
        if not line:
            title = None
        elif title is None:
            title = line[0]
            sections[title] = []
        else:
            sections[title].append(line)
    assert list(sections) == [
        "Ringkasan",
        "Per kabupaten/kota",
        "Peringkat instansi (OPD)",
        "Per kanal",
        "Per topik",
        "Tren bulanan",
        "Definisi",
    ]
    summary = dict(sections["Ringkasan"][1:])
    assert summary["Diterima"] == "1414" and summary["Tingkat tindak lanjut (%)"] == "97.5"
    header, *rows = sections["Per kabupaten/kota"]
    assert header[-1] == "Keaktifan" and "Tingkat penyelesaian (%)" in header
    assert [r[1] for r in rows] == ["sumbar", "sijunjung", "tanahdatar"]
    quiet = dict(zip(header, rows[2], strict=True))
    assert quiet["Diterima"] == "0" and quiet["Tingkat tindak lanjut (%)"] == ""
    assert len(sections["Tren bulanan"]) == 1 + 12


def test_csv_one_table_alone() -> None:
    text = csv_text(sample(), "en", "agencies", NOW)
    rows = list(csv.DictReader(StringIO(text)))
    assert [r["Code"] for r in rows] == ["13.01.KOMINFO", "13.09.PUPR"]
    assert rows[0]["Rank"] == "1" and rows[0]["Follow-up rate (%)"] == "98.0"
    with pytest.raises(ValueError, match="unknown table"):
        csv_text(sample(), "id", "everything")


def test_file_names_and_formats() -> None:
    assert filename("sumbar", "2026-11", "xlsx") == "pengawasan-sumbar-2026-11.xlsx"
    assert filename("sumbar", "2026-Q4", "pdf") == "pengawasan-sumbar-2026-Q4.pdf"
    assert (
        filename("sumbar", "2026-11-01..2026-11-15", "csv")
        == "pengawasan-sumbar-2026-11-01_2026-11-15.csv"
    )
    body, media = render_report(sample(), "pdf", "id", now=NOW)
    assert body.startswith(b"%PDF-") and media == "application/pdf"
    body, media = render_report(sample(), "xlsx", "en", now=NOW)
    assert body.startswith(b"PK") and media.endswith("spreadsheetml.sheet")
    with pytest.raises(ValueError, match="unknown format"):
        render_report(sample(), "docx")
    with pytest.raises(ValueError, match="unknown language"):
        render_report(sample(), "csv", "fr")


def test_the_report_libraries_are_imported_only_to_make_a_report() -> None:
    """The console (its download route) and the CLI (``gateway report``) start without
    openpyxl or ReportLab: every process and test would pay for them."""
    code = (
        "import sys, gateway.api.app, gateway.cli, gateway.ops.oversight_download; "
        "print(sorted(m for m in ('openpyxl', 'reportlab', 'pypdf') if m in sys.modules))"
    )
    done = subprocess.run(
        [python(), "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=scaled(120)
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_province_of_many_regencies_and_agencies() -> None:
    """35 regencies and cities (Jawa Tengah's count) and 120 agencies: the rates chart
    still fits the first pages, the tables run on over pages with their header."""
    many = Row("k", "Pemerintah Kabupaten dengan Nama yang Cukup Panjang", sample().total)
    o = replace(
        sample(),
        by_region=[replace(many, key=f"k{i}") for i in range(35)],
        by_agency=[replace(many, key=f"a{i}", name=f"Dinas {i}") for i in range(120)],
    )
    _reader, pages = pdf_text(pdf_bytes(o, "id", NOW))
    assert len(pages) > 8
    assert sum("Dinas 119" in page for page in pages) == 2  # counts, then times
    book = load_workbook(BytesIO(workbook_bytes(o, "id", NOW)))
    assert book["Instansi"].max_row == 4 + 120


@pytest.mark.parametrize(
    ("key", "start", "end", "english"),
    [
        ("2026-11", (2026, 11, 1), (2026, 11, 30), "November 2026"),
        ("2026-Q4", (2026, 10, 1), (2026, 12, 31), "Q4 2026"),
        ("2026", (2026, 1, 1), (2026, 12, 31), "2026"),
        (
            "2026-11-01..2026-11-15",
            (2026, 11, 1),
            (2026, 11, 15),
            "1 November 2026 - 15 November 2026",
        ),
    ],
)
def test_english_reports_say_the_period_in_english(key, start, end, english) -> None:
    o = replace(sample(), period=Period(date(*start), date(*end), "label Indonesia", key))
    assert period_label(o, "en") == english
    assert period_label(o, "id") == "label Indonesia"
    book = load_workbook(BytesIO(workbook_bytes(o, "en", NOW)))
    assert ("Period", english) in [r[:2] for r in book["Summary"].iter_rows(values_only=True)]
    months = [r[0] for r in book["Monthly Trend"].iter_rows(min_row=5, values_only=True)]
    assert months[0] == "Dec 2025" and months[-1] == "Nov 2026"  # "Des 2025" in Indonesian


def test_the_pdf_embeds_its_fonts() -> None:
    """Its text is set in Bitstream Vera, embedded (TrueType subsets, with their
    characters' Unicode), not in a reader's stand-in for Helvetica."""
    reader = PdfReader(BytesIO(pdf_bytes(sample(), "id", NOW)))
    for page in reader.pages:
        embedded = {}
        for key, ref in page["/Resources"]["/Font"].items():
            font = ref.get_object()
            if font["/Subtype"] == "/TrueType":
                descriptor = font["/FontDescriptor"].get_object()
                assert "/FontFile2" in descriptor and "/ToUnicode" in font
                embedded[key] = str(font["/BaseFont"]).split("+")[-1]
        assert set(embedded.values()) == {"BitstreamVeraSans-Roman", "BitstreamVeraSans-Bold"}
        # the drawings' initial text state names Helvetica; no text is shown in it
        content = page.get_contents().get_data().decode("latin-1")
        for block in re.findall(r"BT(.*?)ET", content, re.S):
            shown = re.findall(r"(/[\w+]+) [\d.]+ Tf", block)
            if re.search(r"\)\s*Tj|\]\s*TJ", block):
                assert shown and shown[-1] in embedded, block[:200]
