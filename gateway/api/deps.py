"""FastAPI dependencies: the container, and tenants authenticated by API key."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Header, Path, Request

from gateway.domain.errors import ErrorKind, GatewayError
from gateway.tenants import Tenant

if TYPE_CHECKING:
    from gateway.bootstrap import Container


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated["Container", Depends(get_container)]
ApiKeyHeader = Annotated[
    str | None,
    Header(alias="X-API-Key", description="The tenant's API key", include_in_schema=True),
]


def _key_matches(tenant: Tenant, key: str) -> bool:
    return hmac.compare_digest(tenant.api_key.get_secret_value().encode(), key.encode())


def tenant_from_path(
    container: ContainerDep,
    tenant: Annotated[str, Path(description="Tenant id, e.g. lampung", max_length=64)],
    x_api_key: ApiKeyHeader = None,
) -> Tenant:
    """The tenant named in the path, if the request carries its API key."""
    found = container.tenants.get(tenant)
    if found is None:
        raise GatewayError(ErrorKind.NOT_FOUND, f"unknown tenant {tenant!r}")
    if not x_api_key or not _key_matches(found, x_api_key):
        raise GatewayError(ErrorKind.UNAUTHORIZED, "missing or wrong X-API-Key for this tenant")
    return found


def tenant_from_key(container: ContainerDep, x_api_key: ApiKeyHeader = None) -> Tenant:
    """The tenant whose API key the request carries (checked against every tenant)."""
    if not x_api_key:
        raise GatewayError(ErrorKind.UNAUTHORIZED, "missing X-API-Key")
    match = None
    for tenant in container.tenants.values():
        if _key_matches(tenant, x_api_key):  # no early exit: constant time per tenant set
            match = tenant
    if match is None:
        raise GatewayError(ErrorKind.UNAUTHORIZED, "wrong X-API-Key")
    return match


PathTenant = Annotated[Tenant, Depends(tenant_from_path)]
KeyTenant = Annotated[Tenant, Depends(tenant_from_key)]
