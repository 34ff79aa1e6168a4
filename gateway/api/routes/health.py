"""Liveness and readiness."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import text

from gateway.api.deps import ContainerDep
from gateway.domain.errors import GatewayError

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@router.get("/readyz")
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
    except (GatewayError, TimeoutError, StopIteration) as exc:
        checks["national_registry"] = f"error: {exc}"
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not_ready", "checks": checks},
        status_code=200 if ready else 503,
    )
