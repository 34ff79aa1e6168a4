"""One oversight report as a file: its bytes, media type and name, for ``gateway report``
and the console's download (``/ops/pengawasan/unduh``).

The report libraries (openpyxl, ReportLab) are imported when a report is made, not
when the gateway or a CLI command starts.
"""

from __future__ import annotations

import re
from datetime import datetime

from gateway.oversight.figures import Oversight

FORMATS = ("xlsx", "pdf", "csv")


def filename(tenant: str, period_key: str, fmt: str) -> str:
    """``pengawasan-sumbar-2026-11.xlsx``; a date range ``2026-11-01..2026-11-15`` becomes
    ``2026-11-01_2026-11-15`` (only letters, digits, ``-`` and ``_`` in a name)."""
    period = re.sub(r"[^A-Za-z0-9_-]+", "_", period_key.replace("..", "_"))
    safe = re.sub(r"[^A-Za-z0-9_-]+", "_", tenant)
    return f"pengawasan-{safe}-{period}.{fmt}"


def render_report(
    o: Oversight, fmt: str, lang: str = "id", table: str | None = None, now: datetime | None = None
) -> tuple[bytes, str]:
    """The report's bytes and media type; ValueError for an unknown format, language or
    (CSV) table. ``now``: when it is made, in the tenant's zone (default: now)."""
    from gateway.oversight.report_tables import check_lang

    language = check_lang(lang)
    if fmt == "xlsx":
        from gateway.oversight import report_xlsx

        return report_xlsx.workbook_bytes(o, language, now), report_xlsx.MEDIA_TYPE
    if fmt == "pdf":
        from gateway.oversight import report_pdf

        return report_pdf.pdf_bytes(o, language, now), report_pdf.MEDIA_TYPE
    if fmt == "csv":
        from gateway.oversight import report_csv

        text = report_csv.csv_text(o, language, table, now)
        return text.encode("utf-8"), report_csv.MEDIA_TYPE
    raise ValueError(f"unknown format {fmt!r}: {', '.join(FORMATS)}")
