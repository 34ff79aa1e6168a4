"""The console's pages: overview, complaints, one complaint, complaints past due, jobs.

They are routes of :data:`gateway.ops.auth.router` (``gateway.ops.auth`` imports
this module at its end), so the app includes one router for all of /ops.
Server-rendered from ``templates/`` with one base layout; the only style sheet is
``/ops/static/ops.css`` (the CSP allows nothing inline). A complaint or job of a
tenant the operator may not see answers 404, as if it did not exist.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from gateway.ops import auth, complaint_detail, complaint_list, jobs, overdue
from gateway.ops.auth import CsrfChecked, CurrentOperator, OperatorContext
from gateway.ops.overview import overview
from gateway.ops.rendering import (
    container,
    forbidden,
    message,
    not_found,
    page_number,
    render,
    tenant_regions,
    visible,
)
from gateway.ops.wib import today
from gateway.storage import queries
from gateway.storage.models import Complaint, OutboxJob

if TYPE_CHECKING:
    pass

HERE = Path(__file__).parent
#: the /ops router of gateway.ops.auth: these pages are added to it
router = auth.router


@cache
def _stylesheet() -> bytes:
    return (HERE / "static" / "ops.css").read_bytes()


@router.get("/static/ops.css")
async def stylesheet() -> Response:
    return Response(_stylesheet(), media_type="text/css")


@router.get("")
async def home(request: Request, ctx: CurrentOperator) -> Response:
    """Per tenant: today's intake, the backlog, failures and the circuit."""
    rows = await run_in_threadpool(overview, container(request).factory, visible(request, ctx))
    return render(ctx, "overview.html", rows=rows, day=today())


def _filters(request: Request) -> complaint_list.Filters:
    params = request.query_params
    return complaint_list.Filters(
        tenant=params.get("tenant", "")[:64],
        channel=params.get("channel", "")[:32],
        status=params.get("status", "")[:16],
        flagged=params.get("flagged") == "1",
        overdue=params.get("overdue") == "1",
        q=params.get("q", "").strip()[:200],
        page=page_number(request),
    )


@router.get("/complaints")
async def complaints(request: Request, ctx: CurrentOperator) -> Response:
    filters = _filters(request)
    shown = visible(request, ctx)
    found = await run_in_threadpool(
        complaint_list.find, container(request).factory, shown, filters, today()
    )
    tenants = container(request).tenants
    channels = sorted({c.id for t in shown for c in tenants[t].spec.channels})
    return render(
        ctx,
        "complaints.html",
        page=found,
        filters=filters,
        tenants=shown,
        channels=channels,
        statuses=complaint_list.STATUSES,
    )


@router.get("/sla")
async def sla(request: Request, ctx: CurrentOperator) -> Response:
    """Complaints past their verification or follow-up due date, most overdue first."""
    shown = visible(request, ctx)
    tenant = request.query_params.get("tenant", "")[:64]
    day = today()
    found = await run_in_threadpool(
        overdue.find, container(request).factory, shown, tenant, page_number(request), day
    )
    return render(ctx, "sla.html", page=found, tenants=shown, day=day)


@router.get("/complaints/{complaint_id}")
async def complaint(request: Request, ctx: CurrentOperator, complaint_id: str) -> Response:
    factory = container(request).factory
    dossier = await run_in_threadpool(complaint_detail.load, factory, complaint_id)
    if dossier is None or not ctx.scope.can_see(dossier.complaint.tenant):
        return not_found(ctx)
    allowed = ctx.scope.can_reveal(dossier.complaint.confidential)
    try:
        audit_id: int | None = int(request.query_params.get("reveal", ""))
    except ValueError:
        audit_id = None
    shown = allowed and await run_in_threadpool(
        complaint_detail.revealed, factory, ctx.operator, dossier.complaint.id, audit_id
    )
    return render(
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
    factory = container(request).factory
    found = await run_in_threadpool(queries.detached, factory, Complaint, complaint_id)
    if found is None or not ctx.scope.can_see(found.tenant):
        return not_found(ctx)
    if not ctx.scope.can_reveal(found.confidential):
        return forbidden(ctx)
    audit_id = await run_in_threadpool(complaint_detail.reveal, factory, ctx.operator, found)
    target = f"/ops/complaints/{found.id}?reveal={audit_id}"
    return RedirectResponse(target, 303)


@router.get("/jobs")
async def job_list(request: Request, ctx: CurrentOperator) -> Response:
    state = request.query_params.get("state", "failed")
    if state not in jobs.STATES:
        state = "failed"
    found = await run_in_threadpool(
        jobs.listed, container(request).factory, visible(request, ctx), state, page_number(request)
    )
    return render(
        ctx,
        "jobs.html",
        jobs=found.jobs,
        page=found,
        state=state,
        states=jobs.STATES,
        regions=tenant_regions(request),
    )


async def _actionable(
    request: Request, ctx: OperatorContext, job_id: int
) -> OutboxJob | HTMLResponse:
    """The job if the operator may act on it, else the page saying why not."""
    found = await run_in_threadpool(jobs.job, container(request).factory, job_id)
    if found is None or not ctx.scope.can_see(found.tenant):
        return not_found(ctx)
    if not ctx.scope.can_act():
        return forbidden(ctx)
    return found


@router.post("/jobs/{job_id}/retry")
async def retry_job(request: Request, ctx: CsrfChecked, job_id: int) -> Response:
    found = await _actionable(request, ctx, job_id)
    if isinstance(found, HTMLResponse):
        return found
    factory = container(request).factory
    if not await run_in_threadpool(jobs.retry, factory, ctx.operator, found):
        return message(ctx, "Tidak diulang", "Tugas ini sudah tidak berstatus gagal.", 409)
    return RedirectResponse("/ops/jobs?state=failed", 303)


@router.post("/jobs/{job_id}/dismiss")
async def dismiss_job(request: Request, ctx: CsrfChecked, job_id: int) -> Response:
    found = await _actionable(request, ctx, job_id)
    if isinstance(found, HTMLResponse):
        return found
    reason = str((await request.form()).get("reason") or "").strip()
    if not reason:
        return message(ctx, "Alasan wajib diisi", "Tuliskan alasan pengabaian tugas.", 400)
    factory = container(request).factory
    if not await run_in_threadpool(jobs.dismiss, factory, ctx.operator, found, reason):
        return message(ctx, "Tidak diabaikan", "Tugas ini sudah tidak berstatus gagal.", 409)
    return RedirectResponse("/ops/jobs?state=failed", 303)
