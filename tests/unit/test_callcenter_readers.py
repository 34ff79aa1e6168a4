"""Call-centre exports read as rows: the samples in tests/data/callcenter and small inline files.

The readers report structural problems only (cells, bytes, JSON); what the values mean
is the importer's business. See tests/data/callcenter/README.md for the samples.
"""

from __future__ import annotations

import io
import os
import re
import tracemalloc
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import pytest
from openpyxl import Workbook

from adapters.callcenter.readers import SNIFF_BYTES, BadRow, Export, Row, open_export
from tests.support import ROOT

SAMPLES = ROOT / "tests" / "data" / "callcenter"
LAMPUNG_COLUMNS = [
    "ticket_no", "subject", "notes", "kategori", "caller_name", "caller_phone",
    "lokasi", "kode_wilayah", "tanggal_kejadian", "rahasia",
]  # fmt: skip
KOTA_COLUMNS = [
    "tanggal_kejadian", "ticket_no", "kategori", "caller_name", "caller_phone",
    "subject", "notes", "lokasi", "kode_wilayah", "rahasia",
]  # fmt: skip


def read(path: Path, **options: str) -> tuple[Export, list[Row | BadRow]]:
    with open_export(path, **options) as export:
        items = list(export)
    return export, items


def read_bytes(
    tmp_path: Path, data: bytes, name: str = "export.csv", **options: str
) -> tuple[Export, list[Row | BadRow]]:
    path = tmp_path / name
    path.write_bytes(data)
    return read(path, **options)


def summary(items: list[Row | BadRow]) -> list[tuple[int, dict[str, str] | str]]:
    """(number, values) per row and (number, reason) per bad row."""
    return [(i.number, i.values if isinstance(i, Row) else i.reason) for i in items]


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


# the samples


@dataclass(frozen=True)
class Sample:
    format: str
    encoding: str | None
    delimiter: str | None
    columns: list[str]
    good: list[int]
    bad: dict[int, str] = field(default_factory=dict)


SAMPLE_FILES = {
    "lampung_semicolon_bom.csv": Sample(
        "csv", "utf-8-sig", ";", LAMPUNG_COLUMNS,
        good=[*range(2, 13), *range(15, 28)],  # 13 is blank
        bad={14: "has 9 cells, the header has 10"},
    ),
    "kota_comma_cp1252.csv": Sample(
        "csv", "cp1252", ",", KOTA_COLUMNS, good=[2, 3, 4, *range(6, 13)]  # 5 is ",,,,"
    ),
    "lampung.xlsx": Sample(
        "xlsx", None, None, LAMPUNG_COLUMNS,
        good=[2, 3, 4, 5, 7, 9, 10, 11, 12],  # 6 is empty
        bad={8: "has a value in column K, the header has 10 columns"},
    ),
    "lampung.jsonl": Sample(
        "jsonl", "utf-8", None, LAMPUNG_COLUMNS,
        good=[1, 2, 3, *range(7, 14)],  # 6 is blank
        bad={
            4: "is not valid JSON: Unterminated string starting at column 65",
            5: "is not a JSON object",
        },
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_sample_rows(name: str) -> None:
    expected = SAMPLE_FILES[name]
    export, items = read(SAMPLES / name)
    assert (export.format, export.encoding, export.delimiter) == (
        expected.format,
        expected.encoding,
        expected.delimiter,
    )
    assert export.columns == expected.columns
    assert [i.number for i in items if isinstance(i, Row)] == expected.good
    assert {i.number: i.reason for i in items if isinstance(i, BadRow)} == expected.bad
    assert all(set(i.values) == set(expected.columns) for i in items if isinstance(i, Row))
    assert export.total_bytes == (SAMPLES / name).stat().st_size
    assert export.bytes_read() == export.total_bytes


@pytest.mark.parametrize(
    ("name", "number", "column", "expected"),
    [
        # a quoted field with ";" and a line break (CRLF, read as "\n"), one Excel row
        ("lampung_semicolon_bom.csv", 6, "subject", "Air PDAM keruh; kadang tidak mengalir"),
        ("lampung_semicolon_bom.csv", 6, "notes",
         "Pelapor menyampaikan bahwa air PDAM di rumahnya keruh; warnanya kecoklatan.\n"
         "Sudah tiga hari air hanya mengalir pada malam hari."),
        ("lampung_semicolon_bom.csv", 7, "ticket_no", "LPG-2026-03-0006"),
        ("lampung_semicolon_bom.csv", 3, "rahasia", "ya"),  # then a trailing ";"
        ("lampung_semicolon_bom.csv", 3, "tanggal_kejadian", "21/03/2026 14.05"),
        ("lampung_semicolon_bom.csv", 16, "ticket_no", "LPG-2026-03-0007"),  # row 8 again
        ("lampung_semicolon_bom.csv", 17, "notes", ""),
        ("lampung_semicolon_bom.csv", 23, "subject",
         'Warga menyebut gorong-gorong "tidak pernah dibersihkan"'),
        ("kota_comma_cp1252.csv", 2, "subject", "Jl. Sudirman \u2013 Pasar Bawah rusak"),
        ("kota_comma_cp1252.csv", 3, "lokasi", "Kaf\u00e9 Senja, Jl. Diponegoro"),
        ("kota_comma_cp1252.csv", 4, "caller_phone", ""),
        ("kota_comma_cp1252.csv", 6, "ticket_no", "LPG-2026-03-0001"),
        ("kota_comma_cp1252.csv", 7, "subject", "Diminta Rp 50.000 untuk pasang meteran"),
        ("lampung.xlsx", 2, "tanggal_kejadian", "01/04/2026"),
        ("lampung.xlsx", 3, "tanggal_kejadian", "01/04/2026 09.30"),
        ("lampung.xlsx", 3, "caller_phone", "81277665544"),  # a number: the 0 is gone
        ("lampung.xlsx", 5, "subject", "Jalan rusak"),  # a formula's cached value
        ("lampung.xlsx", 9, "rahasia", "true"),  # a boolean cell
        ("lampung.jsonl", 1, "rahasia", "false"),
        ("lampung.jsonl", 2, "caller_phone", "6281234567890"),  # a JSON number
        ("lampung.jsonl", 3, "ticket_no", "20260503"),
        ("lampung.jsonl", 3, "rahasia", ""),  # null
        ("lampung.jsonl", 8, "ticket_no", "LPG-2026-05-0207"),  # keys in another order
    ],
)  # fmt: skip
def test_sample_values(name: str, number: int, column: str, expected: str) -> None:
    _, items = read(SAMPLES / name)
    (row,) = [i for i in items if i.number == number]
    assert isinstance(row, Row)
    assert row.values[column] == expected


def test_sample_bad_rows_keep_their_text() -> None:
    _, items = read(SAMPLES / "lampung_semicolon_bom.csv")
    (bad,) = [i for i in items if isinstance(i, BadRow)]
    assert bad.raw.startswith("LPG-2026-03-0012;Pungli pembuatan surat keterangan;")
    _, items = read(SAMPLES / "lampung.xlsx")
    (bad,) = [i for i in items if isinstance(i, BadRow)]
    assert bad.raw.startswith("LPG-2026-04-0106\tKTP hilang") and bad.raw.endswith("cek lagi besok")


# CSV: encodings, delimiters, cells


@pytest.mark.parametrize(
    ("data", "encoding", "delimiter", "rows"),
    [
        pytest.param(b"a,b\nx,\xc3\xa9\n", "utf-8", ",", [(2, {"a": "x", "b": "\u00e9"})],
                     id="utf-8"),
        pytest.param(b"\xef\xbb\xbfa;b\r\n1;2\r\n", "utf-8-sig", ";", [(2, {"a": "1", "b": "2"})],
                     id="bom"),
        pytest.param(b"a;b\r\nJl. Sudirman \x96 Pasar;Rp 50.000 caf\xe9\r\n", "cp1252", ";",
                     [(2, {"a": "Jl. Sudirman \u2013 Pasar", "b": "Rp 50.000 caf\u00e9"})],
                     id="cp1252"),
        pytest.param(b"a\tb\nx y\tz\n", "utf-8", "\t", [(2, {"a": "x y", "b": "z"})], id="tab"),
        pytest.param(b"a;b;c,d\n1;2;3,4\n", "utf-8", ";", [(2, {"a": "1", "b": "2", "c,d": "3,4"})],
                     id="more-semicolons-than-commas"),
        pytest.param(b"a,b;c\n1,2;3\n", "utf-8", ",", [(2, {"a": "1", "b;c": "2;3"})],
                     id="tie-is-comma"),
        pytest.param(b"only\nx\n", "utf-8", ",", [(2, {"only": "x"})], id="one-column"),
        pytest.param(b'a;b\n1;"x\ny;z"\n2;w\n', "utf-8", ";",
                     [(2, {"a": "1", "b": "x\ny;z"}), (3, {"a": "2", "b": "w"})],
                     id="multi-line-field-is-one-row"),
        pytest.param(b'a, b\n"x, y", "say ""hi"""\n', "utf-8", ",",
                     [(2, {"a": "x, y", "b": 'say "hi"'})], id="quotes-and-spaces"),
        pytest.param(b" a ; b \n  1 ;  2  \n", "utf-8", ";", [(2, {"a": "1", "b": "2"})],
                     id="stripped"),
        pytest.param(b"a;b\n1;2;\n3;;\n", "utf-8", ";",
                     [(2, {"a": "1", "b": "2"}), (3, {"a": "3", "b": ""})],
                     id="trailing-delimiter"),
        pytest.param(b"a;b;\n1;2;\n3;4\n", "utf-8", ";",
                     [(2, {"a": "1", "b": "2"}), (3, {"a": "3", "b": "4"})],
                     id="trailing-delimiter-in-header"),
        pytest.param(b"a;b\n1;2", "utf-8", ";", [(2, {"a": "1", "b": "2"})],
                     id="no-final-newline"),
    ],
)  # fmt: skip
def test_csv_detects(
    tmp_path: Path, data: bytes, encoding: str, delimiter: str, rows: list[object]
) -> None:
    export, items = read_bytes(tmp_path, data)
    assert (export.encoding, export.delimiter) == (encoding, delimiter)
    assert summary(items) == rows


@pytest.mark.parametrize(
    ("data", "options", "expected"),
    [
        pytest.param(b"a;b;c\n1;2\n4;5;6\n", {},
                     [(2, "has 2 cells, the header has 3"), (3, {"a": "4", "b": "5", "c": "6"})],
                     id="short"),
        pytest.param(b"a;b\nhello\n", {}, [(2, "has 1 cell, the header has 2")], id="one-cell"),
        pytest.param(b"a;b\n1;2;3\n1;2;;\n", {},
                     [(2, "has 3 cells, the header has 2"), (3, "has 4 cells, the header has 2")],
                     id="long"),
        pytest.param(b"\n\na;b\n\n1;2\n   \n;\n3;4\n", {},
                     [(5, {"a": "1", "b": "2"}), (8, {"a": "3", "b": "4"})],
                     id="blank-lines-skipped-and-counted"),
        pytest.param(b"a;b\n1;\xc3\xa9\n2;\xe9t\xe9\n3;ok\n", {"encoding": "utf-8"},
                     [(2, {"a": "1", "b": "\u00e9"}), (3, "is not valid UTF-8 text at byte 11"),
                      (4, {"a": "3", "b": "ok"})],
                     id="invalid-utf-8-line"),
        pytest.param(b'a;b\n1;"x\n\xff\ny"\n2;z\n', {"encoding": "utf-8"},
                     [(2, "is not valid UTF-8 text at byte 9"), (3, {"a": "2", "b": "z"})],
                     id="invalid-utf-8-inside-a-multi-line-field"),
        pytest.param(b"a;b\n\x96;1\n\x81;2\n", {},
                     [(2, {"a": "\u2013", "b": "1"}), (3, "is not valid cp1252 text at byte 8")],
                     id="byte-cp1252-lacks"),
        pytest.param(b'a;b\n1;2\n3;"never closed\n4;5\n', {},
                     [(2, {"a": "1", "b": "2"}), (3, 'has a quote (") that is never closed')],
                     id="quote-never-closed"),
        pytest.param(b"a;b\n1;x\ry\n2;z\n", {},
                     [(2, "has a line break (CR) outside quotes"), (3, {"a": "2", "b": "z"})],
                     id="carriage-return-in-a-field"),
        pytest.param(b"a,b\n1;2\n", {"delimiter": ";"},
                     [(2, "has 2 cells, the header has 1")], id="delimiter-given"),
        pytest.param(b"a;b\n\xc3\xa9;2\n", {"encoding": "cp1252"},
                     [(2, {"a": "\u00c3\u00a9", "b": "2"})], id="encoding-given"),
    ],
)  # fmt: skip
def test_csv_rows(
    tmp_path: Path, data: bytes, options: dict[str, str], expected: list[object]
) -> None:
    _, items = read_bytes(tmp_path, data, **options)
    assert summary(items) == expected


def test_csv_bad_row_raw_text(tmp_path: Path) -> None:
    _, items = read_bytes(tmp_path, b"a;b\r\n" + b"x" * 5000 + b"\r\n")
    assert items == [BadRow(2, "has 1 cell, the header has 2", "x" * 2000)]
    _, items = read_bytes(tmp_path, b"a;b\n2;\xe9t\xe9\n", encoding="utf-8")
    assert items == [BadRow(2, "is not valid UTF-8 text at byte 6", "2;\\xe9t\\xe9")]
    _, items = read_bytes(tmp_path, b'a;b\r\n1;"x\r\ny";3\r\n')
    assert items == [BadRow(2, "has 3 cells, the header has 2", '1;"x\r\ny";3')]


def test_a_bom_is_dropped_when_the_encoding_is_given(tmp_path: Path) -> None:
    export, items = read_bytes(tmp_path, b"\xef\xbb\xbfa;b\n1;2\n", encoding="utf-8")
    assert (export.encoding, export.columns) == ("utf-8", ["a", "b"])
    assert summary(items) == [(2, {"a": "1", "b": "2"})]


def test_csv_a_field_past_csv_limit_is_one_bad_row_and_reading_goes_on(tmp_path: Path) -> None:
    data = b'a;b\n1;"' + b"x" * 100 + b"\n" + b"y;z\n" * 40_000 + b"3;4\n"
    _, items = read_bytes(tmp_path, data)
    bad = items[0]
    assert isinstance(bad, BadRow) and bad.number == 2
    assert bad.reason == "has a field longer than 131072 characters (a quote never closed?)"
    assert bad.raw.startswith('1;"xxx') and len(bad.raw) == 2000
    assert items[-1] == Row(items[-1].number, {"a": "3", "b": "4"})


def test_encoding_is_utf_8_when_a_character_straddles_the_sniffed_chunk(tmp_path: Path) -> None:
    line = b"x;" + b"a" * 97 + b"\n"  # 100 bytes
    head = b"a;b\n" + line * ((SNIFF_BYTES - 4) // 100)
    filler = b"c" * (SNIFF_BYTES - len(head) - 3)
    data = head + b"x;" + filler + "\u00e9".encode() + b"\n"  # é = c3 | a9 at the boundary
    assert data[SNIFF_BYTES - 1 : SNIFF_BYTES + 1] == "\u00e9".encode()
    export, items = read_bytes(tmp_path, data)
    assert export.encoding == "utf-8"
    assert isinstance(items[-1], Row) and items[-1].values["b"].endswith("c\u00e9")


def test_invalid_utf_8_after_the_sniffed_chunk_is_one_bad_row(tmp_path: Path) -> None:
    rows = b"1;" + b"caf\xc3\xa9 " * 200 + b"\n"
    data = b"a;b\n" + rows * 1000 + b"x;caf\xe9\n" + b"y;ok\n"
    assert len(data) > SNIFF_BYTES
    export, items = read_bytes(tmp_path, data)
    assert export.encoding == "utf-8"
    assert summary(items[-2:]) == [
        (1002, f"is not valid UTF-8 text at byte {len(data) - 7}"),
        (1003, {"a": "y", "b": "ok"}),
    ]


@pytest.mark.parametrize(
    ("name", "data", "options", "message"),
    [
        ("dup.csv", b"a;b;a\n1;2;3\n", {}, "the header has the column 'a' twice"),
        ("empty.csv", b"", {}, "has no header"),
        ("blank.csv", b"\n\r\n;;\n  \n", {}, "has no header"),
        ("gap.csv", b"a;;c\n", {}, "column 2 of the header has no name"),
        ("utf16.csv", "a\tb\n".encode("utf-16"), {}, "is UTF-16"),
        ("utf16.txt", b"a;b\n", {"encoding": "utf-16"}, "not an encoding for CSV"),
        ("nosuch.csv", b"a;b\n", {"encoding": "klingon"}, "unknown encoding 'klingon'"),
        ("mac.csv", b"a;b\r1;2\r", {}, "ends lines with CR alone"),
        ("header.csv", b"\xffa;b\n", {"encoding": "utf-8"},
         "the header (row 1) is not valid UTF-8 text at byte 0"),
        ("tickets.xls", b"a;b\n", {}, "unknown export format '.xls'"),
        ("tickets", b"a;b\n", {}, "unknown export format ''"),
        ("empty.jsonl", b"\n \n", {}, "has no header"),
        ("not-a-book.xlsx", b"a;b\n1;2\n", {}, "is not an XLSX workbook"),
    ],
)  # fmt: skip
def test_unreadable_files(
    tmp_path: Path, name: str, data: bytes, options: dict[str, str], message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    before = open_fds()
    with pytest.raises(ValueError, match=re.escape(message)) as caught:
        open_export(path, **options)
    assert name in str(caught.value)
    assert open_fds() == before


# JSON Lines


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            b'{"n": 1, "f": 1.50, "e": 1e5, "neg": -0, "t": true, "no": false, "z": null}\n',
            [(1, {"n": "1", "f": "1.50", "e": "1e5", "neg": "-0", "t": "true", "no": "false",
                  "z": ""})],
            id="scalars-as-written"),
        pytest.param(
            b'{"s": "  padded  ", "o": {"x": [1, 2.50, "a\\"b", null, true]}}\n',
            [(1, {"s": "padded", "o": '{"x":[1,2.50,"a\\"b",null,true]}'})],
            id="strings-stripped-nested-as-json"),
        pytest.param(
            b'\xef\xbb\xbf{"a": "\xc3\xa9"}\r\n\r\n{"a": "b"}',
            [(1, {"a": "\u00e9"}), (3, {"a": "b"})],
            id="bom-crlf-blank-line"),
        pytest.param(
            b'{"a": 1}\n[1, 2]\n"text"\n42\n',
            [(1, {"a": "1"}), (2, "is not a JSON object"), (3, "is not a JSON object"),
             (4, "is not a JSON object")],
            id="not-objects"),
        pytest.param(
            b'{"a": 1,}\n{"a" 1}\n',
            [(1, "is not valid JSON: Expecting property name enclosed in double quotes "
                 "at column 9"),
             (2, "is not valid JSON: Expecting ':' delimiter at column 6")],
            id="not-json"),
        pytest.param(b'{"a": 1, "a": 2}\n', [(1, "has the key 'a' twice")], id="duplicate-key"),
        pytest.param(
            b'{"a": "\xc3\xa9"}\n{"a": "\xe9"}\n{"a": 2}\n',
            [(1, {"a": "\u00e9"}), (2, "is not valid UTF-8 text at byte 19"), (3, {"a": "2"})],
            id="invalid-utf-8-line"),
    ],
)  # fmt: skip
def test_jsonl_rows(tmp_path: Path, data: bytes, expected: list[object]) -> None:
    _, items = read_bytes(tmp_path, data, "export.jsonl")
    assert summary(items) == expected


@pytest.mark.parametrize("name", ["x.jsonl", "x.ndjson", "x.json", "X.JSONL"])
def test_jsonl_columns_are_the_first_object_s_keys(tmp_path: Path, name: str) -> None:
    export, items = read_bytes(tmp_path, b'nope\n{"b": 1, "a": 2}\n{"c": 3}\n', name)
    assert (export.format, export.columns) == ("jsonl", ["b", "a"])
    assert summary(items) == [
        (1, "is not valid JSON: Expecting value at column 1"),
        (2, {"b": "1", "a": "2"}),
        (3, {"c": "3"}),  # objects need not have the same keys
    ]


# XLSX


def workbook_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_cells(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A3"], sheet["B3"], sheet["C3"] = "tanggal", " nomor ", "catatan"  # first non-empty
    sheet["A2"].number_format = "dd/mm/yyyy"  # a styled, empty cell above it
    rows: list[list[object]] = [
        [date(2026, 3, 21), 812345678, "  rapi  "],
        [datetime(2026, 3, 21, 14, 5), 81234567890.0, 1.5],
        [datetime(2026, 3, 21), 0.1 + 0.2, False],
        [time(7, 30), -3, '="Jalan "&"rusak"'],  # never calculated: no cached value
        [None, "  ", None],
        ["21 Maret 2026"],  # empty cells at the end are not stored
        [None, None, "x", None, "stray"],
    ]
    for number, cells in enumerate(rows, start=4):
        for column, value in enumerate(cells, start=1):
            sheet.cell(row=number, column=column, value=value)
    export, items = read_bytes(tmp_path, workbook_bytes(book), "export.xlsx")
    assert (export.format, export.encoding, export.delimiter) == ("xlsx", None, None)
    assert export.columns == ["tanggal", "nomor", "catatan"]
    assert summary(items) == [
        (4, {"tanggal": "21/03/2026", "nomor": "812345678", "catatan": "rapi"}),
        (5, {"tanggal": "21/03/2026 14.05", "nomor": "81234567890", "catatan": "1.5"}),
        (6, {"tanggal": "21/03/2026", "nomor": "0.3", "catatan": "false"}),
        (7, {"tanggal": "07.30", "nomor": "-3", "catatan": ""}),
        (9, {"tanggal": "21 Maret 2026", "nomor": "", "catatan": ""}),
        (10, "has a value in column E, the header has 3 columns"),
    ]
    assert isinstance(items[-1], BadRow) and items[-1].raw == "\t\tx\t\tstray"


def test_xlsx_sheet_by_name(tmp_path: Path) -> None:
    book = Workbook()
    first = book.active
    assert first is not None
    first.append(["ringkasan"])
    second = book.create_sheet("Tiket")
    second.append(["ticket_no", "subject"])
    second.append([1001, "Jalan rusak"])
    path = tmp_path / "export.xlsx"
    path.write_bytes(workbook_bytes(book))
    assert read(path)[0].columns == ["ringkasan"]
    _, items = read(path, sheet="Tiket")
    assert summary(items) == [(2, {"ticket_no": "1001", "subject": "Jalan rusak"})]
    with pytest.raises(
        ValueError, match=r"export.xlsx has no sheet 'Tickets' \(it has Sheet, Tiket\)"
    ):
        open_export(path, sheet="Tickets")


def test_xlsx_rows_past_a_stale_dimension_are_read(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for number in range(5):
        sheet.append([f"T-{number}" if number else "ticket_no", "x"])
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes(book)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":  # claims A1:B2 (some exporters do)
                content = content.replace(b'<dimension ref="A1:B5"', b'<dimension ref="A1:B2"')
                assert b'ref="A1:B2"' in content
            target.writestr(item, content)
    _, items = read_bytes(tmp_path, buffer.getvalue(), "export.xlsx")
    assert [i.number for i in items] == [2, 3, 4, 5]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (["a", "b", "a"], "the header has the column 'a' twice"),
        (["a", None, "c"], "column B of the header has no name"),
        ([], "has no header"),
    ],
)
def test_xlsx_unreadable_header(tmp_path: Path, header: list[str | None], message: str) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    if header:
        sheet.append(header)
    path = tmp_path / "export.xlsx"
    path.write_bytes(workbook_bytes(book))
    with pytest.raises(ValueError, match=re.escape(message)):
        open_export(path)


# progress, memory and files


def test_bytes_read_grows_to_total_bytes() -> None:
    for name in SAMPLE_FILES:
        with open_export(SAMPLES / name) as export:
            seen = [export.bytes_read() for _ in export]
            assert seen == sorted(seen)
            assert 0 < seen[0] < export.total_bytes
            assert export.bytes_read() == export.total_bytes


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_files_are_closed(name: str) -> None:
    before = open_fds()
    with open_export(SAMPLES / name) as export:
        next(iter(export))  # left part-read
        assert open_fds() > before
    assert open_fds() == before


def test_a_large_csv_streams_in_constant_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    row = (
        "LPG-2026-03-0001;Jalan berlubang;Pelapor menyampaikan bahwa jalan di depan pasar "
        "Kedaton berlubang besar;JALAN;Budi Santoso;0812-3456-7890;Kedaton;18.71;21/03/2026;ya\r\n"
    )
    path.write_text(";".join(LAMPUNG_COLUMNS) + "\r\n" + row * 200_000, "utf-8", newline="")
    assert path.stat().st_size > 30_000_000  # more than the memory allowed
    tracemalloc.start()
    try:
        with open_export(path) as export:
            last = None
            rows = 0
            for last in export:  # no assertions in the loop: pytest's rewriting is slow
                rows += type(last) is Row
            assert export.bytes_read() == export.total_bytes
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rows == 200_000
    assert last == Row(200_001, dict(zip(LAMPUNG_COLUMNS, row.strip().split(";"), strict=True)))
    assert peak < 20_000_000


def test_utf8_with_one_bad_byte_stays_utf8_and_only_that_row_is_bad(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    lines = [b"ticket_no;notes\n"]
    lines += [f"T{i};Jalan rusak di depan caf\u00e9 nomor {i}\n".encode() for i in range(20)]
    lines.insert(5, b"T-BAD;caf\xe9 rusak\n")  # one Windows-1252 byte among UTF-8 rows
    path.write_bytes(b"".join(lines))
    with open_export(path) as export:
        assert export.encoding == "utf-8"
        rows = list(export)
    bad = [r for r in rows if isinstance(r, BadRow)]
    assert [r.number for r in bad] == [6] and "not valid UTF-8" in bad[0].reason
    assert all("caf\u00e9" in r.values["notes"] for r in rows if isinstance(r, Row))
