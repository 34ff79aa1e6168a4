"""The console (``/ops``) in tests: the gateway served over loopback with its sync off.

Plain functions and context managers, not fixtures: each test file keeps its own
``base_url`` fixture (a fixture imported from another test file trips ruff F811 wherever
a test takes it as a parameter) and builds it with these.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from gateway.api.app import create_app
from gateway.bootstrap import Container, build_container
from gateway.settings import Settings
from tests.support import ROOT, TENANT_ENV, serve_in_thread


def console_app(
    database_url: str,
    *,
    mappings: Path = ROOT / "mappings",
    environ: dict[str, str] = TENANT_ENV,
    **settings: Any,
) -> tuple[Container, FastAPI]:
    """The gateway app without its sync (nothing is sent to the registry), on
    ``database_url`` (already migrated); ``settings`` are further :class:`Settings`."""
    options = {
        "national_url": "http://127.0.0.1:9",  # sync is off: nothing is sent
        "log_format": "json",
        **settings,
    }
    built = Settings(database_url=database_url, mappings_dir=str(mappings), **options)
    container = build_container(built, environ=environ)
    return container, create_app(container, run_sync=False)


@contextmanager
def serve_console(database_url: str, **options: Any) -> Iterator[str]:
    """:func:`console_app` served on a loopback port: its base URL."""
    _container, app = console_app(database_url, **options)
    with serve_in_thread(app) as base:
        yield base
