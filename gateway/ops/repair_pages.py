"""The console's repair pages: fix a failed submission and replay it; quarantined inputs.

Routes of the /ops router, like :mod:`gateway.ops.pages` (imported by
``gateway.ops.auth`` at its end). Every action is CSRF-checked, limited to the
operator's tenants and to roles that may act, and audited (:mod:`gateway.ops.repairs`).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from gateway.channels import ChannelAdapter
from gateway.fieldmap import RecordError
from gateway.logs import MASK, redact_value
from gateway.ops import jobs, repair_form, repairs
from gateway.ops.auth import CsrfChecked, CurrentOperator, OperatorContext, router
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
from gateway.storage.intake import QUARANTINED
from gateway.storage.models import Complaint, InboundMessage, OutboxJob


async def _failed_submission(
    request: Request, ctx: OperatorContext, job_id: int
) -> tuple[OutboxJob, Complaint] | HTMLResponse:
    factory = container(request).factory
    found = await run_in_threadpool(jobs.job, factory, job_id)
    if found is None or not ctx.scope.can_see(found.tenant):
        return not_found(ctx)
    if not ctx.scope.can_act():
        return forbidden(ctx)
    complaint = await run_in_threadpool(queries.detached, factory, Complaint, found.complaint_id)
    if found.state != "failed" or found.kind != "submit" or complaint is None:
        return message(ctx, "Tidak dapat diperbaiki", "Hanya pengiriman yang gagal.", 409)
    return found, complaint


def _fix_page(
    request: Request,
    ctx: OperatorContext,
    job: OutboxJob,
    complaint: Complaint,
    values: dict[str, str],
    errors: dict[str, str],
) -> HTMLResponse:
    catalogue = container(request).catalogue
    return render(
        ctx,
        "fix.html",
        400 if errors else 200,
        job=job,
        c=complaint,
        values=values,
        errors=errors,
        named=repair_form.named_fields(job.last_error),
        topics=sorted(catalogue.topics.items()),
        agencies=sorted(catalogue.agencies.items()),
    )


@router.get("/jobs/{job_id}/fix")
async def fix_form(request: Request, ctx: CurrentOperator, job_id: int) -> Response:
    found = await _failed_submission(request, ctx, job_id)
    if isinstance(found, HTMLResponse):
        return found
    job, complaint = found
    return _fix_page(request, ctx, job, complaint, repair_form.current_values(complaint), {})


@router.post("/jobs/{job_id}/fix")
async def fix(request: Request, ctx: CsrfChecked, job_id: int) -> Response:
    found = await _failed_submission(request, ctx, job_id)
    if isinstance(found, HTMLResponse):
        return found
    job, complaint = found
    form = await request.form()
    values = {name: str(form.get(name) or "")[:200] for name in repair_form.EDITABLE}
    checked = repair_form.check(values, container(request).catalogue, today(), ctx.words.language)
    if checked.errors:
        return _fix_page(request, ctx, job, complaint, values, checked.errors)
    try:
        await run_in_threadpool(
            repairs.fix_and_replay, container(request).factory, ctx.operator, job_id, checked.values
        )
    except repairs.Refused as exc:
        return message(ctx, "Tidak dapat diperbaiki", str(exc), 409)
    return RedirectResponse(f"/ops/complaints/{complaint.id}", 303)


# -- quarantined inputs -------------------------------------------------------------


def _adapter(channel: str) -> ChannelAdapter | None:
    from adapters.registry import all_adapters

    return next((a for a in all_adapters() if a.channel == channel), None)


@router.get("/inputs")
async def inputs(request: Request, ctx: CurrentOperator) -> Response:
    tenant = request.query_params.get("tenant", "")[:64]
    shown = visible(request, ctx)
    page = await run_in_threadpool(
        repairs.quarantined, container(request).factory, shown, page_number(request), tenant
    )
    return render(
        ctx, "inputs.html", page=page, tenants=shown, tenant=tenant, regions=tenant_regions(request)
    )


def _fields(request: Request, adapter: ChannelAdapter | None, item: InboundMessage) -> list[Any]:
    """``(column, shown value, personal)`` of a flat record; [] for any other input."""
    try:
        record = json.loads(item.payload)
    except ValueError:
        return []
    if not isinstance(record, dict):
        return []
    personal: frozenset[str] = frozenset()
    if adapter is not None and adapter.replay is not None:
        personal = adapter.replay.personal(container(request), item)
    column = (item.error or "").partition(":")[0].strip()
    if column and column not in record and column != "-":
        record[column] = ""
    rows = []
    for key, value in record.items():
        masked = redact_value(value, key)
        secret = key in personal or masked != value
        text = "" if value is None else str(value)
        rows.append((key, MASK if secret and text else str(masked if secret else text), secret))
    return rows


async def _quarantined(
    request: Request, ctx: OperatorContext, inbound_id: str, *, act: bool = False
) -> InboundMessage | HTMLResponse:
    """The input if the operator may see it (and, with ``act``, act on it), else the
    page saying why not."""
    found = await run_in_threadpool(repairs.inbound, container(request).factory, inbound_id)
    if found is None or not ctx.scope.can_see(found.tenant):
        return not_found(ctx)
    if act and not ctx.scope.can_act():
        return forbidden(ctx)
    return found


def _input_page(
    request: Request,
    ctx: OperatorContext,
    item: InboundMessage,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    adapter = _adapter(item.channel)
    replayer = adapter.replay if adapter is not None else None
    editable = replayer is not None and replayer.editable
    fields = _fields(request, adapter, item) if editable else []
    raw = "" if fields else json.dumps(redact_value(_parsed(item.payload)), indent=2)
    return render(
        ctx,
        "input.html",
        status,
        item=item,
        regions=tenant_regions(request),
        fields=fields,
        raw=raw,
        column=(item.error or "").partition(":")[0].strip(),
        can_replay=replayer is not None and item.state == QUARANTINED,
        editable=editable,
        error=error,
    )


def _parsed(payload: str) -> Any:
    try:
        return json.loads(payload)
    except ValueError:
        return payload


@router.get("/inputs/{inbound_id}")
async def input_detail(request: Request, ctx: CurrentOperator, inbound_id: str) -> Response:
    found = await _quarantined(request, ctx, inbound_id)
    if isinstance(found, HTMLResponse):
        return found
    return _input_page(request, ctx, found)


@router.post("/inputs/{inbound_id}/replay")
async def replay_input(request: Request, ctx: CsrfChecked, inbound_id: str) -> Response:
    found = await _quarantined(request, ctx, inbound_id, act=True)
    if isinstance(found, HTMLResponse):
        return found
    adapter = _adapter(found.channel)
    if adapter is None or adapter.replay is None:
        return message(ctx, "Tidak dapat diulang", "Kanal ini tidak dapat memproses ulang.", 409)
    form = await request.form()
    shown = {key: value for key, value, _ in _fields(request, adapter, found)}
    edits = {}
    for key, value in form.multi_items():
        if not key.startswith("field:") or not isinstance(value, str):
            continue
        column = key.removeprefix("field:")
        kept = value == shown.get(column) or (value == "" and shown.get(column) == MASK)
        if column in shown and not kept:
            edits[column] = value
    try:
        complaint_id = await run_in_threadpool(
            repairs.replay_input, container(request), adapter, ctx.operator, found.id, edits
        )
    except RecordError as exc:
        return _input_page(request, ctx, found, f"{exc.column}: {exc.reason}", 400)
    except repairs.Refused as exc:
        return message(ctx, "Tidak dapat diulang", str(exc), 409)
    if adapter.replay.after is not None:
        adapter.replay.after(container(request))
    if complaint_id is not None:
        return RedirectResponse(f"/ops/complaints/{complaint_id}", 303)
    return RedirectResponse("/ops/inputs", 303)


@router.post("/inputs/{inbound_id}/dismiss")
async def dismiss_input(request: Request, ctx: CsrfChecked, inbound_id: str) -> Response:
    found = await _quarantined(request, ctx, inbound_id, act=True)
    if isinstance(found, HTMLResponse):
        return found
    reason = str((await request.form()).get("reason") or "").strip()
    if not reason:
        return message(ctx, "Alasan wajib diisi", "Tuliskan alasan pengabaian masukan.", 400)
    try:
        await run_in_threadpool(
            repairs.dismiss_input, container(request).factory, ctx.operator, found.id, reason
        )
    except repairs.Refused as exc:
        return message(ctx, "Tidak diabaikan", str(exc), 409)
    return RedirectResponse("/ops/inputs", 303)
