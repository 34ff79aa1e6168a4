"""Who sees what with tenants in a hierarchy (issue 20): gateway.ops.accounts.Scope."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from gateway.ops.accounts import Scope

#: sumbar -> sijunjung -> (a nagari-level test tenant), padang under sumbar; lampung alone
TENANTS = {
    tid: SimpleNamespace(spec=SimpleNamespace(parent=parent))
    for tid, parent in (
        ("lampung", None),
        ("sumbar", None),
        ("sijunjung", "sumbar"),
        ("padang", "sumbar"),
        ("kupitan", "sijunjung"),
    )
}


def who(role: str, tenant: str | None) -> SimpleNamespace:
    return SimpleNamespace(role=role, tenant=tenant)


@pytest.mark.parametrize(
    ("role", "tenant", "seen"),
    [
        ("national", None, set(TENANTS)),
        ("read_only", None, set(TENANTS)),
        ("tenant", "sumbar", {"sumbar", "sijunjung", "padang", "kupitan"}),
        ("read_only", "sumbar", {"sumbar", "sijunjung", "padang", "kupitan"}),
        ("tenant", "sijunjung", {"sijunjung", "kupitan"}),
        ("tenant", "padang", {"padang"}),
        ("tenant", "lampung", {"lampung"}),
        ("tenant", None, set()),
    ],
)
def test_a_scoped_operator_sees_its_tenant_and_every_tenant_below(
    role: str, tenant: str | None, seen: set[str]
) -> None:
    scope = Scope.of(who(role, tenant), TENANTS)
    assert {t for t in TENANTS if scope.can_see(t)} == seen
    assert scope.can_act() is (role != "read_only")


def test_without_the_tenants_a_scope_is_its_own_tenant_alone() -> None:
    scope = Scope.of(who("tenant", "sumbar"))
    assert scope.can_see("sumbar") and not scope.can_see("sijunjung")
    assert Scope("tenant", "sumbar").tenants is None
