"""``gateway sandbox``: run the sandbox national registry with uvicorn.

Also runnable alone: ``python -m gateway.sandbox.cli --port 8900``. Its administration
(``/_sandbox/*``) needs the token of ``GATEWAY_SANDBOX_ADMIN_TOKEN``, else a random one
printed at start (:mod:`gateway.sandbox.admin`).
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from gateway.sandbox.config import FaultConfig, SandboxConfig

#: seconds uvicorn waits for open requests (an injected timeout hangs) on shutdown
GRACEFUL_SHUTDOWN_S = 2


def parse_tokens(pairs: list[str] | None) -> dict[str, str] | None:
    """``["TOKEN=ACCOUNT", ...]`` as a dict; None (accept any token) when empty."""
    if not pairs:
        return None
    tokens = {}
    for pair in pairs:
        token, sep, account = pair.partition("=")
        if not sep or not token.strip() or not account.strip():
            raise typer.BadParameter(f"{pair!r} is not TOKEN=ACCOUNT", param_hint="--token")
        tokens[token.strip()] = account.strip()
    return tokens


def sandbox_command(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8900,
    db: Annotated[str, typer.Option("--db", help="SQLite file, or :memory:")] = ":memory:",
    token: Annotated[
        list[str] | None,
        typer.Option(help="TOKEN=ACCOUNT, repeatable; none = any bearer token is its own account"),
    ] = None,
    step_seconds: Annotated[
        float, typer.Option(min=0, help="Seconds between workflow steps; 0 = only on /advance")
    ] = 30.0,
    archive_rate: Annotated[
        float, typer.Option(min=0, max=1, help="Share archived at verification")
    ] = 0.05,
    latency_ms: Annotated[float, typer.Option(min=0, help="Answer this long after arrival")] = 0.0,
    error_rate: Annotated[float, typer.Option(min=0, max=1, help="Share answered 5xx")] = 0.0,
    throttle_rate: Annotated[float, typer.Option(min=0, max=1, help="Share answered 429")] = 0.0,
    retry_after: Annotated[float, typer.Option(min=0, help="Retry-After seconds of a 429")] = 1.0,
    timeout_rate: Annotated[
        float, typer.Option(min=0, max=1, help="Share left hanging (timeout)")
    ] = 0.0,
    timeout_seconds: Annotated[float, typer.Option(min=0, help="How long a timeout hangs")] = 30.0,
    reset_rate: Annotated[
        float, typer.Option(min=0, max=1, help="Share reset without commit")
    ] = 0.0,
    lost_response_rate: Annotated[
        float,
        typer.Option(min=0, max=1, help="Share of POSTs committed, then reset (answer lost)"),
    ] = 0.0,
    seed: Annotated[int | None, typer.Option(help="Seed of IDs, workflow and faults")] = None,
    unique_external_ref: Annotated[
        bool,
        typer.Option(
            "--unique-external-ref/--no-unique-external-ref",
            help="409 on a known external_ref; --no-... stores a second copy",
        ),
    ] = True,
    log_level: Annotated[str, typer.Option(help="uvicorn log level")] = "info",
) -> None:
    """Run the sandbox national registry (a simulator of SP4N-LAPOR!).

    Its administration (/_sandbox/*) needs Authorization: Bearer <token>: the token of
    GATEWAY_SANDBOX_ADMIN_TOKEN, else a new one printed at start."""
    import uvicorn
    from pydantic import ValidationError

    from gateway.sandbox.admin import ADMIN_PREFIX, ADMIN_TOKEN_ENV, announcement
    from gateway.sandbox.app import create_sandbox_app

    try:
        config = SandboxConfig(
            db_path=db,
            tokens=parse_tokens(token),
            admin_token=os.environ.get(ADMIN_TOKEN_ENV) or None,
            step_seconds=step_seconds,
            archive_rate=archive_rate,
            enforce_unique_external_ref=unique_external_ref,
            seed=seed,
            faults=FaultConfig(
                latency_ms=latency_ms,
                error_rate=error_rate,
                throttle_rate=throttle_rate,
                retry_after_s=retry_after,
                timeout_rate=timeout_rate,
                timeout_s=timeout_seconds,
                reset_rate=reset_rate,
                lost_response_rate=lost_response_rate,
                seed=seed,
            ),
        )
    except ValidationError as exc:
        reasons = (str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        raise typer.BadParameter("; ".join(reasons)) from exc
    app = create_sandbox_app(config)
    runtime = app.state.sandbox
    admin_url = f"http://{host}:{port}{ADMIN_PREFIX}"
    text = announcement(runtime.admin_token, admin_url, runtime.admin_token_given)
    print(text, file=sys.stderr, flush=True)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=log_level.lower(),
        access_log=log_level.lower() in ("debug", "trace"),
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )


if __name__ == "__main__":
    typer.run(sandbox_command)
