"""Tenants in a hierarchy (issue 20): a regency or city may name its province as
``parent`` in its mapping; the province oversees it.

A province's operators see the complaints of the province and of every tenant below
it; a regency's only its own; national operators everything. API keys, routes and
Open311 jurisdictions stay per tenant.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def parent_of(tenant: Any) -> str | None:
    """The tenant's parent id, or None (``spec.parent`` of its mapping)."""
    return getattr(tenant.spec, "parent", None)


def family(tenants: Mapping[str, Any], tenant_id: str) -> tuple[str, ...]:
    """``tenant_id`` and every tenant below it (children, their children...), the
    tenant first, then the others by id."""
    below: set[str] = set()
    frontier = {tenant_id}
    while frontier:
        found = {tid for tid, t in tenants.items() if parent_of(t) in frontier and tid not in below}
        found.discard(tenant_id)
        below |= found
        frontier = found
    return (tenant_id, *sorted(below))
