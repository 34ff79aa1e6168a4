"""The sandbox national registry as a FastAPI app: the ``/api/v1`` contract of
SP4N-LAPOR! (see DESIGN.md) and the ``/_sandbox`` administration.

``create_sandbox_app(config)`` builds it. Run alone (``gateway sandbox``), its
lifespan starts and stops the workflow clock. Mounted inside another app or
called through ``httpx.ASGITransport`` its lifespan does not run: the host calls
``await app.state.sandbox.start()`` and ``stop()`` itself. Faults then fall back
as :mod:`gateway.sandbox.faults` describes.

The administration (``/_sandbox/*`` but its health probe) needs the admin token,
checked in :class:`SandboxApp` before anything else (see :mod:`gateway.sandbox.admin`).

The handlers call the store on the event loop: each call is a short, indexed SQLite
statement (tens of microseconds; a hop to a worker thread costs more). Bodies are
parsed, and errors shaped, by :mod:`gateway.sandbox.wire`.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from gateway.api.deps import same_secret
from gateway.sandbox import faults
from gateway.sandbox.admin import carries_admin_token, needs_admin_token, new_admin_token, refusal
from gateway.sandbox.catalog import load_catalog
from gateway.sandbox.config import SandboxConfig
from gateway.sandbox.records import BadCursor
from gateway.sandbox.store import Store
from gateway.sandbox.wire import (
    AdvanceIn,
    ApiError,
    CommentIn,
    field_errors,
    parse_body,
    parse_complaint,
)
from gateway.sandbox.workflow import Clock, Workflow, WorkflowError

MAX_LIMIT = 1000


class SandboxRuntime:
    """Everything one sandbox holds: ``app.state.sandbox``."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.catalog = load_catalog()
        self.store = Store(config.db_path, seed=config.seed)
        self.workflow = Workflow(
            self.catalog,
            step_seconds=config.step_seconds,
            archive_rate=config.archive_rate,
            seed=config.seed,
        )
        self.clock = Clock(self.store, self.workflow)
        self.faults = faults.FaultInjector(config.faults)
        given = config.admin_token.get_secret_value().strip() if config.admin_token else ""
        #: the bearer token of ``/_sandbox/*``; False: made here, at random
        self.admin_token_given = bool(given)
        self.admin_token = given or new_admin_token()

    async def start(self) -> None:
        """Start the workflow clock (when ``step_seconds`` > 0); idempotent."""
        self.clock.start()

    async def stop(self) -> None:
        await self.clock.stop()

    def close(self) -> None:
        self.store.close()

    def account(self, authorization: str | None) -> str:
        scheme, _, token = (authorization or "").partition(" ")
        given = token.strip()
        if scheme.lower() == "bearer" and given:
            tokens = self.config.tokens
            found = given if tokens is None else None
            for known, account in (tokens or {}).items():
                if same_secret(given, known):  # constant time, no early exit
                    found = account
            if found:
                return found
        body = {"error": "unauthorized", "message": "missing or unknown bearer token"}
        raise ApiError(401, body, {"WWW-Authenticate": 'Bearer realm="sp4n-lapor-sandbox"'})


class SandboxApp(FastAPI):
    """FastAPI with the admin token's check and the fault injector in front of
    everything, so that the check comes before any parsing and the injector gets
    uvicorn's own ``send`` (and through it the connection) when served directly."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        runtime: SandboxRuntime = self.state.sandbox
        if (
            scope["type"] == "http"
            and needs_admin_token(faults.route_path(scope))
            and not carries_admin_token(scope, runtime.admin_token)
        ):
            await refusal()(scope, receive, send)
            return
        await runtime.faults(scope, receive, send, super().__call__)


# async, so that FastAPI does not send these to a worker thread
async def runtime_of(request: Request) -> SandboxRuntime:
    runtime: SandboxRuntime = request.app.state.sandbox
    return runtime


async def account_of(request: Request) -> str:
    runtime: SandboxRuntime = request.app.state.sandbox
    return runtime.account(request.headers.get("authorization"))


Runtime = Annotated[SandboxRuntime, Depends(runtime_of)]
Account = Annotated[str, Depends(account_of)]
api = APIRouter(prefix="/api/v1", tags=["national registry"])
admin = APIRouter(prefix="/_sandbox", tags=["sandbox administration"])


def _not_found(tracking_id: str) -> ApiError:
    return ApiError(404, {"error": "not_found", "message": f"no complaint {tracking_id}"})


@api.get("/topics")
async def topics(runtime: Runtime, account: Account) -> JSONResponse:
    return JSONResponse(runtime.catalog.topics_wire())


@api.get("/agencies")
async def agencies(runtime: Runtime, account: Account) -> JSONResponse:
    return JSONResponse(runtime.catalog.agencies_wire())


@api.post("/complaints", status_code=201)
async def submit(request: Request, runtime: Runtime, account: Account) -> JSONResponse:
    """201 with the receipt; 409 with the existing one when ``external_ref`` is known."""
    new = parse_complaint(await request.body(), account, runtime.catalog)
    now, config = time.time(), runtime.config
    receipt, created = runtime.store.create(
        new,
        unique=config.enforce_unique_external_ref,
        now=now,
        next_step_at=now + config.step_seconds,
    )
    return JSONResponse(receipt, status_code=201 if created else 409)


@api.get("/complaints")
async def lookup(runtime: Runtime, account: Account, external_ref: str) -> JSONResponse:
    items = runtime.store.find(account, external_ref)
    return JSONResponse({"items": items})


@api.get("/complaints/{tracking_id}")
async def detail(runtime: Runtime, account: Account, tracking_id: str) -> JSONResponse:
    found = runtime.store.detail(account, tracking_id)
    if found is None:
        raise _not_found(tracking_id)
    return JSONResponse(found)


@api.post("/complaints/{tracking_id}/comments", status_code=201)
async def comment(
    request: Request, runtime: Runtime, account: Account, tracking_id: str
) -> JSONResponse:
    body = parse_body(CommentIn, await request.body())
    added = runtime.store.add_comment(account, tracking_id, body.text, body.author, time.time())
    if added is None:
        raise _not_found(tracking_id)
    return JSONResponse(added, status_code=201)


@api.get("/changes")
async def changes(
    runtime: Runtime, account: Account, cursor: str | None = None, limit: int = 100
) -> JSONResponse:
    """This account's status and response changes after ``cursor``, oldest first."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiError.fields([("limit", f"must be between 1 and {MAX_LIMIT}")])
    try:
        events, next_cursor = runtime.store.changes(account, cursor, limit)
    except BadCursor as exc:
        raise ApiError.fields([("cursor", str(exc))]) from None
    return JSONResponse({"events": events, "next_cursor": next_cursor})


@admin.get("/health")
async def health(runtime: Runtime) -> dict[str, Any]:
    clock = runtime.clock
    return {"status": "ok", "clock": clock.running, "step_seconds": clock.workflow.step_seconds}


@admin.get("/stats")
async def stats(runtime: Runtime) -> dict[str, Any]:
    found = runtime.store.stats()
    return {**found, "faults": runtime.faults.stats(), "requests": runtime.faults.requests}


@admin.get("/complaints")
async def all_complaints(
    runtime: Runtime,
    external_ref: str | None = None,
    account: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> dict[str, Any]:
    """Complaints of every account (``count`` of all that match, ``items`` up to ``limit``)."""
    return runtime.store.admin_find(external_ref, account, limit)


@admin.post("/advance")
async def advance(request: Request, runtime: Runtime) -> dict[str, Any]:
    """Move one complaint (one step, or up to ``status``) or every due one."""
    body = parse_body(AdvanceIn, await request.body() or b"{}")
    if body.tracking_id is None and (body.status or body.response or body.agency_code):
        raise ApiError.fields([("tracking_id", "status, response and agency_code need one")])
    try:
        moved = await runtime.clock.advance(
            body.tracking_id, body.status, body.response, body.agency_code
        )
    except WorkflowError as exc:
        raise ApiError(409, {"error": "invalid_transition", "message": str(exc)}) from None
    if moved is None:
        raise _not_found(str(body.tracking_id))
    return {"count": moved[0], "changed": moved[1]}


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(exc.body, status_code=exc.status, headers=exc.headers)


async def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"field": f, "message": m} for f, m in field_errors(exc.errors())]
    return JSONResponse({"errors": errors}, status_code=400)


def create_sandbox_app(config: SandboxConfig | None = None) -> FastAPI:
    """The sandbox registry for ``config``; its runtime is ``app.state.sandbox``."""
    runtime = SandboxRuntime(config or SandboxConfig())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()
            runtime.close()

    app = SandboxApp(
        title="SP4N-LAPOR! sandbox",
        description="A simulator of the national complaint registry, for rehearsals and tests.",
        lifespan=lifespan,
    )
    app.state.sandbox = runtime
    app.include_router(api)
    app.include_router(admin)
    app.include_router(faults.router)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    return app
