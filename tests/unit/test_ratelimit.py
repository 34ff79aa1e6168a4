"""Token buckets and the route families the HTTP guards act on."""

from __future__ import annotations

import pytest

from gateway.api.ratelimit import TokenBuckets, buckets
from gateway.api.surface import FORM, JSON, MULTIPART, OTHER, family_of
from gateway.settings import Settings


def test_a_bucket_allows_its_burst_then_refills_at_its_rate() -> None:
    limits = TokenBuckets(rate=2.0, burst=3, max_keys=10)
    for _ in range(3):
        bucket, wait = limits.check("10.0.0.1", now=100.0)
        assert wait == 0
        limits.take(bucket)
    _, wait = limits.check("10.0.0.1", now=100.0)
    assert wait == pytest.approx(0.5)  # one token at 2/s
    bucket, wait = limits.check("10.0.0.1", now=100.5)
    assert wait == 0
    limits.take(bucket)
    bucket, _ = limits.check("10.0.0.1", now=1000.0)
    assert bucket[0] == 3.0  # never more than the burst


def test_checking_takes_nothing_and_keys_are_apart() -> None:
    limits = TokenBuckets(rate=1.0, burst=1, max_keys=10)
    for _ in range(5):
        assert limits.check("a", now=0.0)[1] == 0  # looked at, not taken
    bucket, _ = limits.check("a", now=0.0)
    limits.take(bucket)
    assert limits.check("a", now=0.0)[1] == pytest.approx(1.0)
    assert limits.check("b", now=0.0)[1] == 0


def test_idle_buckets_are_forgotten_and_the_count_never_passes_the_cap() -> None:
    limits = TokenBuckets(rate=10.0, burst=10, max_keys=100)  # full again after 1 s
    for n in range(50):
        limits.check(f"old-{n}", now=0.0)
    for n in range(50):  # each new key drops up to two idle ones
        limits.check(f"new-{n}", now=5.0)
    assert len(limits) == 50
    for n in range(1000):  # a spray of addresses, none idle
        limits.check(f"spray-{n}", now=6.0 + n / 1e6)
        assert len(limits) <= 100
    assert len(limits) == 100


def test_the_least_recently_used_go_first() -> None:
    limits = TokenBuckets(rate=0.001, burst=100, max_keys=2)
    bucket, _ = limits.check("kept", now=0.0)
    limits.take(bucket)
    limits.check("other", now=0.0)
    limits.check("kept", now=1.0)  # used again: now the newest
    limits.check("third", now=1.0)  # over the cap: "other" goes
    assert limits.check("kept", now=1.0)[0][0] < 100  # still the spent bucket


def test_zero_is_no_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_RATE_PER_CLIENT", "0")
    monkeypatch.setenv("GATEWAY_RATE_PER_TENANT", "3")
    monkeypatch.setenv("GATEWAY_RATE_PER_TENANT_BURST", "6")
    settings = Settings(_env_file=None)
    assert buckets(settings.rate_per_client, settings.rate_per_client_burst, 10) is None
    tenant = buckets(settings.rate_per_tenant, settings.rate_per_tenant_burst, 10)
    assert tenant is not None and (tenant.rate, tenant.burst) == (3.0, 6.0)
    assert buckets(0, 10, 10) is None
    assert isinstance(buckets(5, 10, 10), TokenBuckets)
    with pytest.raises(ValueError):
        TokenBuckets(rate=0, burst=1, max_keys=1)


@pytest.mark.parametrize(
    ("path", "query", "family", "tenant"),
    [
        ("/channels/api/lampung/complaints", b"", "api", "lampung"),
        ("/channels/callcenter/lampung/tickets", b"", "callcenter", "lampung"),
        ("/channels/webform/kalsel/laporpaman", b"", "webform", "kalsel"),
        ("/channels/sms/kannel/sumbar", b"key=k", "sms", "sumbar"),
        ("/channels/sms/http/sulbar", b"", "sms", "sulbar"),
        ("/channels/telegram/sumbar", b"", "telegram", "sumbar"),
        ("/open311/v2/requests.json", b"jurisdiction_id=lampung&x=1", "open311", "lampung"),
        ("/open311/v2/services.json", b"", "open311", None),
        ("/channels/api", b"", "api", None),
        ("/ops", b"", "console", None),
        ("/ops/static/ops.css", b"", "console-static", None),
        ("/opsx", b"", "other", None),
        ("/healthz", b"", "probes", None),
        ("/complaints", b"", "other", None),
    ],
)
def test_families_and_their_tenants(
    path: str, query: bytes, family: str, tenant: str | None
) -> None:
    found = family_of(path)
    assert found.name == family
    assert found.tenant({"path": path, "query_string": query}) == tenant


def test_what_each_family_takes() -> None:
    assert family_of("/channels/api/x/complaints").takes(None)  # JSON-only: bare body is JSON
    assert not family_of("/channels/webform/x/y").takes(None)
    assert family_of("/channels/webform/x/y").takes(MULTIPART)
    assert family_of("/channels/sms/http/x").takes(FORM)
    assert not family_of("/channels/telegram/x").takes(FORM)
    assert family_of("/open311/v2/requests.json").takes(MULTIPART)
    assert family_of("/open311/v2/requests.json").uploads  # the photo as the file media
    # Open311 answers a media type it does not take (415) itself, in the client's language
    assert family_of("/open311/v2/requests.json").accepts is None
    assert not family_of("/ops/login").takes(JSON)
    assert OTHER.takes("text/plain")  # not routes that take bodies: the router answers
    assert not family_of("/healthz").rate_limited and family_of("/track/x").rate_limited
