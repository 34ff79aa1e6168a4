from __future__ import annotations

import random

import pytest

from gateway.domain.errors import ErrorKind, GatewayError
from gateway.sync.backoff import RetryPolicy, backoff_delay, decide

POLICY = RetryPolicy(base=2, maximum=60, max_attempts=5)


def test_backoff_grows_exponentially_within_jitter_and_is_capped() -> None:
    rng = random.Random(1)
    for attempt, ceiling in [(1, 2), (2, 4), (3, 8), (4, 16), (10, 60)]:
        delays = [backoff_delay(attempt, POLICY, rng) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert max(delays) - min(delays) > ceiling / 4  # really jittered


@pytest.mark.parametrize(
    ("kind", "attempt", "retry"),
    [
        (ErrorKind.RETRYABLE, 1, True),
        (ErrorKind.THROTTLED, 1, True),
        (ErrorKind.RETRYABLE, 5, False),  # attempts exhausted
        (ErrorKind.PERMANENT, 1, False),
        (ErrorKind.INVALID_INPUT, 1, False),
    ],
)
def test_decide(kind: ErrorKind, attempt: int, retry: bool) -> None:
    decision = decide(GatewayError(kind, "x"), attempt, POLICY, random.Random(0))
    assert decision.retry is retry


def test_throttled_waits_at_least_retry_after() -> None:
    rng = random.Random(2)
    for _ in range(100):
        decision = decide(GatewayError(ErrorKind.THROTTLED, "429", retry_after=7), 1, POLICY, rng)
        assert 7 <= decision.delay <= 7 * 1.25
