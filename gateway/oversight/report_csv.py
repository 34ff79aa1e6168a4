"""The oversight figures as CSV: the tables of the XLSX workbook in one file.

By default one file in sections: each section is a line with the section's title, its
header line, its rows and an empty line (the summary first: the tenant, the period,
its dates, the zone, then the totals; the definitions last). With ``table`` one
breakdown alone (``regions``, ``agencies``, ``channels``, ``topics``, ``monthly``,
``summary``, ``definitions``), a plain table for a spreadsheet or a script.

UTF-8, comma-separated, ``.`` as the decimal point; counts are integers, rates are
percentages to one decimal (``98.0``; the header says ``(%)``), medians working days to
one decimal; a figure that does not exist (no complaint received) is empty.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import datetime
from io import StringIO

from gateway.oversight.figures import Oversight
from gateway.oversight.report_tables import (
    TABLES,
    Kind,
    Lang,
    Table,
    breakdowns,
    definitions,
    heading,
    label,
    local_now,
    summary,
    summary_kinds,
)

MEDIA_TYPE = "text/csv; charset=utf-8"


def csv_text(
    o: Oversight, lang: Lang = "id", table: str | None = None, now: datetime | None = None
) -> str:
    """The CSV text: every section, or the one ``table`` (ValueError if it is not one of
    :data:`~gateway.oversight.report_tables.TABLES`)."""
    if table is not None and table not in TABLES:
        raise ValueError(f"unknown table {table!r}: one of {', '.join(TABLES)}")
    now = now or local_now(o.zone)
    out = StringIO()
    writer = csv.writer(out, lineterminator="\n")
    tables: dict[str, Table] = {t.key: t for t in breakdowns(o, lang)}
    if table is None:
        writer.writerow([label(lang, "title"), o.tenant_name])
        writer.writerows(heading(o, lang, now))
        writer.writerow([])
    for key in TABLES:
        if table is not None and key != table:
            continue
        if key == "summary":
            _write(writer, summary(o, lang), lang, summary_kinds(), sectioned=table is None)
        elif key == "definitions":
            _write(writer, definitions(o, lang), lang, None, sectioned=table is None)
        else:
            _write(writer, tables[key], lang, None, sectioned=table is None)
    return out.getvalue()


def _write(
    writer: csv.Writer,  # type: ignore[name-defined]
    table: Table,
    lang: Lang,
    kinds: Sequence[Kind] | None,
    *,
    sectioned: bool,
) -> None:
    if sectioned:
        writer.writerow([table.title])
    if kinds is None:
        writer.writerow([f"{c.label} (%)" if c.kind == "rate" else c.label for c in table.columns])
    else:
        writer.writerow([c.label for c in table.columns])
    for i, line in enumerate(table.rows):
        if kinds is None:
            cells = [_cell(v, c.kind, lang) for v, c in zip(line, table.columns, strict=True)]
        else:  # the summary: one figure a line, each of its own kind
            name, value = line
            kind = kinds[i]
            shown = f"{name} (%)" if kind == "rate" else str(name)
            cells = [shown, _cell(value, kind, lang)]
        writer.writerow(cells)
    if sectioned:
        writer.writerow([])


def _cell(value: object, kind: Kind, lang: Lang) -> str:
    if value is None:
        return ""
    if kind == "rate" and isinstance(value, int | float):
        return f"{value * 100:.1f}"
    if kind == "days" and isinstance(value, int | float):
        return f"{value:.1f}"
    if kind == "active":
        return label(lang, "yes" if value else "no")
    return str(value)
