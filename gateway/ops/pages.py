"""The console's pages: overview, complaints, one complaint, failed jobs.

They are routes of :data:`gateway.ops.auth.router` (``gateway.ops.auth`` imports
this module at its end), so the app includes one router for all of /ops.
Server-rendered from ``templates/`` with one base layout; the only style sheet is
``/ops/static/ops.css`` (the CSP allows nothing inline). A complaint or job of a
tenant the operator may not see answers 404, as if it did not exist.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.concurrency import run_in_threadpool

from gateway.ops import auth, complaint_detail, complaint_list, jobs
from gateway.ops.auth import CsrfChecked, CurrentOperator, OperatorContext
from gateway.ops.overview import duration, overview, today
from gateway.storage.models import OutboxJob

if TYPE_CHECKING:
    from gateway.bootstrap import Container

HERE = Path(__file__).parent
#: the /ops router of gateway.ops.auth: these pages are added to it
router = auth.router


@cache
def _templates() -> Environment:
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


def _render(ctx: OperatorContext, name: str, status: int = 200, **values: Any) -> HTMLResponse:
    html = _templates().get_template(name).render(ctx=ctx, scope=ctx.scope, **values)
    return HTMLResponse(html, status_code=status)


def _container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def _visible(request: Request, ctx: OperatorContext) -> list[str]:
    return [t for t in _container(request).tenants if ctx.scope.can_see(t)]


def _message(ctx: OperatorContext, title: str, text: str, status: int) -> HTMLResponse:
    return _render(ctx, "message.html", status, title=title, text=text)


def _not_found(ctx: OperatorContext) -> HTMLResponse:
    return _message(ctx, "Tidak ditemukan", "Data ini tidak ada atau bukan wewenang Anda.", 404)


def _forbidden(ctx: OperatorContext) -> HTMLResponse:
    return _message(ctx, "Tidak diizinkan", "Peran Anda tidak mengizinkan tindakan ini.", 403)


@cache
def _stylesheet() -> bytes:
    return (HERE / "static" / "ops.css").read_bytes()


@router.get("/static/ops.css")
async def stylesheet() -> Response:
    return Response(_stylesheet(), media_type="text/css")


@router.get("")
async def home(request: Request, ctx: CurrentOperator) -> Response:
    """Per tenant: today's intake, the backlog, failures and the circuit."""
    rows = await run_in_threadpool(overview, _container(request).factory, _visible(request, ctx))
    return _render(ctx, "overview.html", rows=rows, day=today())


def _filters(request: Request) -> complaint_list.Filters:
    params = request.query_params
    try:
        page = max(int(params.get("page", "1")), 1)
    except ValueError:
        page = 1
    return complaint_list.Filters(
        tenant=params.get("tenant", "")[:64],
        channel=params.get("channel", "")[:32],
        status=params.get("status", "")[:16],
        flagged=params.get("flagged") == "1",
        overdue=params.get("overdue") == "1",
        q=params.get("q", "").strip()[:200],
        page=min(page, 10_000),
    )


@router.get("/complaints")
async def complaints(request: Request, ctx: CurrentOperator) -> Response:
    filters = _filters(request)
    visible = _visible(request, ctx)
    found = await run_in_threadpool(
        complaint_list.find, _container(request).factory, visible, filters, today()
    )
    tenants = _container(request).tenants
    channels = sorted({c.id for t in visible for c in tenants[t].spec.channels})
    return _render(
        ctx,
        "complaints.html",
        page=found,
        filters=filters,
        tenants=visible,
        channels=channels,
        statuses=complaint_list.STATUSES,
    )


@router.get("/complaints/{complaint_id}")
async def complaint(request: Request, ctx: CurrentOperator, complaint_id: str) -> Response:
    factory = _container(request).factory
    dossier = await run_in_threadpool(complaint_detail.load, factory, complaint_id)
    if dossier is None or not ctx.scope.can_see(dossier.complaint.tenant):
        return _not_found(ctx)
    allowed = ctx.scope.can_reveal(dossier.complaint.confidential)
    try:
        audit_id: int | None = int(request.query_params.get("reveal", ""))
    except ValueError:
        audit_id = None
    shown = allowed and await run_in_threadpool(
        complaint_detail.revealed, factory, ctx.operator, dossier.complaint.id, audit_id
    )
    return _render(
        ctx,
        "complaint.html",
        d=dossier,
        c=dossier.complaint,
        reporter=complaint_detail.reporter(dossier.complaint, shown),
        raw=complaint_detail.raw_input(dossier.complaint, dossier.inbound, shown),
        shown=shown,
        can_reveal=allowed,
    )


@router.post("/complaints/{complaint_id}/reveal")
async def reveal(request: Request, ctx: CsrfChecked, complaint_id: str) -> Response:
    factory = _container(request).factory
    dossier = await run_in_threadpool(complaint_detail.load, factory, complaint_id)
    if dossier is None or not ctx.scope.can_see(dossier.complaint.tenant):
        return _not_found(ctx)
    if not ctx.scope.can_reveal(dossier.complaint.confidential):
        return _forbidden(ctx)
    audit_id = await run_in_threadpool(
        complaint_detail.reveal, factory, ctx.operator, dossier.complaint
    )
    target = f"/ops/complaints/{dossier.complaint.id}?reveal={audit_id}"
    return RedirectResponse(target, 303)


@router.get("/jobs")
async def job_list(request: Request, ctx: CurrentOperator) -> Response:
    state = request.query_params.get("state", "failed")
    if state not in jobs.STATES:
        state = "failed"
    rows = await run_in_threadpool(
        jobs.listed, _container(request).factory, _visible(request, ctx), state
    )
    return _render(ctx, "jobs.html", jobs=rows, state=state, states=jobs.STATES)


async def _actionable(
    request: Request, ctx: OperatorContext, job_id: int
) -> OutboxJob | HTMLResponse:
    """The job if the operator may act on it, else the page saying why not."""
    found = await run_in_threadpool(jobs.job, _container(request).factory, job_id)
    if found is None or not ctx.scope.can_see(found.tenant):
        return _not_found(ctx)
    if not ctx.scope.can_act():
        return _forbidden(ctx)
    return found


@router.post("/jobs/{job_id}/retry")
async def retry_job(request: Request, ctx: CsrfChecked, job_id: int) -> Response:
    found = await _actionable(request, ctx, job_id)
    if isinstance(found, HTMLResponse):
        return found
    factory = _container(request).factory
    if not await run_in_threadpool(jobs.retry, factory, ctx.operator, found):
        return _message(ctx, "Tidak diulang", "Tugas ini sudah tidak berstatus gagal.", 409)
    return RedirectResponse("/ops/jobs?state=failed", 303)


@router.post("/jobs/{job_id}/dismiss")
async def dismiss_job(request: Request, ctx: CsrfChecked, job_id: int) -> Response:
    found = await _actionable(request, ctx, job_id)
    if isinstance(found, HTMLResponse):
        return found
    reason = str((await request.form()).get("reason") or "").strip()
    if not reason:
        return _message(ctx, "Alasan wajib diisi", "Tuliskan alasan pengabaian tugas.", 400)
    factory = _container(request).factory
    if not await run_in_threadpool(jobs.dismiss, factory, ctx.operator, found, reason):
        return _message(ctx, "Tidak diabaikan", "Tugas ini sudah tidak berstatus gagal.", 409)
    return RedirectResponse("/ops/jobs?state=failed", 303)
