"""A Telegram chat's pace (:class:`adapters.telegram.bot.SendLimiter`): a near turn is
waited for, a far one is refused with the seconds until it (issue 21, point 5)."""

from __future__ import annotations

import pytest

from adapters.telegram.bot import SendLimiter
from gateway.domain.errors import ErrorKind, GatewayError


def test_a_send_waits_only_for_a_near_turn() -> None:
    """Its burst at once; then a turn within ``hold`` is waited for by at most
    ``paced`` sends; a later turn is refused with the seconds until it, and the
    sends refused for one chat are given turns one interval apart."""
    now = [100.0]
    limiter = SendLimiter(25.0, 1.0, clock=lambda: now[0])
    assert [limiter.book(1) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.book(2) == 0.0  # another chat: its own turns
    assert limiter.book(1) == pytest.approx(1.0)  # near: waited for
    refused: list[float | None] = []
    for _ in range(2):
        with pytest.raises(GatewayError) as caught:
            limiter.book(1)
        assert caught.value.kind == ErrorKind.THROTTLED
        refused.append(caught.value.retry_after)
    assert refused == [pytest.approx(2.0), pytest.approx(3.0)]
    now[0] += 2.0  # the chat's turn has come
    assert limiter.book(1) == 0.0
    limiter._waiting = limiter.paced  # sends already waiting in their slots
    assert [limiter.book(3) for _ in range(3)] == [0.0, 0.0, 0.0]  # a free chat goes
    with pytest.raises(GatewayError):
        limiter.book(3)  # its turn is near, but enough sends wait already
