"""Staff lookup (``/complaints``, scoped to the caller's tenant) and public tracking."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from gateway.api.deps import ContainerDep, KeyTenant
from gateway.api.responses import error_responses
from gateway.api.views import ComplaintView, TrackView, complaint_view, track_view
from gateway.domain.errors import ErrorKind, GatewayError
from gateway.storage import queries

router = APIRouter(tags=["lookup"])


class ComplaintList(BaseModel):
    items: list[ComplaintView]


@router.get(
    "/complaints/{complaint_id}",
    response_model=ComplaintView,
    responses=error_responses(401, 422, s404="No such complaint for this tenant"),
)
async def get_complaint(
    container: ContainerDep,
    tenant: KeyTenant,
    complaint_id: Annotated[str, Path(max_length=64)],
) -> ComplaintView:
    found = await run_in_threadpool(queries.complaint_with_history, container.factory, complaint_id)
    # another tenant's complaint is "not found", never "forbidden": no probing
    if found is None or found[0].tenant != tenant.id:
        raise GatewayError(ErrorKind.NOT_FOUND, f"no complaint {complaint_id!r} for this tenant")
    return complaint_view(*found)


@router.get("/complaints", response_model=ComplaintList, responses=error_responses(401, 422))
async def find_complaints(
    container: ContainerDep,
    tenant: KeyTenant,
    channel: Annotated[str | None, Query(max_length=32)] = None,
    source_ref: Annotated[str | None, Query(max_length=200)] = None,
    tracking_id: Annotated[str | None, Query(max_length=64)] = None,
    flagged: Annotated[
        bool | None,
        Query(description="true: only complaints whose routing needs a person to look"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ComplaintList:
    if source_ref and not channel:
        raise GatewayError(
            ErrorKind.INVALID_INPUT, "source_ref needs channel: a source_ref is unique per channel"
        )
    rows = await run_in_threadpool(
        lambda: queries.find(
            container.factory,
            tenant.id,
            channel=channel,
            source_ref=source_ref,
            tracking_id=tracking_id,
            flagged=flagged,
            limit=limit,
        )
    )
    return ComplaintList(items=[complaint_view(c, h) for c, h in rows])


@router.get(
    "/track/{tracking_id}",
    response_model=TrackView,
    tags=["public"],
    responses=error_responses(422, s404="No complaint with this tracking ID"),
)
async def track(
    container: ContainerDep, tracking_id: Annotated[str, Path(max_length=64)]
) -> TrackView:
    """Public status of a complaint by its national tracking ID (no content, no reporter)."""
    found = await run_in_threadpool(queries.by_tracking_id, container.factory, tracking_id)
    if found is None:
        raise GatewayError(ErrorKind.NOT_FOUND, f"no complaint with tracking ID {tracking_id!r}")
    return track_view(*found)
