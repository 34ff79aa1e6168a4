"""Schemathesis over the gateway's own OpenAPI document, served on loopback.

Shared by ``tests/schema/test_openapi_fuzz.py`` (bounded, deterministic, in CI) and
``bench/fuzz_openapi.py`` (longer, with figures): the gateway as it is served, the
checks, credentials that get every other request past authentication, and
:func:`fuzz`, which runs every operation and reports per operation.

The checks: no 5xx (``not_a_server_error``), every status documented
(``status_code_conformance``), every content type documented
(``content_type_conformance``) and every body valid against its documented schema
(``response_schema_conformance``).

:func:`fuzz` drives Hypothesis itself with each operation's strategies
(``APIOperation.as_strategy``, positive and negative, and the schema's examples) and
``Case.call`` / ``Case.validate_response``, rather than ``schema.parametrize()``: the
lazy, fixture-loaded form of that needs ``request.node._nodeid``, which pytest 9.2 no
longer has (schemathesis 4.32), and the schema can only be loaded once the gateway
serves it. The failures are recorded, not raised, so a run reports all of them.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from requests.auth import AuthBase
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.result import Ok

from gateway.api.app import create_app
from gateway.bootstrap import build_container
from gateway.migrations import upgrade
from gateway.settings import Settings
from gateway.storage.engine import make_engine
from tests.support import ROOT, TENANT_ENV, serve_in_thread

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def config() -> schemathesis.Config:
    """What the schema's cases read from their configuration when called and checked:
    no example database written to disk, a request timeout. (How many cases, and which,
    :func:`fuzz` tells Hypothesis itself.)"""
    return schemathesis.Config.from_dict(
        {
            "generation": {"database": "none"},
            "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
            "request-timeout": 30,
        }
    )


@contextmanager
def served_gateway(workdir: Path, database_url: str | None = None) -> Iterator[str]:
    """The gateway as ``gateway serve --no-sync`` serves it, on loopback; its base URL.

    The sandbox registry runs in process (``/readyz`` is ready); Telegram's API is a
    closed port, so the bots' answers to fuzzed updates go nowhere."""
    if database_url is None:
        database_url = f"sqlite:///{workdir / 'gateway.db'}"
        engine = make_engine(database_url)
        upgrade(engine)
        engine.dispose()
    settings = Settings(
        database_url=database_url,
        mappings_dir=str(ROOT / "mappings"),
        sandbox_db=str(workdir / "sandbox.db"),
        attachments_dir=str(workdir / "attachments"),
        telegram_api_url="http://127.0.0.1:9",
        log_level="WARNING",
        log_format="json",
    )
    container = build_container(settings, environ=TENANT_ENV)
    with serve_in_thread(create_app(container, run_sync=False)) as base:
        yield base


class WebformSignature(AuthBase):
    """A portal's push signature: HMAC-SHA256 of ``"<timestamp>.<body>"``."""

    def __init__(self, secret: str, header: str) -> None:
        self.secret = secret.encode()
        self.header = header

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        stamp = str(int(time.time()))
        body = request.body or b""
        data = body.encode() if isinstance(body, str) else body
        digest = hmac.new(self.secret, f"{stamp}.".encode() + data, hashlib.sha256)
        request.headers[self.header] = f"sha256={digest.hexdigest()}"
        request.headers["X-Timestamp"] = stamp
        return request


class BodySignature(AuthBase):
    """An SMS aggregator's signature: HMAC-SHA256 of the body, hex."""

    def __init__(self, secret: str, header: str) -> None:
        self.secret = secret.encode()
        self.header = header

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        data = body.encode() if isinstance(body, str) else body
        request.headers[self.header] = hmac.new(self.secret, data, hashlib.sha256).hexdigest()
        return request


_KEY = {"X-API-Key": TENANT_ENV["GATEWAY_LAMPUNG_API_KEY"]}
#: operation path prefix -> (path parameters, headers, query, request signer)
_CREDENTIALS: list[tuple[str, dict[str, str], dict[str, str], dict[str, str], Any]] = [
    ("/channels/api/", {"tenant": "lampung"}, _KEY, {}, None),
    ("/channels/callcenter/", {"tenant": "lampung"}, _KEY, {}, None),
    (
        "/channels/webform/",
        {"tenant": "kalsel", "form": "laporpaman"},
        {},
        {},
        WebformSignature(
            TENANT_ENV["GATEWAY_KALSEL_LAPORPAMAN_WEBHOOK_SECRET"], "X-Laporpaman-Signature"
        ),
    ),
    (
        "/channels/sms/kannel/",
        {"tenant": "sumbar"},
        {},
        {"key": TENANT_ENV["GATEWAY_SUMBAR_KANNEL_KEY"]},
        None,
    ),
    (
        "/channels/sms/http/",
        {"tenant": "sulbar"},
        {},
        {},
        BodySignature(TENANT_ENV["GATEWAY_SULBAR_SMS_SECRET"], "X-Signature"),
    ),
    (
        "/channels/telegram/",
        {"tenant": "sumbar"},
        {"X-Telegram-Bot-Api-Secret-Token": TENANT_ENV["GATEWAY_SUMBAR_TELEGRAM_WEBHOOK_SECRET"]},
        {},
        None,
    ),
    ("/complaints", {}, _KEY, {}, None),
    ("/open311/", {}, _KEY, {"jurisdiction_id": "lampung"}, None),  # Open311 takes X-API-Key too
]


class Credentials:
    """Every other case gets a real tenant and its credentials (API key, webhook secret,
    signature); the others keep what was generated, and are mostly refused (401/404)."""

    def __init__(self) -> None:
        self._turn = itertools.count()

    def __call__(self, case: schemathesis.Case) -> dict[str, Any]:
        """Amend ``case``; the keyword arguments its call needs (a request signer)."""
        if next(self._turn) % 2:
            return {}
        path = case.operation.path
        for prefix, params, headers, query, signer in _CREDENTIALS:
            if path.startswith(prefix):
                for name, value in params.items():
                    if name in case.path_parameters:
                        case.path_parameters[name] = value
                for name, value in headers.items():
                    case.headers[name] = value
                for name, value in query.items():
                    case.query[name] = value
                return {"auth": signer} if signer is not None else {}
        return {}


@dataclass
class OperationReport:
    label: str
    cases: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    #: failure title -> (times, the first one's report with its curl command)
    failures: dict[str, tuple[int, str]] = field(default_factory=dict)

    def failed(self, title: str, detail: str) -> None:
        times, first = self.failures.get(title, (0, detail))
        self.failures[title] = (times + 1, first)


def fuzz(
    schema: Any, base_url: str, examples: int, credentials: Credentials | None = None
) -> list[OperationReport]:
    """Up to ``examples`` cases per operation of ``schema`` (positive, negative, the
    schema's own examples), each called on ``base_url`` and checked with :data:`CHECKS`."""
    credentials = credentials or Credentials()
    reports = []
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            error = result.err()
            report = OperationReport(f"{error.method} {error.path}".upper())
            report.failed("schema error", str(error))
            reports.append(report)
            continue
        operation = result.ok()
        report = OperationReport(operation.label)
        strategy = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
            *schema.get_strategies_from_examples(operation),
        )
        _run(strategy, base_url, examples, credentials, report)
        reports.append(report)
    return reports


def _run(
    strategy: Any, base_url: str, examples: int, credentials: Credentials, report: OperationReport
) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def one(case: schemathesis.Case) -> None:
        extra = credentials(case)
        try:
            response = case.call(base_url=base_url, **extra)
        except requests.RequestException as exc:
            report.failed(f"transport error: {type(exc).__name__}", case.as_curl_command())
            return
        report.cases += 1
        report.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as group:
            for failure in group.exceptions:
                report.failed(_title(failure), str(group))
        except Failure as failure:
            report.failed(_title(failure), str(failure))

    one()


def _title(failure: Failure) -> str:
    return f"{failure.title}: {failure.message.splitlines()[0] if failure.message else ''}"
