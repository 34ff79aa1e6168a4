"""The sign-in throttle's figures: a few free failures, then doubling waits up to a cap."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gateway.ops import throttle


def test_waits_double_after_the_free_failures_up_to_five_minutes() -> None:
    waits = [throttle.delay(n, throttle.PAIR_FREE).total_seconds() for n in range(12)]
    assert waits == [0, 0, 0, 5, 10, 20, 40, 80, 160, 300, 300, 300]
    assert throttle.delay(10_000, throttle.ADDRESS_FREE) == timedelta(minutes=5)
    assert throttle.delay(9, throttle.ADDRESS_FREE) == timedelta(0)


@pytest.mark.parametrize(
    ("client", "key"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),  # one host picks any of its /64
        ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("-", "-"),
    ],
)
def test_addresses_are_counted_by_host_or_ipv6_network(client: str, key: str) -> None:
    assert throttle.address_key(client) == key
    assert throttle.client_note(client) == f"client {key}"
