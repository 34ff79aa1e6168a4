"""Token bucket and circuit breaker, on a fake clock."""

from __future__ import annotations

import pytest

from gateway.domain.errors import ErrorKind, GatewayError
from gateway.sync.limits import (
    CircuitBreaker,
    CircuitState,
    LaneLimits,
    TenantLimits,
    TokenBucket,
    share_of,
)


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


def test_a_new_rate_keeps_the_tokens_but_not_more_than_the_new_burst() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=100, clock=clock)  # burst 10
    bucket.set_rate(20)  # two processes share 40/s: burst 2
    assert [round(bucket.delay(), 3) for _ in range(4)] == [0.0, 0.0, 0.05, 0.1]
    bucket.set_rate(0)
    assert bucket.delay() == 0


@pytest.mark.parametrize(
    ("concurrency", "peers", "parts"),
    [(10, 1, [10]), (10, 2, [5, 5]), (10, 3, [4, 3, 3]), (5, 4, [2, 1, 1, 1]), (2, 3, [1, 1, 1])],
)
def test_shares_of_concurrency_add_up_to_it_and_are_at_least_one(
    concurrency: int, peers: int, parts: list[int]
) -> None:
    limits = LaneLimits(concurrency=concurrency, rate=30)
    shares = [share_of(limits, peers, index) for index in range(peers)]
    assert [s.concurrency for s in shares] == parts
    assert all(s.rate == pytest.approx(30 / peers) for s in shares)
    assert share_of(LaneLimits(concurrency, 0), peers, 0).rate == 0  # no limit stays none


def test_tenant_limits_apply_this_process_share_to_its_buckets() -> None:
    limits = TenantLimits({"lampung": LaneLimits(10, 30), "kalsel": LaneLimits(4, 0)})
    assert limits.concurrency("lampung") == 10 and limits.bucket("lampung").rate == 30
    limits.share(3, 2)
    assert (limits.concurrency("lampung"), limits.concurrency("kalsel")) == (3, 1)
    assert limits.bucket("lampung").rate == pytest.approx(10)
    assert limits.bucket("kalsel").rate == 0
    limits.share(1, 0)  # the others died
    assert limits.concurrency("lampung") == 10 and limits.bucket("lampung").rate == 30
