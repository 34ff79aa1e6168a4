"""The call-centre channel's routes: ticket push, agent lookup (API and page)."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError

from adapters.callcenter import lookup
from adapters.callcenter.importer import record_versions, ticket_mapping
from adapters.callcenter.reply import CallbackReplier
from adapters.callcenter.settings import CHANNEL, check_channel
from gateway import metrics
from gateway.api.deps import authenticate
from gateway.api.responses import error_responses
from gateway.api.surface import parse_json
from gateway.channels import ChannelAdapter
from gateway.domain.errors import ErrorKind, GatewayError, invalid
from gateway.fieldmap import FieldMapping, RecordError
from gateway.storage import intake
from gateway.storage.engine import transaction
from gateway.storage.models import Complaint

router = APIRouter(prefix="/channels/callcenter", tags=["channels"])
MAX_BATCH = 1000

ERRORS: dict[int | str, dict[str, Any]] = error_responses(
    503,
    s401="Missing or wrong X-API-Key",
    s404="Unknown tenant, or it has no call-centre channel",
    s422="The ticket (or the body) is wrong; `error.fields` names the column",
)


class TicketResult(BaseModel):
    """What became of one ticket."""

    index: int
    ticket: str | None = Field(description="The ticket's number, when it has one")
    result: Literal["created", "duplicate", "updated", "rejected"]
    id: str | None = None
    tracking_id: str | None = None
    status: str | None = None
    column: str | None = Field(None, description="rejected: the column that is wrong")
    reason: str | None = None


class TicketResults(BaseModel):
    results: list[TicketResult]


class LookupAnswer(BaseModel):
    items: list[dict[str, Any]]


_TICKET = {
    "type": "object",
    "description": "A ticket, with the call centre's own column names (the mapping's `fields`)",
    "additionalProperties": True,
}
TICKETS_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "anyOf": [
                    _TICKET,
                    {"type": "array", "items": _TICKET, "maxItems": MAX_BATCH},
                ]
            },
            "example": {  # Lampung's columns
                "ticket_no": "CC-LPG-0001",
                "subject": "Jalan berlubang",
                "notes": "Pelapor menyampaikan jalan di depan pasar Kedaton berlubang besar.",
                "kategori": "JALAN",
                "caller_phone": "0812-3456-7890",
                "kode_wilayah": "18.71",
            },
        }
    },
}


def _mapping(request: Request, tenant: str) -> FieldMapping:
    container = request.app.state.container
    found = authenticate(container, tenant, request.headers.get("x-api-key"))
    try:
        return ticket_mapping(found, container.catalogue)
    except LookupError as exc:
        raise GatewayError(ErrorKind.NOT_FOUND, str(exc)) from None


@router.post(
    "/{tenant}/tickets",
    responses={
        200: {
            "model": TicketResult | TicketResults,
            "description": "A batch, or one ticket stored before (duplicate, updated)",
        },
        202: {"model": TicketResult, "description": "One new ticket, stored"},
        **ERRORS,
    },
    openapi_extra={"requestBody": TICKETS_BODY},
)
async def push_tickets(
    request: Request, tenant: Annotated[str, Path(max_length=64)]
) -> JSONResponse:
    """One ticket (a JSON object with the call centre's own column names) or a batch
    (``{"tickets": [...]}`` or a JSON array). Each answer says ``created``,
    ``duplicate`` (the same ticket again), ``updated`` (the ticket's notes changed: sent
    to the registry as a comment) or ``rejected`` with the column and reason. A single
    ticket that is wrong answers 422."""
    mapping = _mapping(request, tenant)
    try:
        body = parse_json(await request.body())
    except ValueError:
        raise invalid("body", "is not JSON") from None
    single = isinstance(body, dict) and "tickets" not in body
    tickets = [body] if single else (body.get("tickets") if isinstance(body, dict) else body)
    if not isinstance(tickets, list) or not all(isinstance(t, dict) for t in tickets):
        raise invalid("tickets", 'must be a ticket object, a list of them, or {"tickets": [...]}')
    if len(tickets) > MAX_BATCH:
        raise invalid("tickets", f"at most {MAX_BATCH} per request")
    container = request.app.state.container
    results = await asyncio.to_thread(_push, container.factory, mapping, tickets)
    for result in results:
        metrics.intake(mapping.tenant.id, CHANNEL, result["result"])
    if single:
        result = results[0]
        if result["result"] == "rejected":
            raise invalid(result["column"], result["reason"])
        return JSONResponse(result, status_code=202 if result["result"] == "created" else 200)
    return JSONResponse({"results": results})


def _push(
    factory: Any, mapping: FieldMapping, tickets: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    today = datetime.now(ZoneInfo(mapping.settings.timezone)).date()
    results: list[dict[str, Any]] = []
    for position, ticket in enumerate(tickets):
        try:
            draft = mapping.draft(ticket, today)
        except RecordError as exc:
            ref = _safe_ref(mapping, ticket)
            results.append(
                {
                    "index": position,
                    "ticket": ref,
                    "result": "rejected",
                    "column": exc.column,
                    "reason": exc.reason,
                }
            )
            continue
        raw = json.dumps(ticket, ensure_ascii=False, default=str)
        try:
            results.append({"index": position, **_one(factory, draft, raw)})
        except IntegrityError:  # the same ticket pushed at the same moment: it is there now
            results.append({"index": position, **_one(factory, draft, raw)})
    return results


def _one(factory: Any, draft: Any, raw: str) -> dict[str, Any]:
    """Store a new ticket; an update of a stored one becomes one comment per new version."""
    with transaction(factory) as session:
        [stored] = intake.insert_items(session, [intake.IntakeItem(draft, raw, "application/json")])
        answer = {
            "ticket": draft.source_ref,
            "id": stored.complaint_id,
            "tracking_id": stored.tracking_id,
        }
        if stored.created:
            return {**answer, "result": "created", "status": stored.status}
        [updated] = record_versions(session, [(draft, raw, stored.complaint_id)])
        complaint = session.get(Complaint, stored.complaint_id)
        assert complaint is not None
        return {
            **answer,
            "result": "updated" if updated else "duplicate",
            "status": complaint.status,
        }


def _safe_ref(mapping: FieldMapping, ticket: dict[str, Any]) -> str | None:
    try:
        return mapping.source_ref(ticket)
    except RecordError:
        return None


@router.get("/{tenant}/lookup", response_model=LookupAnswer, responses=ERRORS)
async def agent_lookup(
    request: Request,
    tenant: Annotated[str, Path(max_length=64)],
    ticket: Annotated[str | None, Query(max_length=200)] = None,
    phone: Annotated[str | None, Query(max_length=40)] = None,
    tracking_id: Annotated[str | None, Query(max_length=64)] = None,
) -> JSONResponse:
    """What an agent tells a caller: by ticket number, caller's phone or tracking ID."""
    mapping = _mapping(request, tenant)
    found = await asyncio.to_thread(
        lookup.find, request.app.state.container.factory, mapping, ticket, phone, tracking_id
    )
    return JSONResponse({"items": found})


@router.get("/{tenant}/agent", response_class=HTMLResponse, include_in_schema=False)
async def agent_page(
    request: Request,
    tenant: Annotated[str, Path(max_length=64)],
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    """A page an agent keeps open: one box for a ticket number, a phone or a tracking ID.
    The browser asks for the tenant's API key (HTTP Basic, any user name)."""
    container = request.app.state.container
    key = lookup.basic_password(request.headers.get("authorization"))
    try:
        found_tenant = authenticate(container, tenant, key)
    except GatewayError as exc:
        if exc.kind == ErrorKind.UNAUTHORIZED:
            return HTMLResponse(
                "Masukkan kunci API call centre (nama pengguna bebas).",
                status_code=401,
                headers={"WWW-Authenticate": 'Basic realm="lapor-gateway agent", charset="UTF-8"'},
            )
        raise
    mapping = ticket_mapping(found_tenant, container.catalogue)
    items = await asyncio.to_thread(lookup.search, container.factory, mapping, q) if q else None
    return HTMLResponse(lookup.page(mapping, q, items))


ADAPTER = ChannelAdapter(
    channel=CHANNEL,
    router=router,
    make_replier=CallbackReplier.of,
    check_channel=check_channel,
)
