"""FastAPI dependencies: the container, and tenants authenticated by API key."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Header, Path, Request

from gateway.domain.errors import ErrorKind, GatewayError
from gateway.tenants import Tenant

if TYPE_CHECKING:
    from gateway.bootstrap import Container


async def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated["Container", Depends(get_container)]
ApiKeyHeader = Annotated[
    str | None,
    Header(alias="X-API-Key", description="The tenant's API key", include_in_schema=True),
]


def same_secret(given: str | None, expected: str | None) -> bool:
    """``given`` is ``expected`` (a key, a webhook secret, a signature), compared in
    constant time; an empty one never matches."""
    return (
        bool(given)
        and bool(expected)
        and hmac.compare_digest(str(given).encode(), str(expected).encode())
    )


def authenticate(container: Container, tenant: str, x_api_key: str | None) -> Tenant:
    """The tenant ``tenant``, if ``x_api_key`` is its API key."""
    found = container.tenants.get(tenant)
    if found is None:
        raise GatewayError(ErrorKind.NOT_FOUND, f"unknown tenant {tenant[:64]!r}")
    if not same_secret(x_api_key, found.api_key.get_secret_value()):
        raise GatewayError(ErrorKind.UNAUTHORIZED, "missing or wrong X-API-Key for this tenant")
    return found


async def tenant_from_path(
    container: ContainerDep,
    tenant: Annotated[str, Path(description="Tenant id, e.g. lampung", max_length=64)],
    x_api_key: ApiKeyHeader = None,
) -> Tenant:
    """The tenant named in the path, if the request carries its API key."""
    return authenticate(container, tenant, x_api_key)


def path_tenant(request: Request) -> Tenant:
    """:func:`tenant_from_path` without FastAPI's dependency solving, for the intake routes.

    Intake is the gateway's hottest path, and solving declared parameters costs
    more per request than this whole check. Declare :data:`PATH_TENANT_PARAMETERS`
    in the route's ``openapi_extra`` so the docs still show the path and header.
    """
    container: Container = request.app.state.container
    return authenticate(container, request.path_params["tenant"], request.headers.get("x-api-key"))


#: OpenAPI parameters of a route that calls :func:`path_tenant`
PATH_TENANT_PARAMETERS: list[dict[str, object]] = [
    {
        "name": "tenant",
        "in": "path",
        "required": True,
        "description": "Tenant id, e.g. lampung",
        "schema": {"type": "string", "maxLength": 64},
    },
    {
        "name": "X-API-Key",
        "in": "header",
        "required": True,
        "description": "The tenant's API key",
        "schema": {"type": "string"},
    },
]


async def tenant_from_key(container: ContainerDep, x_api_key: ApiKeyHeader = None) -> Tenant:
    """The tenant whose API key the request carries (checked against every tenant)."""
    if not x_api_key:
        raise GatewayError(ErrorKind.UNAUTHORIZED, "missing X-API-Key")
    match = None
    for tenant in container.tenants.values():
        if same_secret(x_api_key, tenant.api_key.get_secret_value()):  # no early exit
            match = tenant
    if match is None:
        raise GatewayError(ErrorKind.UNAUTHORIZED, "wrong X-API-Key")
    return match


PathTenant = Annotated[Tenant, Depends(tenant_from_path)]
KeyTenant = Annotated[Tenant, Depends(tenant_from_key)]
