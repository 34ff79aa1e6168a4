"""How the console's pages answer: templates, the operator's tenants, error pages.

Server-rendered from ``templates/`` with one base layout; the only style sheet is
``/ops/static/ops.css`` (the CSP allows nothing inline). A complaint, job or input of
a tenant the operator may not see answers 404, as if it did not exist.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from gateway.ops.overview import duration

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
    env.filters["duration"] = duration
    env.filters["when"] = lambda moment: moment.strftime("%Y-%m-%d %H:%M") if moment else "-"
    return env


def render(ctx: OperatorContext, name: str, status: int = 200, **values: Any) -> HTMLResponse:
    html = templates().get_template(name).render(ctx=ctx, scope=ctx.scope, **values)
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
