"""The API channel's inbound route."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from adapters.api.parse import CHANNEL, ComplaintIn, to_draft
from adapters.api.reply import LoggingReplier
from gateway import metrics
from gateway.api.deps import PATH_TENANT_PARAMETERS, path_tenant
from gateway.api.responses import error_responses, json_body
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
    openapi_extra={"parameters": PATH_TENANT_PARAMETERS, "requestBody": json_body(ComplaintIn)},
)
async def submit_complaint(request: Request) -> JSONResponse:
    """File a complaint. Answers 202 once it is stored; the same `source_ref` again answers
    200 with the complaint already stored and creates nothing. A body without
    `Content-Type` is read as JSON."""
    # who is asking before what they sent: 401/404 say nothing about the body
    tenant = path_tenant(request)
    raw = await request.body()
    body = read_complaint(raw)
    container = request.app.state.container
    draft = route(tenant, to_draft(body, tenant.id, tenant.spec.region_code), container.catalogue)
    writer: IntakeWriter = request.app.state.intake
    text = raw.decode("utf-8", errors="replace")
    result = await writer.record(IntakeItem(draft, text, "application/json"))
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


def read_complaint(raw: bytes) -> ComplaintIn:
    """The body as :class:`ComplaintIn`, in one pass from its bytes (whatever its
    ``Content-Type`` says: the guards let only JSON or none through). Its mistakes are
    answered as FastAPI answers a body it validates: 400 for JSON that does not parse,
    422 naming each field, and for no body at all."""
    if not raw:
        missing = {"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}
        raise RequestValidationError([missing])
    try:
        return ComplaintIn.model_validate_json(raw)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        ) from None


ADAPTER = ChannelAdapter(channel=CHANNEL, router=router, make_replier=lambda _c: LoggingReplier())
