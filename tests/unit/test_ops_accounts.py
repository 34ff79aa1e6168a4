"""Operator accounts without a database: password hashing, validation, scope rules."""

from __future__ import annotations

import pytest

from gateway.ops import accounts
from gateway.ops.accounts import AccountError, Scope, can_act, can_reveal, can_see


def test_passwords_are_hashed_with_argon2id_and_salted() -> None:
    first = accounts.hash_password("kata-sandi-panjang")
    second = accounts.hash_password("kata-sandi-panjang")
    assert first.startswith("$argon2id$") and first != second
    assert accounts.verify_password(first, "kata-sandi-panjang")
    assert not accounts.verify_password(first, "kata-sandi-salah!")
    assert not accounts.verify_password("not a hash", "kata-sandi-panjang")


@pytest.mark.parametrize(
    ("username", "password", "role", "tenant", "problem"),
    [
        ("ab", "x" * 12, "national", None, "username"),
        ("Budi", "x" * 12, "national", None, "username"),  # callers lower-case first
        ("budi santoso", "x" * 12, "national", None, "username"),
        ("b" * 65, "x" * 12, "national", None, "username"),
        ("budi", "x" * 11, "national", None, "at least 12"),
        ("budi", "x" * 12, "admin", None, "role"),
        ("budi", "x" * 12, "tenant", None, "needs --tenant"),
        ("budi", "x" * 12, "national", "lampung", "no tenant"),
    ],
)
def test_invalid_accounts_are_refused_with_a_reason(
    username: str, password: str, role: str, tenant: str | None, problem: str
) -> None:
    with pytest.raises(AccountError, match=problem):
        accounts.check_account(username, password, role, tenant)


@pytest.mark.parametrize(
    ("role", "tenant"),
    [("national", None), ("tenant", "lampung"), ("read_only", None), ("read_only", "kalsel")],
)
def test_valid_accounts_pass(role: str, tenant: str | None) -> None:
    accounts.check_account("op.budi-1_x", "x" * 12, role, tenant)


def test_usernames_are_compared_lower_case() -> None:
    assert accounts.normalise_username("  Budi.S ") == "budi.s"


# (role, own tenant) -> sees lampung, sees kalsel, can act, reveals confidential, reveals open
SCOPES = {
    ("national", None): (True, True, True, True, True),
    ("tenant", "lampung"): (True, False, True, True, True),
    ("read_only", None): (True, True, False, False, True),
    ("read_only", "lampung"): (True, False, False, False, True),
}


@pytest.mark.parametrize(("who", "expected"), SCOPES.items(), ids=lambda v: str(v))
def test_scope_rules(who: tuple[str, str | None], expected: tuple[bool, ...]) -> None:
    scope = Scope(*who)
    assert (
        can_see(scope, "lampung"),
        can_see(scope, "kalsel"),
        can_act(scope),
        can_reveal(scope, confidential=True),
        can_reveal(scope, confidential=False),
    ) == expected


def test_a_tenant_role_without_a_tenant_sees_nothing() -> None:
    assert not Scope("tenant", None).can_see("lampung")
    assert not Scope("unknown", None).can_act()
