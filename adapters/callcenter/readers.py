"""Call-centre exports read as a stream of rows: CSV, XLSX and JSON Lines.

Agents' systems export tickets nightly as CSV (";" or "," or tab; UTF-8 with or
without a BOM, or Windows-1252 from Excel), XLSX or JSON Lines. :func:`open_export`
opens one by its extension and reads the header at once; iterating the
:class:`Export` then yields a :class:`Row` per ticket and a :class:`BadRow` per row
that cannot be read (the wrong number of cells, bytes that are not text, a line
that is not a JSON object), in constant memory, and reading goes on after it.

Row numbers are the ones a person finds: Excel's row number for CSV and XLSX (the
header's row is 1, a blank line counts, a cell spanning lines is one row) and the
line number for JSON Lines. Blank rows are skipped. Whether a ticket's values make
sense (a phone, a date, a category) is the importer's business, not the reader's.

A file that cannot be read at all (an unknown extension, no header, a column named
twice, not a workbook) raises :class:`ValueError` naming the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self

RAW_LIMIT = 2000  # characters of a bad row kept for the reject file
SNIFF_BYTES = 1 << 20  # how much of a CSV decides its encoding
_FORMATS: dict[str, Literal["csv", "xlsx", "jsonl"]] = {
    ".csv": "csv", ".txt": "csv", ".xlsx": "xlsx",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Row:
    number: int
    values: dict[str, str]  # column -> cell text, stripped ("" when empty)


@dataclass(frozen=True, slots=True)
class BadRow:
    number: int
    reason: str  # completes "row 12 ...": "has 7 cells, the header has 9"
    raw: str  # the row as text, at most RAW_LIMIT characters


def open_export(
    path: Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
) -> Export:
    """The export at ``path``, its header read; use it as a context manager.

    ``encoding`` and ``delimiter`` (None: detect) apply to CSV and ``sheet`` (None:
    the first) to XLSX; the other formats ignore them, so one channel's settings
    serve every format. JSON Lines is always UTF-8.
    """
    kind = _FORMATS.get(path.suffix.lower())
    if kind is None:
        known = ", ".join(_FORMATS)
        raise ValueError(f"{path}: unknown export format {path.suffix!r} (known: {known})")
    if kind == "csv":
        return _CsvExport(path, encoding, delimiter)
    if kind == "xlsx":
        return _XlsxExport(path, sheet)
    return _JsonlExport(path)


class Export:
    """An open export: ``columns`` at once, then its rows, streamed, once."""

    format: Literal["csv", "xlsx", "jsonl"]
    encoding: str | None = None  # CSV: utf-8, utf-8-sig or cp1252 (or the one given)
    delimiter: str | None = None  # CSV only

    def __init__(self, path: Path) -> None:
        self.path = path
        self.total_bytes = path.stat().st_size
        self.columns: list[str] = []
        self._done = False

    def bytes_read(self) -> int:
        """How far reading is, in bytes of the file, for progress and ETA."""
        return self.total_bytes if self._done else self._position()

    def __iter__(self) -> Iterator[Row | BadRow]:
        yield from self._rows()
        self._done = True

    def close(self) -> None:
        raise NotImplementedError

    def _position(self) -> int:
        raise NotImplementedError

    def _rows(self) -> Iterator[Row | BadRow]:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class _FileExport(Export):
    """An export read as bytes from its file, the position kept as it is read."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._file = path.open("rb")
        self._pos = 0

    def close(self) -> None:
        self._file.close()

    def _position(self) -> int:
        return self._pos


class _CsvExport(_FileExport):
    format = "csv"

    def __init__(self, path: Path, encoding: str | None, delimiter: str | None) -> None:
        super().__init__(path)
        try:
            head = self._file.read(SNIFF_BYTES)
            self.encoding = encoding or _detect_encoding(path, head, len(head) < SNIFF_BYTES)
            self._codec = _line_codec(path, self.encoding)
            if b"\r" in head and b"\n" not in head:
                raise ValueError(f"{path} ends lines with CR alone (CSV for old Macs): save as CSV")
            self.delimiter = delimiter or _sniff_delimiter(head)
            self._file.seek(0)
            self._pos = 0
            self._eof = False
            self._undecodable: int | None = None  # file offset of the current record's bad byte
            self._pending: list[str] = []  # the current record's lines
            self._records = self._read()
            self._spare = 1 + self._header()
        except BaseException:
            self._file.close()
            raise

    def _header(self) -> int:
        """Read the header; the number of empty names it ends with (a trailing ";")."""
        for number, cells, _lines, problem in self._records:
            if problem is not None:
                raise ValueError(f"{self.path}: the header (row {number}) {problem}")
            if any(map(str.strip, cells)):
                self.columns = _column_names(self.path, cells)
                return len(cells) - len(self.columns)
        raise ValueError(f"{self.path} has no header: the file is empty")

    def _rows(self) -> Iterator[Row | BadRow]:
        columns, width = self.columns, len(self.columns)
        for number, cells, lines, problem in self._records:
            if problem is not None:
                yield BadRow(number, problem, _raw(lines))
            elif not any(map(str.strip, cells)):
                continue  # a blank line, or Excel's ";;;;"
            elif len(cells) == width:
                yield Row(number, dict(zip(columns, map(str.strip, cells), strict=True)))
            elif width < len(cells) <= width + self._spare and not "".join(cells[width:]).strip():
                yield Row(number, dict(zip(columns, map(str.strip, cells), strict=False)))
            else:
                reason = f"has {_cells(len(cells))}, the header has {width}"
                yield BadRow(number, reason, _raw(lines))

    def _read(self) -> Iterator[tuple[int, list[str], list[str], str | None]]:
        """(row number, cells, lines, problem) per CSV record, blank ones included.

        The lines are valid until the next record is read.
        """
        assert self.delimiter is not None
        reader = csv.reader(self._lines(), delimiter=self.delimiter, skipinitialspace=True)
        number = 0
        while True:
            problem = None
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                cells, problem = [], _csv_problem(error)
            number += 1
            if len(self._pending) > 1:  # a quoted field across lines: Windows line breaks as "\n"
                cells = [cell.replace("\r\n", "\n") for cell in cells]
            if self._undecodable is not None:
                label = "UTF-8" if self._codec == "utf-8" else self._codec
                problem = f"is not valid {label} text at byte {self._undecodable}"
                self._undecodable = None
            elif self._eof and problem is None:  # csv ran to the end inside quotes
                problem = 'has a quote (") that is never closed'
            yield number, cells, self._pending, problem
            self._pending.clear()

    def _lines(self) -> Iterator[str]:
        """The file's lines, decoded one by one: a bad byte spoils one record only."""
        for line in self._file:
            try:
                text = line.decode(self._codec)
            except UnicodeDecodeError as error:
                if self._undecodable is None:
                    self._undecodable = self._pos + error.start
                text = line.decode(self._codec, "backslashreplace")
            if self._pos == 0:
                text = text.removeprefix("\ufeff")
            self._pos += len(line)
            self._pending.append(text)
            yield text
        self._eof = True


class _XlsxExport(Export):
    format = "xlsx"

    def __init__(self, path: Path, sheet: str | None) -> None:
        # openpyxl only when a workbook is read: importing it costs every `gateway` start
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        super().__init__(path)
        try:
            with warnings.catch_warnings():  # about the workbook's styles: not ours to fix
                warnings.simplefilter("ignore")
                self._book = load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError) as error:
            raise ValueError(f"{path} is not an XLSX workbook ({error})") from None
        try:
            if sheet is not None and sheet not in self._book.sheetnames:
                names = ", ".join(self._book.sheetnames)
                raise ValueError(f"{path} has no sheet {sheet!r} (it has {names})")
            found = self._book[sheet] if sheet is not None else self._book.worksheets[0]
            self._max_row: int | None = found.max_row  # the sheet's own claim, for progress
            found.reset_dimensions()  # ... but read every row, even if the claim is stale
            self._count = 0
            self._sheet_rows = found.iter_rows(values_only=True)
            self._cells = enumerate(self._sheet_rows, start=1)
            self._header()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if hasattr(self, "_sheet_rows"):
            self._sheet_rows.close()  # it holds the sheet's stream, and so the file, open
        self._book.close()

    def _position(self) -> int:
        if not self._max_row:
            return 0
        return min(self.total_bytes, self.total_bytes * self._count // self._max_row)

    def _header(self) -> None:
        from openpyxl.utils import get_column_letter

        for number, cells in self._cells:
            self._count = number
            texts = [_xlsx_text(value) for value in cells]
            if any(texts):
                self.columns = _column_names(self.path, texts, get_column_letter)
                return
        raise ValueError(f"{self.path} has no header: the sheet is empty")

    def _rows(self) -> Iterator[Row | BadRow]:
        from openpyxl.utils import get_column_letter

        width = len(self.columns)
        for number, cells in self._cells:
            self._count = number
            texts = [_xlsx_text(value) for value in cells]
            while texts and not texts[-1]:
                texts.pop()
            if len(texts) > width:
                where = f"has a value in column {get_column_letter(len(texts))}"
                yield BadRow(number, f"{where}, the header has {width} columns", _tsv(texts))
            elif texts:
                texts += [""] * (width - len(texts))  # empty cells at the end are not stored
                yield Row(number, dict(zip(self.columns, texts, strict=True)))


class _JsonlExport(_FileExport):
    format = "jsonl"
    encoding = "utf-8"

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        try:
            empty = True
            for item in self._rows():  # the columns are the first object's keys
                empty = False
                if isinstance(item, Row):
                    self.columns = list(item.values)
                    break
            if empty:
                raise ValueError(f"{path} has no header: the file is empty")
            self._file.seek(0)
            self._pos = 0
        except BaseException:
            self._file.close()
            raise

    def _rows(self) -> Iterator[Row | BadRow]:
        for number, line in enumerate(self._file, start=1):
            start = self._pos
            self._pos += len(line)
            if start == 0 and line.startswith(codecs.BOM_UTF8):
                line, start = line[len(codecs.BOM_UTF8) :], len(codecs.BOM_UTF8)
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as error:
                reason = f"is not valid UTF-8 text at byte {start + error.start}"
                yield BadRow(number, reason, _raw([line.decode("utf-8", "backslashreplace")]))
                continue
            if not text.strip():
                continue
            try:
                value = json.loads(
                    text.strip(),
                    parse_int=_Literal,
                    parse_float=_Literal,
                    parse_constant=_Literal,
                    object_pairs_hook=_object,
                )
            except _DuplicateKeyError as error:
                yield BadRow(number, f"has the key {error.args[0]!r} twice", _raw([text]))
            except json.JSONDecodeError as error:
                what = f"{error.msg.removesuffix(' at')} at column {error.colno}"
                yield BadRow(number, f"is not valid JSON: {what}", _raw([text]))
            else:
                if isinstance(value, dict):
                    yield Row(number, {key: _json_cell(cell) for key, cell in value.items()})
                else:
                    yield BadRow(number, "is not a JSON object", _raw([text]))


def _detect_encoding(path: Path, head: bytes, whole_file: bool) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ValueError(f"{path} is UTF-16 (Excel's 'Unicode Text'): save it as CSV UTF-8")
    try:  # a character cut at the end of the chunk is not an error, unless the file ends
        codecs.getincrementaldecoder("utf-8")().decode(head, final=whole_file)
    except UnicodeDecodeError:
        # UTF-8 with a stray bad byte stays UTF-8 (that line becomes a BadRow) when
        # most of its non-ASCII bytes are well-formed UTF-8; else Windows-1252
        text = head.decode("utf-8", errors="replace")
        good = sum(1 for ch in text if ord(ch) > 127 and ch != "\ufffd")
        bad = text.count("\ufffd")
        return "utf-8" if good > 4 * bad else "cp1252"
    return "utf-8"


def _line_codec(path: Path, encoding: str) -> str:
    """The codec each line is decoded with (a BOM is dropped from the first line)."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise ValueError(f"{path}: unknown encoding {encoding!r}") from None
    if name in ("utf-8", "utf-8-sig"):
        return "utf-8"
    if '\n;,\t"'.encode(encoding, "replace") != b'\n;,\t"':
        raise ValueError(f"{path}: {encoding} is not an encoding for CSV (save it as CSV UTF-8)")
    return encoding


def _sniff_delimiter(head: bytes) -> str:
    """The header line's most frequent of "," ";" tab (a tie: the earlier)."""
    lines = io.BytesIO(head.removeprefix(codecs.BOM_UTF8))
    header = next((line for line in lines if line.strip()), b"")
    return max([",", ";", "\t"], key=lambda delimiter: header.count(delimiter.encode()))


def _column_names(path: Path, cells: list[str], label: Callable[[int], str] = str) -> list[str]:
    """The header's names; ``label`` names a column by its 1-based index."""
    names = [cell.replace("\ufeff", "").strip() for cell in cells]
    while names and not names[-1]:
        names.pop()
    for index, name in enumerate(names):
        if not name:
            raise ValueError(f"{path}: column {label(index + 1)} of the header has no name")
        if name in names[:index]:
            raise ValueError(f"{path}: the header has the column {name!r} twice")
    return names


def _csv_problem(error: csv.Error) -> str:
    if "new-line character" in str(error):
        return "has a line break (CR) outside quotes"
    if "field limit" in str(error):
        limit = csv.field_size_limit()
        return f"has a field longer than {limit} characters (a quote never closed?)"
    return f"cannot be read as CSV: {error}"


def _cells(count: int) -> str:
    return "1 cell" if count == 1 else f"{count} cells"


def _xlsx_text(value: object) -> str:
    """A cell as an export writes it: Indonesian dates, whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y" if value.time() == time() else "%d/%m/%Y %H.%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, time):
        return value.strftime("%H.%M")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    return str(value).strip()


def _raw(lines: list[str]) -> str:
    return "".join(lines).rstrip("\r\n")[:RAW_LIMIT]


def _tsv(texts: list[str]) -> str:
    return "\t".join(texts)[:RAW_LIMIT]


class _Literal(str):
    """A JSON number (or NaN, Infinity) kept as written."""


class _DuplicateKeyError(ValueError):
    pass


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise _DuplicateKeyError(key)
        seen.add(key)
    return dict(pairs)


def _json_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _Literal):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    return _json_text(value)  # an object or a list: as compact JSON


def _json_text(value: object) -> str:
    if isinstance(value, _Literal):
        return str(value)
    if isinstance(value, dict):
        items = (f"{json.dumps(k, ensure_ascii=False)}:{_json_text(v)}" for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_json_text(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)
