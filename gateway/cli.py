"""The ``gateway`` command line."""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from gateway.bootstrap import Container, build_container, load_settings, wait_for_database
from gateway.cli_mappings import catalog_app, mappings_app
from gateway.cli_regions import regions_app
from gateway.logs import configure_logging
from gateway.mappings.catalog import Catalogue
from gateway.ops.cli import users_app
from gateway.tenants import MappingError

app = typer.Typer(
    help="lapor-gateway: regional complaint channels into SP4N-LAPOR!", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema", no_args_is_help=True)
jobs_app = typer.Typer(help="Outbox jobs: list and retry", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(jobs_app, name="jobs")
app.add_typer(mappings_app, name="mappings")
app.add_typer(catalog_app, name="catalog")
app.add_typer(users_app, name="users")
app.add_typer(regions_app, name="regions")


def _add_import() -> None:
    from adapters.callcenter.cli import import_app

    app.add_typer(import_app, name="import")


_add_import()


def _add_classifier() -> None:
    from gateway.classifier.cli import classifier_app

    app.add_typer(classifier_app, name="classifier")


_add_classifier()
console = Console()
err = Console(stderr=True)


def _container(with_sandbox: bool = True, catalogue: Catalogue | None = None) -> Container:
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    try:
        return build_container(settings, with_sandbox=with_sandbox, catalogue=catalogue)
    except (MappingError, RuntimeError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    sync: Annotated[
        bool, typer.Option(help="Run the dispatcher and puller in this process")
    ] = True,
) -> None:
    """Serve the HTTP API (with the sync engine, and the sandbox when no national URL is set)."""
    import uvicorn

    from gateway.api.app import create_app

    container = _container()
    _require_current_schema(container)
    if container.sandbox is not None:  # its administration's token, once, on the console
        from gateway.sandbox.admin import ADMIN_PREFIX, announcement

        runtime = container.sandbox.state.sandbox
        url = f"http://{host}:{port}/sandbox{ADMIN_PREFIX}"
        text = announcement(runtime.admin_token, url, runtime.admin_token_given)
        print(text, file=sys.stderr, flush=True)
    uvicorn.run(
        create_app(container, run_sync=sync),
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        # X-Forwarded-For/-Proto only from these (the rate limits, the console's sign-in
        # throttle and HSTS rely on them); none configured: no proxy is believed
        proxy_headers=bool(container.settings.forwarded_allow_ips.strip()),
        forwarded_allow_ips=container.settings.forwarded_allow_ips.strip() or None,
    )


@app.command()
def worker() -> None:
    """Run the dispatcher and status puller alone (several may share one PostgreSQL)."""
    container = _container(with_sandbox=False)
    wait_for_database(container.engine)
    _require_current_schema(container)

    async def run() -> None:
        schedule = container.schedule()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await schedule.start()
        try:
            await stop.wait()
        finally:
            await schedule.shutdown()
            await container.aclose()

    asyncio.run(run())


def _require_current_schema(container: Container) -> None:
    from alembic.script import ScriptDirectory

    from gateway.migrations import alembic_config, current_revision

    url = container.engine.url.render_as_string(hide_password=False)
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    current = current_revision(container.engine)
    if current != head:
        err.print(
            f"[red]error:[/red] database schema is at {current or 'nothing'}, code needs {head}: "
            "run `gateway db upgrade`"
        )
        raise typer.Exit(2)


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision")] = "head",
) -> None:
    """Create or migrate the database schema (SQLite or PostgreSQL)."""
    from gateway.migrations import current_revision, upgrade
    from gateway.storage.engine import make_engine

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    engine = make_engine(settings.database_url)
    wait_for_database(engine)
    upgrade(engine, revision)
    console.print(f"database at revision {current_revision(engine)}")


@jobs_app.command("list")
def jobs_list(
    state: Annotated[str | None, typer.Option(help="pending, running, done or failed")] = None,
    kind: Annotated[str | None, typer.Option(help="submit, notify or comment")] = None,
    tenant: Annotated[str | None, typer.Option(help="Tenant id")] = None,
    limit: Annotated[int, typer.Option(help="At most this many")] = 50,
) -> None:
    """List outbox jobs, newest first."""
    from gateway.storage import outbox

    container = _container(with_sandbox=False) if _has_national() else _container()
    jobs = outbox.list_jobs(container.factory, state=state, kind=kind, tenant=tenant, limit=limit)
    table = Table("id", "kind", "tenant", "complaint", "state", "attempts", "next attempt", "error")
    for job in jobs:
        table.add_row(
            str(job.id),
            job.kind,
            job.tenant,
            job.complaint_id[:8],
            job.state,
            str(job.attempts),
            job.next_attempt_at.strftime("%Y-%m-%d %H:%M:%S"),
            (job.last_error or "")[:60],
        )
    console.print(table)
    counts = outbox.count_by_state(container.factory)
    console.print(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "no jobs")


@jobs_app.command("retry")
def jobs_retry(
    job_ids: Annotated[
        list[int] | None, typer.Argument(help="Job ids; all failed if omitted")
    ] = None,
    tenant: Annotated[str | None, typer.Option(help="Only this tenant's failed jobs")] = None,
    all_failed: Annotated[bool, typer.Option("--all", help="Retry every failed job")] = False,
) -> None:
    """Put failed jobs back in the queue (after fixing what made them fail)."""
    from gateway.storage import outbox

    if not job_ids and not all_failed and not tenant:
        err.print("[red]error:[/red] name job ids, --tenant T, or --all")
        raise typer.Exit(2)
    container = _container(with_sandbox=False) if _has_national() else _container()
    ids = outbox.retry_failed(container.factory, job_ids or None, tenant)
    console.print(f"{len(ids)} job(s) queued again: {', '.join(map(str, ids)) or '-'}")


def _has_national() -> bool:
    return load_settings().national_url is not None


@app.command()
def status() -> None:
    """Backlog, oldest unsent complaint, failed jobs and circuit state per tenant."""
    from gateway.ops_status import puller_owner, render_status, tenant_statuses

    container = _container(with_sandbox=False) if _has_national() else _container()
    console.print(render_status(tenant_statuses(container.factory, list(container.tenants))))
    owner = puller_owner(container.factory)
    if owner is None:
        console.print("change feed: no process follows it right now")
    else:
        console.print(f"change feed followed by {owner[0]} (lease until {owner[1]:%H:%M:%S} UTC)")


def _register_sandbox() -> None:
    from gateway.sandbox.cli import sandbox_command

    app.command("sandbox", help="Run the sandbox national registry (a simulator)")(sandbox_command)


_register_sandbox()


def _register_report() -> None:
    from gateway.cli_report import report_command

    app.command("report", help="The oversight report of a tenant: XLSX, PDF or CSV")(report_command)


_register_report()


def _register_oversight() -> None:
    from gateway.oversight.cli import oversight_app

    app.add_typer(oversight_app, name="oversight")


_register_oversight()


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
