"""How the console's pages answer: templates, the operator's tenants, error pages.

Server-rendered from ``templates/`` with one base layout; the only style sheet is
``/ops/static/ops.css`` (the CSP allows nothing inline). A complaint, job or input of
a tenant the operator may not see answers 404, as if it did not exist.

Every time is shown in its place's zone with the zone's label (``08:42 WITA``): a
complaint's in the zone of its region, a job's or an input's in its tenant's
(:mod:`gateway.domain.zones`). Days ("today", the last 7 days) stay WIB days
(:mod:`gateway.ops.wib`), the national registry's.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from gateway.domain.zones import WIB, shown, zone_or_wib
from gateway.ops.labels import INDONESIAN

if TYPE_CHECKING:
    from gateway.bootstrap import Container
    from gateway.ops.auth import OperatorContext

HERE = Path(__file__).parent


@cache
def templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = when
    # pages rendered without an operator (sign-in, refusals) speak Indonesian
    env.globals["t"] = env.globals["_"] = INDONESIAN
    return env


def when(moment: datetime | None, region_code: str | None = None) -> str:
    """A stored moment in the zone of ``region_code``, with its label; WIB without one."""
    if moment is None:
        return "-"
    return shown(moment, zone_or_wib(region_code) if region_code else WIB)


def tenant_regions(request: Request) -> dict[str, str]:
    """Each tenant's region code: the zone of its jobs' and inputs' times."""
    return {tid: t.spec.region_code for tid, t in container(request).tenants.items()}


def render(ctx: OperatorContext, name: str, status: int = 200, **values: Any) -> HTMLResponse:
    words = ctx.words
    html = (
        templates().get_template(name).render(ctx=ctx, scope=ctx.scope, t=words, _=words, **values)
    )
    return HTMLResponse(html, status_code=status)


def container(request: Request) -> Container:
    found: Container = request.app.state.container
    return found


def visible(request: Request, ctx: OperatorContext) -> list[str]:
    """The tenants the operator may see, in the container's order."""
    return [t for t in container(request).tenants if ctx.scope.can_see(t)]


def message(ctx: OperatorContext, title: str, text: str, status: int) -> HTMLResponse:
    return render(ctx, "message.html", status, title=title, text=text)


def not_found(ctx: OperatorContext) -> HTMLResponse:
    return message(ctx, "Tidak ditemukan", "Data ini tidak ada atau bukan wewenang Anda.", 404)


def forbidden(ctx: OperatorContext) -> HTMLResponse:
    return message(ctx, "Tidak diizinkan", "Peran Anda tidak mengizinkan tindakan ini.", 403)


def page_number(request: Request) -> int:
    """The ``?page=`` asked for: 1 when missing or not a number, at most 10 000."""
    try:
        page = max(int(request.query_params.get("page", "1")), 1)
    except ValueError:
        page = 1
    return min(page, 10_000)
