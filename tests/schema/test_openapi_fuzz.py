"""Schemathesis over ``/openapi.json``: every public operation, positive and negative
data and the schema's examples, against a gateway served on loopback (SQLite, sync off).

No answer may be a 5xx, and every answer's status, content type and body must be the
ones the document declares. Bounded (:data:`EXAMPLES` cases per operation) and
deterministic, so that CI sees the same cases on every run; ``bench/fuzz_openapi.py``
runs many more.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis

from tests.schema.fuzzing import config, fuzz, served_gateway

EXAMPLES = 150  # cases per operation: about 40 s on 2 cores


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: this is about the HTTP surface, not the database."""
    return f"sqlite:///{tmp_path / 'gateway.db'}"


@pytest.fixture
def gateway_url(engine: Any, database_url: str, tmp_path: Path) -> Iterator[str]:
    with served_gateway(tmp_path, database_url) as base:
        yield base


def test_every_operation_answers_as_documented(gateway_url: str) -> None:
    schema = schemathesis.openapi.from_url(f"{gateway_url}/openapi.json", config=config())
    reports = fuzz(schema, gateway_url, EXAMPLES)
    assert len(reports) >= 15, [r.label for r in reports]  # every public operation
    assert sum(r.cases for r in reports) > 10 * len(reports)
    # some requests got past authentication: not only 401/403/404/422
    assert any(s < 300 for r in reports if r.label.startswith("POST /channels") for s in r.statuses)
    failures = [
        f"{r.label}: {title} (x{times})\n{first}"
        for r in reports
        for title, (times, first) in r.failures.items()
    ]
    assert not failures, "\n\n".join(failures)
