"""The oversight figures as an XLSX workbook (openpyxl), for a meeting.

Sheets: a summary (the tenant, the period, the zone, the totals and the definitions),
then per regency/city (with keaktifan), per agency (ranked), per channel, per topic, and
the monthly trend with a native Excel chart. Counts are numbers, rates are numbers
formatted as percentages, medians are working days to one decimal. Headers in Bahasa
Indonesia, English with ``lang="en"``.

openpyxl is imported when a workbook is made, not when the gateway starts.
"""

from __future__ import annotations

from datetime import datetime
from io import BytesIO
from typing import TYPE_CHECKING

from gateway.oversight.figures import Oversight
from gateway.oversight.report_tables import (
    Kind,
    Lang,
    Table,
    breakdowns,
    definitions,
    heading,
    label,
    local_now,
    period_label,
    summary,
    summary_kinds,
)

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

#: the sheets, by table key; Excel forbids ``/`` in a sheet's name
SHEETS: dict[Lang, dict[str, str]] = {
    "id": {
        "summary": "Ringkasan",
        "regions": "Kabupaten-Kota",
        "agencies": "Instansi",
        "channels": "Kanal",
        "topics": "Topik",
        "monthly": "Tren Bulanan",
    },
    "en": {
        "summary": "Summary",
        "regions": "Regencies-Cities",
        "agencies": "Agencies",
        "channels": "Channels",
        "topics": "Topics",
        "monthly": "Monthly Trend",
    },
}
FORMATS: dict[Kind, str] = {"int": "#,##0", "rate": "0.0%", "days": "0.0"}
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_bytes(o: Oversight, lang: Lang = "id", now: datetime | None = None) -> bytes:
    """The workbook, as the bytes of an ``.xlsx`` file."""
    from openpyxl import Workbook

    now = now or local_now(o.zone)
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = SHEETS[lang]["summary"]
    _summary_sheet(first, o, lang, now)
    for table in breakdowns(o, lang):
        sheet = book.create_sheet(SHEETS[lang][table.key])
        _title(sheet, o, table.title, lang)
        _table(sheet, table, lang, top=4)
        if table.key == "monthly":
            _trend_chart(sheet, table, lang)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _title(sheet: Worksheet, o: Oversight, title: str, lang: Lang) -> None:
    from openpyxl.styles import Font

    sheet["A1"] = f"{label(lang, 'title')}: {o.tenant_name}"
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = f"{title}, {period_label(o, lang)} ({o.zone})"
    sheet["A2"].font = Font(italic=True)


def _summary_sheet(sheet: Worksheet, o: Oversight, lang: Lang, now: datetime) -> None:
    from openpyxl.styles import Alignment, Font

    _title(sheet, o, label(lang, "summary"), lang)
    row = 4
    for key, text in heading(o, lang, now):
        sheet.cell(row, 1, key).font = Font(bold=True)
        sheet.cell(row, 2, text)
        row += 1
    row += 1
    totals = summary(o, lang)
    _header(sheet, row, [c.label for c in totals.columns])
    for (figure, value), kind in zip(totals.rows, summary_kinds(), strict=True):
        row += 1
        sheet.cell(row, 1, str(figure))
        _value(sheet, row, 2, value, kind, lang)
    row += 2
    terms = definitions(o, lang)
    sheet.cell(row, 1, terms.title).font = Font(bold=True, size=12)
    row += 1
    _header(sheet, row, [c.label for c in terms.columns])
    for term, meaning in terms.rows:
        row += 1
        sheet.cell(row, 1, str(term))
        cell = sheet.cell(row, 2, str(meaning))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 38
    sheet.column_dimensions["B"].width = 90


def _header(sheet: Worksheet, row: int, names: list[str]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    fill = PatternFill("solid", fgColor="DCE6F1")
    for col, name in enumerate(names, 1):
        cell = sheet.cell(row, col, name)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _value(sheet: Worksheet, row: int, col: int, value: object, kind: Kind, lang: Lang) -> None:
    if kind == "active":
        sheet.cell(row, col, label(lang, "yes" if value else "no"))
        return
    cell = sheet.cell(row, col, value)  # None stays an empty cell: no figure
    if kind in FORMATS:
        cell.number_format = FORMATS[kind]


def _table(sheet: Worksheet, table: Table, lang: Lang, top: int) -> None:
    from openpyxl.utils import get_column_letter

    _header(sheet, top, [c.label for c in table.columns])
    for offset, line in enumerate(table.rows, 1):
        for col, (column, value) in enumerate(zip(table.columns, line, strict=True), 1):
            _value(sheet, top + offset, col, value, column.kind, lang)
    for col, column in enumerate(table.columns, 1):
        wide = 34 if column.key == "name" else 12 if column.key == "month" else 14
        sheet.column_dimensions[get_column_letter(col)].width = wide
    sheet.row_dimensions[top].height = 45
    # the header and the names stay in sight while scrolling
    names = table.column("name") + 1 if any(c.key == "name" for c in table.columns) else 1
    sheet.freeze_panes = sheet.cell(top + 1, names + 1)


def _trend_chart(sheet: Worksheet, table: Table, lang: Lang) -> None:
    """A clustered column chart of received, followed up and finished per month, beside
    a line of the follow-up rate on a second axis."""
    from openpyxl.chart import BarChart, LineChart, Reference

    top = 4
    last = top + len(table.rows)
    if not table.rows:
        return
    bars = BarChart()
    bars.type = "col"
    bars.grouping = "clustered"
    bars.title = label(lang, "trend_chart")
    bars.y_axis.title = label(lang, "received")
    bars.x_axis.title = label(lang, "month")
    for key in ("received", "followed_up", "finished"):
        col = table.column(key) + 1
        bars.add_data(
            Reference(sheet, min_col=col, min_row=top, max_row=last), titles_from_data=True
        )
    months = Reference(sheet, min_col=1, min_row=top + 1, max_row=last)
    bars.set_categories(months)
    rate = LineChart()
    col = table.column("follow_up_rate") + 1
    rate.add_data(Reference(sheet, min_col=col, min_row=top, max_row=last), titles_from_data=True)
    rate.y_axis.axId = 200
    rate.y_axis.title = label(lang, "follow_up_rate")
    rate.y_axis.number_format = "0%"
    rate.y_axis.crosses = "max"
    bars += rate
    bars.width = 24
    bars.height = 10
    sheet.add_chart(bars, f"A{last + 3}")
