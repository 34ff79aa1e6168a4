"""The API channel's inbound route."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from adapters.api.parse import CHANNEL, ComplaintIn, to_draft
from adapters.api.reply import LoggingReplier
from gateway import metrics
from gateway.api.deps import PATH_TENANT_PARAMETERS, path_tenant
from gateway.api.responses import error_responses
from gateway.channels import ChannelAdapter
from gateway.routing import route
from gateway.storage.group_commit import IntakeWriter
from gateway.storage.intake import IntakeItem

router = APIRouter(prefix="/channels/api", tags=["channels"])


class Accepted(BaseModel):
    id: str
    status: str
    tracking_id: str | None
    duplicate: bool
    links: dict[str, str]


ERRORS: dict[int | str, dict[str, Any]] = error_responses(
    422,
    503,
    s400="Body is not valid JSON",
    s401="Missing or wrong X-API-Key",
    s404="Unknown tenant",
)


@router.post(
    "/{tenant}/complaints",
    status_code=202,
    response_model=Accepted,
    responses={
        200: {"model": Accepted, "description": "Already received (same source_ref)"},
        **ERRORS,
    },
    openapi_extra={"parameters": PATH_TENANT_PARAMETERS},
)
async def submit_complaint(request: Request, body: ComplaintIn) -> JSONResponse:
    """File a complaint. Answers 202 once it is stored; the same `source_ref` again answers
    200 with the complaint already stored and creates nothing."""
    tenant = path_tenant(request)
    container = request.app.state.container
    draft = route(tenant, to_draft(body, tenant.id, tenant.spec.region_code), container.catalogue)
    raw = (await request.body()).decode("utf-8", errors="replace")
    writer: IntakeWriter = request.app.state.intake
    result = await writer.record(IntakeItem(draft, raw, "application/json"))
    metrics.intake(tenant.id, CHANNEL, "accepted" if result.created else "duplicate")
    accepted = Accepted(
        id=result.complaint_id,
        status=result.status,
        tracking_id=result.tracking_id,
        duplicate=not result.created,
        links={"self": f"/complaints/{result.complaint_id}"},
    )
    return JSONResponse(
        accepted.model_dump(mode="json"),
        status_code=202 if result.created else 200,
        headers={"Location": f"/complaints/{result.complaint_id}"},
    )


ADAPTER = ChannelAdapter(channel=CHANNEL, router=router, make_replier=lambda _c: LoggingReplier())
