"""The look-up limits (issue 19, point 2) on a clock the test turns: new numbers spend,
repeats do not, misses spend a stricter bucket; and which paths are look-ups."""

from __future__ import annotations

import pytest

from gateway.api.ratelimit import Lookups, lookup_limits
from gateway.api.surface import family_of
from gateway.settings import Settings


def limits() -> Lookups:
    found = lookup_limits(6, 20, 1, 10, max_keys=1000)  # the defaults
    assert found is not None
    return found


def look(lookups: Lookups, client: str, path: str, now: float, *, miss: bool = False) -> float:
    """One look-up; the seconds to wait when it is refused (0: answered)."""
    bucket, wait = lookups.check(client, path, now)
    if wait:
        return wait
    if bucket is not None:
        lookups.took(client, path, bucket, now)
        if miss:
            lookups.missed(client, now)
    return 0.0


def test_twenty_new_numbers_then_one_every_ten_seconds() -> None:
    lookups = limits()
    assert [look(lookups, "a", f"/track/{n}", 0.0) for n in range(20)] == [0.0] * 20
    assert look(lookups, "a", "/track/20", 0.0) == pytest.approx(10.0)
    assert look(lookups, "a", "/track/20", 10.0) == 0.0
    assert look(lookups, "a", "/track/21", 10.0) > 0
    assert look(lookups, "b", "/track/21", 10.0) == 0.0  # another address: its own


def test_the_same_number_again_is_free_for_an_hour() -> None:
    lookups = limits()
    for second in range(0, 3000, 3):  # a page polling one complaint every 3 s
        assert look(lookups, "a", "/track/1", float(second)) == 0.0
    for n in range(20):  # a full bucket of others
        assert look(lookups, "a", f"/track/x{n}", 3000.0) == 0.0
    assert look(lookups, "a", "/track/1", 3001.0) == 0.0  # still free: seen lately
    assert look(lookups, "a", "/track/2", 3001.0) > 0  # a new one: the bucket is spent


def test_ten_misses_then_one_a_minute() -> None:
    lookups = limits()
    assert [look(lookups, "a", f"/track/{n}", 0.0, miss=True) for n in range(10)] == [0.0] * 10
    assert look(lookups, "a", "/track/10", 0.0) == pytest.approx(60.0)
    # the misses refuse even a number that would be found, until a minute has passed
    assert look(lookups, "a", "/track/10", 59.0) > 0
    assert look(lookups, "a", "/track/10", 60.0) == 0.0
    assert look(lookups, "b", "/track/10", 0.0) == 0.0


def test_what_is_remembered_is_capped() -> None:
    lookups = lookup_limits(600_000, 1_000_000, 0, 1, max_keys=100)
    assert lookups is not None and lookups.misses is None  # misses not counted apart
    for n in range(1000):
        look(lookups, f"10.0.{n // 250}.{n % 250}", f"/track/{n}", n / 1000)
        assert len(lookups._seen) <= 100
    assert len(lookups.per_client) <= 100


def test_zero_turns_the_look_up_limits_off(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = Settings(_env_file=None, env="production", national_url="https://lapor.example")
    assert (defaults.rate_lookup_per_minute, defaults.rate_lookup_burst) == (6, 20)
    monkeypatch.setenv("GATEWAY_RATE_LOOKUP_PER_MINUTE", "0")
    settings = Settings(_env_file=None)
    assert settings.rate_lookup_per_minute == 0
    assert lookup_limits(0, 20, 1, 10, 100) is None


@pytest.mark.parametrize(
    ("path", "lookup"),
    [
        ("/track/1234", True),
        ("/track", True),
        ("/channels/webform/kalsel/laporpaman/status/LP-2026-000451", True),
        ("/channels/webform/kalsel/laporpaman", False),  # a portal's push
        ("/channels/webform/kalsel/status", False),
        ("/complaints/abc", False),  # staff, with a key
        ("/channels/api/lampung/complaints", False),
        ("/open311/v2/requests/1.json", False),
    ],
)
def test_which_paths_are_look_ups(path: str, lookup: bool) -> None:
    assert family_of(path).looks_up(path) is lookup
