"""Token bucket and circuit breaker, on a fake clock."""

from __future__ import annotations

import pytest

from gateway.domain.errors import ErrorKind, GatewayError
from gateway.sync.limits import CircuitBreaker, CircuitState, TokenBucket


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_spaces_requests_at_the_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=10, burst=1, clock=clock)
    assert [round(bucket.delay(), 3) for _ in range(4)] == [0.0, 0.1, 0.2, 0.3]
    clock.now += 10  # a long pause refills only up to the burst
    assert [round(bucket.delay(), 3) for _ in range(3)] == [0.0, 0.1, 0.2]


def test_token_bucket_burst_and_no_limit() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=100, clock=clock)  # burst defaults to rate / 10
    assert [bucket.delay() for _ in range(10)] == [0.0] * 10
    assert bucket.delay() == pytest.approx(0.01)
    unlimited = TokenBucket(rate=0, clock=clock)
    assert all(unlimited.delay() == 0 for _ in range(1000))


RETRYABLE = GatewayError(ErrorKind.RETRYABLE, "503 from the registry")


def test_circuit_opens_after_consecutive_failures_and_probes_after_cooldown() -> None:
    clock = FakeClock()
    seen: list[str] = []
    breaker = CircuitBreaker(
        threshold=3, cooldown=10, clock=clock, on_change=lambda b: seen.append(b.state.value)
    )
    for _ in range(2):
        assert breaker.allows()
        breaker.record(RETRYABLE)
    assert breaker.state == CircuitState.CLOSED
    breaker.record(None)  # a success resets the count
    for _ in range(3):
        breaker.allows()
        breaker.record(RETRYABLE)
    assert breaker.state == CircuitState.OPEN and not breaker.allows()
    clock.now += 9.9
    assert not breaker.allows()
    clock.now += 0.2
    assert breaker.allows() and breaker.state == CircuitState.HALF_OPEN
    assert not breaker.allows()  # one probe at a time
    breaker.record(RETRYABLE)  # the probe failed: open again, a new cool-down
    assert breaker.state == CircuitState.OPEN and not breaker.allows()
    clock.now += 10.1
    assert breaker.allows()
    breaker.record(None)
    assert breaker.state == CircuitState.CLOSED and breaker.allows() and breaker.allows()
    assert seen == ["open", "half_open", "open", "half_open", "closed"]


@pytest.mark.parametrize(
    "error",
    [
        GatewayError(ErrorKind.THROTTLED, "429", retry_after=5),
        GatewayError(ErrorKind.PERMANENT, "title: required"),
    ],
)
def test_throttling_and_refusals_do_not_open_the_circuit(error: GatewayError) -> None:
    breaker = CircuitBreaker(threshold=2, cooldown=10, clock=FakeClock())
    for _ in range(10):
        assert breaker.allows()
        breaker.record(error)
    assert breaker.state == CircuitState.CLOSED
