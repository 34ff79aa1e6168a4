"""The oversight page (``/ops/pengawasan``) and the complaints behind each of its figures.

What a province is evaluated on, for a period it chooses (a month, a quarter, a year
or dates) and a tenant the operator may see (a province covers itself and every
regency and city below it, :func:`gateway.hierarchy.family`): the total, each regency
and city with its keaktifan, each agency (OPD) ranked, each channel and topic, the SLA
overdue counts, the medians in working days and a monthly trend chart
(:mod:`gateway.ops.oversight_chart`). The figures are
:class:`gateway.oversight.figures.Oversight`, from :func:`gateway.oversight.compute.compute`;
the tables, their words and links are :mod:`gateway.ops.oversight_rows`'.

Every figure links to ``/ops/pengawasan/pengaduan`` with the same tenant and period,
its step (``received`` ... ``over_sla_finish``) and its breakdown (``region``,
``agency``, ``channel``, ``topic``): the complaints behind it
(:func:`gateway.oversight.compute.drill`), a page of 50 at a time, each linking to
its complaint. A tenant the operator may not see, or a region outside the tenant's
family, answers 404 as if it did not exist. Indonesian by default; in English when
the console is (``?lang=en``, or chosen on an earlier page and remembered), the
choice kept on every link. Dates are the tenant's, the zone named.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import partial

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from gateway.domain.zones import Zone, local, shown, zone_or_wib
from gateway.hierarchy import family, parent_of
from gateway.mappings.spec import Sla
from gateway.ops import auth
from gateway.ops.auth import CurrentOperator, OperatorContext
from gateway.ops.oversight_rows import (
    DRILL_PATH,
    PATH,
    STEP_WORDS,
    Column,
    Group,
    Links,
    Numbers,
    columns,
    groups,
    region_ranks,
    row_names,
    step_words,
    terms,
    trend,
    words,
)
from gateway.ops.paging import PAGE_SIZE, Paging
from gateway.ops.rendering import container, message, not_found, page_number, render, visible
from gateway.oversight import compute
from gateway.oversight.figures import STEPS, Drill, Period
from gateway.oversight.periods import period_label

__all__ = [
    "DRILL_PATH",
    "PATH",
    "STEP_WORDS",
    "Column",
    "Group",
    "Links",
    "Numbers",
    "period_key",
    "region_ranks",
]

router = auth.router
SLA_STEPS = ("over_sla_verify", "over_sla_follow_up", "over_sla_finish")
#: the numerators of the rates: received in the period and followed up (or finished)
#: by its end (:data:`gateway.oversight.compute.MEASURES`)
RATE_STEPS = ("followed_up_by_end", "finished_by_end")
FORMATS = ("xlsx", "pdf", "csv")


def _now(request: Request) -> datetime:
    """Now: ``app.state.ops_clock`` when the app has one (tests), else the wall clock."""
    clock = getattr(request.app.state, "ops_clock", None)
    return clock() if clock is not None else datetime.now(UTC)


def _zone(request: Request, tenant: str) -> Zone:
    return zone_or_wib(container(request).tenants[tenant].spec.region_code)


def _tenant(request: Request, ctx: OperatorContext) -> str | None:
    """The tenant asked for if the operator may see it; without one the operator's own,
    else the first province it sees. None: not one it may see (or none at all)."""
    seen = visible(request, ctx)
    asked = request.query_params.get("tenant", "")[:64]
    if asked:
        return asked if asked in seen else None
    tenants = container(request).tenants
    if ctx.operator.tenant in seen:
        return str(ctx.operator.tenant)
    tops = [t for t in seen if parent_of(tenants[t]) not in seen]
    return next(iter(tops or seen), None)


def _sla(request: Request, tenant: str) -> Sla:
    """The tenant's SLA (its mapping's ``sla``): the limits its lateness figures name."""
    sla: Sla = container(request).tenants[tenant].spec.sla
    return sla


def period_key(params: Mapping[str, str], today_key: str) -> str:
    """The period asked for: ``period`` itself, else the chooser's fields (``kind``:
    ``month``, ``quarter``, ``year`` or ``dates``), else this month."""
    if params.get("period"):
        return params["period"][:32]
    kind = params.get("kind", "")
    year = params.get("year", "")[:4]
    if kind == "month" and params.get("month"):
        return params["month"][:7]
    if kind == "quarter" and year and params.get("quarter"):
        return f"{year}-Q{params['quarter'][:1]}"
    if kind == "year" and year:
        return year
    if kind == "dates" and params.get("from") and params.get("to"):
        return f"{params['from'][:10]}..{params['to'][:10]}"
    return today_key


def _period(request: Request, zone: Zone) -> Period | None:
    today = local(_now(request), zone).date()
    key = period_key(request.query_params, today.strftime("%Y-%m"))
    try:
        return compute.parse_period(key, today)
    except ValueError:
        return None


def english(request: Request, ctx: OperatorContext) -> bool:
    """Whether the page speaks English: the console's language (``?lang=``, remembered
    in a cookie, :mod:`gateway.ops.labels`), Indonesian by default."""
    return ctx.words.language == "en"


def period_kind(key: str) -> str:
    """Which of the chooser's kinds a period key is: ``month``, ``quarter``, ``year``
    or ``dates``."""
    if ".." in key:
        return "dates"
    if "Q" in key.upper():
        return "quarter"
    return "year" if len(key) == 4 else "month"


def _choices(request: Request, ctx: OperatorContext) -> list[tuple[str, str]]:
    tenants = container(request).tenants
    return [(t, tenants[t].spec.name) for t in visible(request, ctx)]


@router.get("/pengawasan")
async def oversight_page(request: Request, ctx: CurrentOperator) -> Response:
    en = english(request, ctx)
    tenant = _tenant(request, ctx)
    if tenant is None:
        return not_found(ctx)
    zone = _zone(request, tenant)
    period = _period(request, zone)
    if period is None:
        return _bad_period(ctx, en)
    app = container(request)
    now = _now(request)
    figures = await run_in_threadpool(
        partial(compute.compute, now=now), app.factory, app.tenants, tenant, period
    )
    links = Links(tenant, period.key, en)
    sla = _sla(request, tenant)
    return render(
        ctx,
        "pengawasan.html",
        o=figures,
        en=en,
        w=words(en),
        columns=columns(en, sla),
        groups=groups(en),
        numbers=Numbers(en),
        links=links,
        formats=FORMATS,
        ranks=region_ranks(list(figures.by_region)),
        named=row_names(en),
        period_label=period_label(figures.period, "en" if en else "id"),
        trend=trend(figures, links, en),
        choices=_choices(request, ctx),
        kind=period_kind(period.key),
        terms=terms(en, sla),
        computed=local(now, zone).strftime("%Y-%m-%d %H:%M"),
    )


def _bad_period(ctx: OperatorContext, en: bool) -> Response:
    if en:
        return message(
            ctx, "Unknown period", "Choose a month, a quarter, a year or two dates.", 400
        )
    return message(
        ctx, "Periode tidak dikenal", "Pilih bulan, triwulan, tahun atau dua tanggal.", 400
    )


def _drill_of(request: Request, tenant: str, period: Period) -> Drill | None:
    """The drill-down asked for, or None when its step or region is not one there is."""
    params = request.query_params
    step = params.get("step", "")
    region = params.get("region", "")[:64] or None
    if step not in (*STEPS, *SLA_STEPS, *RATE_STEPS):
        return None
    if region is not None and region not in family(container(request).tenants, tenant):
        return None
    try:
        topic = int(params["topic"]) if params.get("topic") else None
    except ValueError:
        return None
    return Drill(
        tenant,
        period.key,
        step,
        region=region,
        # "": the complaints without an agency (the row of those, keyed "")
        agency=params["agency"][:64] if "agency" in params else None,
        channel=params.get("channel", "")[:32] or None,
        topic=topic,
    )


@router.get("/pengawasan/pengaduan")
async def drill_page(request: Request, ctx: CurrentOperator) -> Response:
    en = english(request, ctx)
    tenant = _tenant(request, ctx)
    if tenant is None or not request.query_params.get("tenant"):
        return not_found(ctx)
    period = _period(request, _zone(request, tenant))
    if period is None:
        return _bad_period(ctx, en)
    asked = _drill_of(request, tenant, period)
    if asked is None:
        return not_found(ctx)
    app = container(request)
    number = page_number(request)
    offset = (number - 1) * PAGE_SIZE
    total, complaints = await run_in_threadpool(
        partial(compute.drill, offset=offset, limit=PAGE_SIZE, now=_now(request)),
        app.factory,
        app.tenants,
        asked,
    )
    keep = tuple((k, v) for k, v in request.query_params.items() if k != "page")
    names = {t: app.tenants[t].spec.name for t in family(app.tenants, tenant)}
    return render(
        ctx,
        "pengawasan_pengaduan.html",
        d=asked,
        period=period,
        en=en,
        w=words(en),
        step_word=step_words(_sla(request, tenant))[asked.step][en],
        period_label=period_label(period, "en" if en else "id"),
        complaints=complaints,
        paging=Paging(number, total, keep),
        path=DRILL_PATH,
        names=names,
        zone=_zone(request, tenant).label,
        at=lambda moment: shown(moment, _zone(request, tenant)),
        back=Links(tenant, period.key, en).page(),
    )
