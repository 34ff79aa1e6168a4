"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from gateway import __version__, metrics
from gateway.api import errors
from gateway.api.headers import CSP_REDOC, SecurityHeaders
from gateway.api.middleware import RequestLimits, RequestLog
from gateway.api.ratelimit import RateLimit, buckets, lookup_limits
from gateway.api.responses import declare_guards
from gateway.api.routes import attachments, complaints, health
from gateway.bootstrap import Container
from gateway.ops import auth as ops_auth
from gateway.storage.group_commit import IntakeWriter

DESCRIPTION = """
The regional channel gateway for SP4N-LAPOR!: every regional complaint channel in,
one complaint schema, a durable sync to the national registry, and the national
status and agency responses carried back to the citizen on the channel they used.

Authenticate channel and lookup requests with the tenant's `X-API-Key`.
"""
#: Swagger UI's and ReDoc's scripts and styles, as the ``fastapi-offline`` package ships
#: them: ``/docs`` and ``/redoc`` load nothing from outside the gateway
DOC_ASSETS = Path(fastapi_offline.__file__).parent / "static"
DOC_ASSETS_URL = "/docs/assets"


def create_app(container: Container, *, run_sync: bool = True) -> FastAPI:
    """The gateway app; with ``run_sync`` the dispatcher and puller run in-process."""

    from adapters.registry import all_adapters

    adapters = all_adapters()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        schedule = None
        if container.sandbox is not None:
            await container.sandbox.state.sandbox.start()
        services = [a.make_service(container) for a in adapters if a.make_service is not None]
        for service in services:
            await service.start()
        if run_sync:
            schedule = container.schedule()
            await schedule.start()
        try:
            yield
        finally:
            if schedule is not None:
                await schedule.shutdown()
            for service in services:
                await service.stop()
            if container.sandbox is not None:
                await container.sandbox.state.sandbox.stop()
            await container.aclose()

    app = FastAPI(
        title="lapor-gateway",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served by add_docs, from the gateway's own copy of the assets
        redoc_url=None,
    )
    app.state.container = container
    app.state.intake = IntakeWriter(container.factory)  # group commit for every channel
    errors.install(app)
    for adapter in adapters:
        if adapter.router is not None:
            app.include_router(adapter.router)
    app.include_router(complaints.router)
    app.include_router(health.router)
    app.include_router(attachments.router)
    app.include_router(ops_auth.router)
    metrics.install(app, container.factory)
    if container.sandbox is not None:
        app.mount("/sandbox", container.sandbox)
    add_docs(app)
    add_guards(app, container)

    def openapi() -> dict[str, Any]:
        # every operation also declares what the guards may answer before it runs
        if app.openapi_schema is None:
            declare_guards(FastAPI.openapi(app))
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def add_docs(app: FastAPI) -> None:
    """``/docs`` (Swagger UI) and ``/redoc``, their assets under ``/docs/assets``: they work
    on a network without internet access (no CDN, no web fonts)."""
    app.mount(DOC_ASSETS_URL, StaticFiles(directory=DOC_ASSETS), name="doc-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{DOC_ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOC_ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{DOC_ASSETS_URL}/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        page = get_redoc_html(
            openapi_url="/openapi.json",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{DOC_ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{DOC_ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )
        page.headers["Content-Security-Policy"] = CSP_REDOC
        return page


def add_guards(app: FastAPI, container: Container) -> None:
    """The ASGI guards, outermost last: the request log sees every answer, the security
    headers go on every answer (refusals too), rate limits come before anything is read."""
    s = container.settings
    app.add_middleware(
        RequestLimits,
        max_body=s.max_body_bytes,
        max_upload=s.max_upload_bytes,
        max_query=s.max_query_bytes,
        max_headers=s.max_header_bytes,
    )
    app.add_middleware(
        RateLimit,
        per_client=buckets(s.rate_per_client, s.rate_per_client_burst, s.rate_max_clients),
        per_tenant=buckets(s.rate_per_tenant, s.rate_per_tenant_burst, s.rate_max_clients),
        tenants=container.tenants,
        lookups=lookup_limits(
            s.rate_lookup_per_minute,
            s.rate_lookup_burst,
            s.rate_lookup_miss_per_minute,
            s.rate_lookup_miss_burst,
            s.rate_max_clients,
        ),
    )
    app.add_middleware(SecurityHeaders, console_headers=ops_auth.SECURITY_HEADERS)
    app.add_middleware(RequestLog)
