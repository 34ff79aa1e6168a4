"""``gateway oversight``: the oversight figures' pre-aggregated rows."""

from __future__ import annotations

import time

import typer
from rich.console import Console

oversight_app = typer.Typer(help="Oversight figures (pengawasan)", no_args_is_help=True)
console = Console()


@oversight_app.command("rebuild")
def rebuild_command() -> None:
    """Recompute every complaint's oversight row from the status history (once after
    upgrading to revision 0016; the rows then follow the feed by themselves)."""
    from gateway.cli import _container, _has_national
    from gateway.oversight.rebuild import rebuild

    # the national registry is not asked: without one configured, the sandbox's place
    container = _container(with_sandbox=not _has_national())
    started = time.monotonic()
    rows = rebuild(container.factory, container.tenants, container.calendar)
    console.print(
        f"{rows} pengaduan dihitung ulang dalam {time.monotonic() - started:.1f} detik "
        f"({rows} complaints rebuilt)"
    )
