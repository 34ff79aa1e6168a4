"""``gateway report --tenant sumbar --period 2026-11 --format xlsx|pdf|csv``: the oversight
figures of a tenant (and every regency and city below it) as a file to take to a meeting.

The figures are the oversight page's (:func:`gateway.oversight.compute.compute`), from
the gateway's database. Without ``--output`` the file is written to the current folder
as ``pengawasan-<tenant>-<period>.<format>``; ``--output -`` writes it to standard
output. CSV: every table in sections, or one breakdown with ``--table``. An unknown
tenant, period, format, language or table exits 2 with a message naming it.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from gateway.bootstrap import Container
    from gateway.oversight.figures import Oversight, Period

_TEXTS: dict[str, dict[str, str]] = {
    "id": {
        "tenant": "tenant {tenant!r} tidak dikenal; yang ada: {known}",
        "period": "{error}",
        "format": "format {fmt!r} tidak dikenal: xlsx, pdf atau csv",
        "table": "tabel {table!r} tidak dikenal (hanya untuk csv): {known}",
        "written": "laporan {fmt} {name}, {period}: {path} ({size} bita)",
    },
    "en": {
        "tenant": "unknown tenant {tenant!r}; there are: {known}",
        "period": "{error}",
        "format": "unknown format {fmt!r}: xlsx, pdf or csv",
        "table": "unknown table {table!r} (csv only): {known}",
        "written": "{fmt} report {name}, {period}: {path} ({size} bytes)",
    },
}


def _fail(text: str) -> typer.Exit:
    typer.echo(f"error: {text}", err=True)
    return typer.Exit(2)


def _make(
    container: Container, tenant: str, period: str, fmt: str, lang: str, table: str | None
) -> tuple[Oversight, bytes, Period]:
    """The figures, the report's bytes and the period; typer.Exit(2) naming an unknown
    tenant or period."""
    from gateway.cli import _require_current_schema
    from gateway.domain.zones import local, zone_or_wib
    from gateway.oversight import compute
    from gateway.oversight.report_files import render_report

    texts = _TEXTS[lang]
    if tenant not in container.tenants:
        known = ", ".join(sorted(container.tenants)) or "-"
        raise _fail(texts["tenant"].format(tenant=tenant, known=known))
    _require_current_schema(container)
    now = local(datetime.now(UTC), zone_or_wib(container.tenants[tenant].spec.region_code))
    try:
        chosen = compute.parse_period(period, now.date())
    except ValueError as exc:
        raise _fail(texts["period"].format(error=exc)) from exc
    figures = compute.compute(container.factory, container.tenants, tenant, chosen)
    body, _media_type = render_report(figures, fmt, lang, table, now)
    return figures, body, chosen


def report_command(
    tenant: Annotated[
        str, typer.Option(help="The overseeing tenant (its regencies and cities included)")
    ],
    period: Annotated[
        str,
        typer.Option(
            help="2026-11 (month), 2026-Q4 (quarter), 2026 (year) or 2026-11-01..2026-11-15;"
            " default: this month"
        ),
    ] = "",
    fmt: Annotated[str, typer.Option("--format", help="xlsx, pdf or csv")] = "xlsx",
    lang: Annotated[str, typer.Option("--lang", help="id (Bahasa Indonesia) or en")] = "id",
    output: Annotated[
        str | None,
        typer.Option(
            "--output", "-o", help="The file (default pengawasan-TENANT-PERIOD.FORMAT; - stdout)"
        ),
    ] = None,
    table: Annotated[
        str | None,
        typer.Option(
            help="CSV only: one table alone (regions, agencies, channels, topics, monthly,"
            " summary, definitions); default every table in sections"
        ),
    ] = None,
) -> None:
    """The oversight report of a tenant over a period: XLSX, PDF (A4) or CSV."""
    from gateway.oversight.report_files import FORMATS, filename
    from gateway.oversight.report_tables import TABLES, period_label

    if lang not in _TEXTS:
        raise _fail("--lang: id or en")
    texts = _TEXTS[lang]
    if fmt not in FORMATS:
        raise _fail(texts["format"].format(fmt=fmt))
    if table is not None and (fmt != "csv" or table not in TABLES):
        raise _fail(texts["table"].format(table=table, known=", ".join(TABLES)))

    from gateway.cli import _container, _has_national

    container = _container(with_sandbox=False) if _has_national() else _container()
    try:
        figures, body, chosen = _make(container, tenant, period, fmt, lang, table)
    finally:  # its database connections and HTTP clients, on a refusal too
        asyncio.run(container.aclose())
    if output == "-":
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
        return
    path = Path(output or filename(tenant, chosen.key, fmt))
    path.write_bytes(body)
    said = texts["written"].format(
        fmt=fmt.upper(),
        name=figures.tenant_name,
        period=period_label(figures, "en" if lang == "en" else "id"),
        path=path,
        size=len(body),
    )
    typer.echo(said)
