"""The oversight reports as downloads: ``/ops/pengawasan/unduh?tenant=&period=&format=``.

``format`` is ``xlsx`` (the workbook), ``pdf`` (A4) or ``csv`` (every table in
sections; ``&table=regions`` and the like for one breakdown alone); in the console's
language (``lang=en``, or English chosen on an earlier page: English). The figures are
those of the oversight page (:func:`gateway.oversight.compute.compute`) for the same
tenant and period; the file is named ``pengawasan-<tenant>-<period>.<format>``
(``pengawasan-sumbar-2026-11.xlsx``).

A tenant the operator may not see (a regency's operator asking for its province or a
sibling) answers 404, as the console does for anything not its own; an unknown period
or format answers 400. The report libraries are imported when a report is made.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from gateway.domain.zones import local, zone_or_wib
from gateway.ops import auth, labels
from gateway.ops.auth import CurrentOperator, OperatorContext
from gateway.ops.rendering import container, message, not_found
from gateway.oversight.report_files import FORMATS, filename, render_report

router = auth.router
PATH = "/ops/pengawasan/unduh"


def _bad(ctx: OperatorContext, en: bool, what: str) -> Response:
    texts = {
        "period": (
            ("Periode tidak dikenal", "Pilih bulan, triwulan, tahun atau dua tanggal."),
            ("Unknown period", "Choose a month, a quarter, a year or two dates."),
        ),
        "format": (
            ("Format tidak dikenal", "Pilih xlsx, pdf atau csv."),
            ("Unknown format", "Choose xlsx, pdf or csv."),
        ),
        "table": (
            ("Tabel tidak dikenal", "Tabel CSV yang dapat dipilih: regions, agencies, "
             "channels, topics, monthly, summary, definitions."),
            ("Unknown table", "A CSV table is one of regions, agencies, channels, topics, "
             "monthly, summary, definitions."),
        ),
    }  # fmt: skip
    title, text = texts[what][en]
    return message(ctx, title, text, 400)


@router.get("/pengawasan/unduh")
async def download(request: Request, ctx: CurrentOperator) -> Response:
    """The oversight report of a tenant the operator may see, as a file."""
    from gateway.oversight import compute
    from gateway.oversight.report_tables import TABLES

    params = request.query_params
    en = labels.language_of(request) == "en"  # ?lang=, else the console's remembered one
    app = container(request)
    tenant = params.get("tenant", "")[:64]
    if tenant not in app.tenants or not ctx.scope.can_see(tenant):
        return not_found(ctx)
    fmt = params.get("format", "")
    if fmt not in FORMATS:
        return _bad(ctx, en, "format")
    table = params.get("table") or None
    if table is not None and (fmt != "csv" or table not in TABLES):
        return _bad(ctx, en, "table")
    zone = zone_or_wib(app.tenants[tenant].spec.region_code)
    now = local(datetime.now(UTC), zone)
    try:
        period = compute.parse_period(params.get("period", "")[:64], now.date())
    except ValueError:
        return _bad(ctx, en, "period")

    def make() -> tuple[bytes, str]:
        figures = compute.compute(app.factory, app.tenants, tenant, period)
        return render_report(figures, fmt, "en" if en else "id", table, now)

    body, media_type = await run_in_threadpool(make)
    name = filename(tenant, period.key, fmt)
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
