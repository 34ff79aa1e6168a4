"""``gateway users``: the console's operator accounts."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from gateway.domain.zones import shown, zone_or_wib
from gateway.ops import accounts

if TYPE_CHECKING:
    from gateway.bootstrap import Container

users_app = typer.Typer(help="Operator accounts for the console (/ops)", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


@contextmanager
def _opened() -> Iterator[Container]:
    from gateway.cli import _container, _has_national

    container = _container(with_sandbox=False) if _has_national() else _container()
    try:
        yield container
    finally:
        asyncio.run(container.aclose())


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}")
    return typer.Exit(2)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt(
        "Password", hide_input=True, confirmation_prompt=True, prompt_suffix=": "
    )
    return password


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Login name: 3-64 of a-z 0-9 . _ -")],
    role: Annotated[str, typer.Option(help="national, tenant or read_only")],
    tenant: Annotated[
        str | None, typer.Option(help="The tenant (required for role tenant)")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Display name")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin's first line")
    ] = False,
) -> None:
    """Add an operator; the password is asked twice (hidden) unless --password-stdin."""
    try:
        accounts.check_account(
            accounts.normalise_username(username), "x" * accounts.MIN_PASSWORD, role, tenant
        )
    except accounts.AccountError as exc:
        raise _fail(str(exc)) from exc
    password = _read_password(password_stdin)
    with _opened() as container:
        if tenant is not None and tenant not in container.tenants:
            raise _fail(f"unknown tenant {tenant!r}: known are {', '.join(container.tenants)}")
        try:
            operator = accounts.add_operator(
                container.factory, username, password, role, tenant, name
            )
        except accounts.AccountError as exc:
            raise _fail(str(exc)) from exc
    scope = f" for {operator.tenant}" if operator.tenant else ""
    console.print(f"operator {operator.username} added ({operator.role}{scope})")


@users_app.command("list")
def users_list() -> None:
    """List operators; times in the zone of the operator's tenant (WIB for national ones)."""
    with _opened() as container:
        operators = accounts.list_operators(container.factory)
        regions = {tid: t.spec.region_code for tid, t in container.tenants.items()}
    table = Table("username", "name", "role", "tenant", "last login", "disabled")
    for op in operators:
        zone = zone_or_wib(regions.get(op.tenant or "", ""))
        table.add_row(
            op.username,
            op.display_name,
            op.role,
            op.tenant or "-",
            shown(op.last_login_at, zone) if op.last_login_at else "-",
            shown(op.disabled_at, zone) if op.disabled_at else "",
        )
    console.print(table)


@users_app.command("disable")
def users_disable(username: Annotated[str, typer.Argument(help="Login name")]) -> None:
    """Disable an operator: they cannot sign in, and their sessions end now."""
    with _opened() as container:
        found = accounts.disable_operator(container.factory, username)
    if not found:
        raise _fail(f"no operator {username!r}")
    console.print(f"operator {accounts.normalise_username(username)} disabled")
