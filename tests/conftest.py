from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from gateway.migrations import upgrade
from gateway.storage.engine import make_engine, make_session_factory
from tests.support import TENANT_ENV, TIME_SCALE, fresh_postgres_database, scaled


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """pytest-timeout's limit per test (its own mark, else ``--timeout`` or pyproject's
    ``timeout``) scales with GATEWAY_TEST_TIME_SCALE like every other deadline."""
    if TIME_SCALE == 1:
        return
    default = config.getoption("timeout", None) or config.getini("timeout")
    for item in items:
        mark = item.get_closest_marker("timeout")
        given = mark.kwargs.get("timeout") if mark is not None else default
        if mark is not None and mark.args:
            given = mark.args[0]
        if given:
            others = {k: v for k, v in mark.kwargs.items() if k != "timeout"} if mark else {}
            item.add_marker(pytest.mark.timeout(scaled(float(given)), **others), append=False)


@pytest.fixture
def tenant_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for key, value in TENANT_ENV.items():
        monkeypatch.setenv(key, value)
    return dict(TENANT_ENV)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each test using this runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'gateway.db'}"
    else:
        with fresh_postgres_database() as url:
            yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)
