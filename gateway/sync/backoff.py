"""Retry decisions: the one place where back-off is computed.

Pure functions: what to do after a failed attempt is decided here; the
dispatcher only carries it out.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from gateway.domain.errors import ErrorKind, GatewayError


@dataclass(frozen=True)
class RetryPolicy:
    base: float = 2.0
    maximum: float = 600.0
    max_attempts: int = 12


@dataclass(frozen=True)
class Decision:
    retry: bool
    delay: float = 0.0


def backoff_delay(attempt: int, policy: RetryPolicy, rng: random.Random) -> float:
    """Exponential back-off with "equal jitter": half fixed, half random.

    ``attempt`` counts from 1 (the attempt that just failed).
    """
    ceiling = min(policy.maximum, policy.base * (2 ** (attempt - 1)))
    return float(ceiling / 2 + rng.uniform(0, ceiling / 2))


def decide(error: GatewayError, attempt: int, policy: RetryPolicy, rng: random.Random) -> Decision:
    if not error.should_retry or attempt >= policy.max_attempts:
        return Decision(retry=False)
    delay = backoff_delay(attempt, policy, rng)
    if error.kind == ErrorKind.THROTTLED and error.retry_after is not None:
        # the server said when; never earlier, a little jitter so workers spread
        delay = max(error.retry_after, 0.0) + rng.uniform(0, 0.25 * max(error.retry_after, 1.0))
    return Decision(retry=True, delay=min(delay, policy.maximum))
