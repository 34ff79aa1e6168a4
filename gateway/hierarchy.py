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


def inside(region_code: str, parent_region: str) -> bool:
    """Whether a Kemendagri code lies inside another: 13.09 is inside 13, not inside 12
    (nor inside 13.09 itself)."""
    return region_code.startswith(parent_region + ".")


def problems(specs: Mapping[str, Any]) -> dict[str, str]:
    """What is wrong with the tree the tenants' specs make (tenant id -> spec with
    ``tenant``, ``region_code`` and ``parent``): per tenant id, the problem with its
    ``parent``: unknown, a cycle (itself included), or a region outside the parent's."""
    found: dict[str, str] = {}
    for tid, spec in specs.items():
        parent = spec.parent
        if parent is None:
            continue
        if parent == tid:
            found[tid] = f"tenant {tid!r} cannot be its own parent"
            continue
        if parent not in specs:
            found[tid] = f"unknown parent {parent!r}: no mapping file names that tenant"
            continue
        path, seen = [tid], {tid}
        step: str | None = parent
        while step is not None and step in specs and step not in seen:
            path.append(step)
            seen.add(step)
            step = specs[step].parent
        if step == tid:
            found[tid] = "cycle in parents: " + " -> ".join([*path, tid])
            continue
        upper = specs[parent].region_code
        if not inside(spec.region_code, upper):
            found[tid] = (
                f"region {spec.region_code} is outside the region {upper} of its parent {parent!r}"
            )
    return found
