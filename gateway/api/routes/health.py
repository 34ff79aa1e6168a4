"""Liveness and readiness."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from gateway.api.deps import ContainerDep
from gateway.domain.errors import GatewayError

router = APIRouter(tags=["health"])


class Alive(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    #: per dependency: "ok", or "error: <what kind>" (never the error's text)
    checks: dict[str, str]


@router.get("/healthz", response_model=Alive)
async def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "A dependency does not answer"}},
)
async def readyz(container: ContainerDep) -> JSONResponse:
    """The database answers and the national registry is reachable."""
    checks: dict[str, str] = {}

    def ping_db() -> None:
        with container.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    try:
        await run_in_threadpool(ping_db)
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        tenant = next(iter(container.tenants))
        registry = container.registries.for_tenant(tenant)
        await asyncio.wait_for(registry.topics(), timeout=5)
        checks["national_registry"] = "ok"
    except GatewayError as exc:
        checks["national_registry"] = f"error: {exc.kind.value}"
    except Exception as exc:  # a probe answers, whatever the registry client raised
        checks["national_registry"] = f"error: {type(exc).__name__}"
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not_ready", "checks": checks},
        status_code=200 if ready else 503,
    )
