"""Rate limits per client address and per tenant: token buckets, in process.

Each client address has a bucket of ``GATEWAY_RATE_PER_CLIENT_BURST`` tokens refilled
at ``GATEWAY_RATE_PER_CLIENT`` per second; each tenant one of
``GATEWAY_RATE_PER_TENANT_BURST`` at ``GATEWAY_RATE_PER_TENANT`` (0 turns either off).
A request takes one token from both; when either is empty it is answered 429 with
``Retry-After`` (whole seconds until a token is back) and the uniform error body (code
``rate_limited``), and takes nothing from the other. The tenant is the one its path
names (``/channels/<type>/<tenant>/...``, ``jurisdiction_id`` under ``/open311``), and
counts only when it is a tenant of this gateway: made-up names cost no memory.

The buckets live in this process: with N gateway processes behind one port the
effective limits are N times these. The client address is the peer's, or the one
``X-Forwarded-For`` gives when the peer is a trusted proxy (``GATEWAY_FORWARDED_ALLOW_IPS``).

O(1) per request; at most ``GATEWAY_RATE_MAX_CLIENTS`` client buckets are kept, least
recently used first out: a bucket idle long enough to be full again is forgotten
(forgetting it changes nothing), and past the cap the oldest goes even if not full.

Public look-ups by a number anyone could count (``/track/<tracking ID>``, a web form's
``.../status/<submission>``; :meth:`gateway.api.surface.Family.looks_up`) have their
own limits per client address on top of these (:class:`Lookups`): a bucket of
``GATEWAY_RATE_LOOKUP_BURST`` new numbers refilled at ``GATEWAY_RATE_LOOKUP_PER_MINUTE``,
and one of ``GATEWAY_RATE_LOOKUP_MISS_BURST`` numbers not found (404) refilled at
``GATEWAY_RATE_LOOKUP_MISS_PER_MINUTE``. Looking up again a number this client looked up
within the hour is free (a person refreshing their complaint, a portal's page polling
it), so only counting through numbers spends them: tracking IDs are the national
registry's, sequential, and a portal's submission numbers are its own, so the numbers
cannot be made unguessable here.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable, Collection
from hashlib import blake2b

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.api.errors import count_refused
from gateway.api.surface import family_of, send_refusal


class TokenBuckets:
    """A token bucket per key: ``burst`` tokens, refilled at ``rate`` per second."""

    def __init__(self, rate: float, burst: int, max_keys: int) -> None:
        if rate <= 0 or burst < 1 or max_keys < 1:
            raise ValueError("rate > 0, burst >= 1 and max_keys >= 1")
        self.rate = rate
        self.burst = float(burst)
        self.max_keys = max_keys
        #: a bucket untouched this long is full again: forgetting it changes nothing
        self.idle_after = burst / rate
        # key -> [tokens, when they were counted]; least recently used first
        self._buckets: OrderedDict[str, list[float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def check(self, key: str, now: float) -> tuple[list[float], float]:
        """``key``'s bucket, refilled to ``now``, and the seconds until it holds a token
        (0: it holds one now; take it with :meth:`take`)."""
        buckets = self._buckets
        bucket = buckets.get(key)
        if bucket is None:
            bucket = [self.burst, now]
            buckets[key] = bucket
            self._evict(now)
        else:
            buckets.move_to_end(key)
            bucket[0] = min(self.burst, bucket[0] + (now - bucket[1]) * self.rate)
            bucket[1] = now
        return bucket, (0.0 if bucket[0] >= 1.0 else (1.0 - bucket[0]) / self.rate)

    @staticmethod
    def take(bucket: list[float]) -> None:
        bucket[0] -= 1.0

    def _evict(self, now: float) -> None:
        buckets = self._buckets
        for _ in range(2):  # one added, up to two dropped: the count never grows past the cap
            key = next(iter(buckets))
            if len(buckets) > self.max_keys or now - buckets[key][1] >= self.idle_after:
                del buckets[key]
            else:
                return


class Lookups:
    """The look-up limits: new numbers per client, numbers not found per client, and the
    numbers each client looked up lately (looked up again within ``repeat_window``
    seconds: free). At most ``max_keys`` of each are kept, least recently used first out."""

    def __init__(
        self,
        per_client: TokenBuckets,
        misses: TokenBuckets | None,
        max_keys: int,
        repeat_window: float = 3600.0,
    ) -> None:
        self.per_client = per_client
        self.misses = misses
        self.max_keys = max_keys
        self.repeat_window = repeat_window
        # digest of (client, path) -> when it was last looked up; oldest first
        self._seen: OrderedDict[bytes, float] = OrderedDict()

    @staticmethod
    def _key(client: str, path: str) -> bytes:
        return blake2b(f"{client}\0{path}".encode(), digest_size=16).digest()

    def check(self, client: str, path: str, now: float) -> tuple[list[float] | None, float]:
        """The client's new-numbers bucket to take from (``None``: a repeat, free) and the
        seconds to wait (0: go ahead)."""
        key = self._key(client, path)
        seen = self._seen.get(key)
        if seen is not None and now - seen < self.repeat_window:
            self._seen[key] = now
            self._seen.move_to_end(key)
            return None, 0.0
        bucket, wait = self.per_client.check(client, now)
        if self.misses is not None:
            wait = max(wait, self.misses.check(client, now)[1])
        return bucket, wait

    def took(self, client: str, path: str, bucket: list[float], now: float) -> None:
        """A new number is looked up: one token spent, and a repeat of it is free."""
        TokenBuckets.take(bucket)
        seen = self._seen
        seen[self._key(client, path)] = now
        for _ in range(2):  # as TokenBuckets: the count never grows past the cap
            oldest = next(iter(seen))
            if len(seen) > self.max_keys or now - seen[oldest] >= self.repeat_window:
                del seen[oldest]
            else:
                return

    def missed(self, client: str, now: float) -> None:
        """The number was not found: one token from the client's misses."""
        if self.misses is not None:
            TokenBuckets.take(self.misses.check(client, now)[0])


#: the 429's message by what ran out (Bahasa Indonesia first, as the console's)
_REFUSED = {
    "client": (
        "Terlalu banyak permintaan dari alamat ini; coba lagi dalam {n} detik. "
        "(Too many requests for this client; retry after {n} s.)"
    ),
    "tenant": (
        "Terlalu banyak permintaan untuk instansi ini; coba lagi dalam {n} detik. "
        "(Too many requests for this tenant; retry after {n} s.)"
    ),
    "lookup": (
        "Terlalu banyak nomor dicari dari alamat ini; coba lagi dalam {n} detik. "
        "(Too many look-ups from this address; retry after {n} s.)"
    ),
}


class RateLimit:
    """429 with ``Retry-After`` when a client's or a tenant's bucket is empty, or a
    client's look-up limits are spent."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        per_client: TokenBuckets | None,
        per_tenant: TokenBuckets | None,
        tenants: Collection[str],
        lookups: Lookups | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.per_client = per_client
        self.per_tenant = per_tenant
        self.lookups = lookups
        self.tenants = tenants  # the container's (a dict): a set look-up
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (
            self.per_client is None and self.per_tenant is None and self.lookups is None
        ):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        family = family_of(path)
        if not family.rate_limited:
            await self.app(scope, receive, send)
            return
        now = self.clock()
        wait = 0.0
        client_bucket = tenant_bucket = lookup_bucket = None
        peer = scope.get("client")
        client = peer[0] if peer else "-"
        whose = "client"
        if self.per_client is not None:
            client_bucket, wait = self.per_client.check(client, now)
        if not wait and self.per_tenant is not None:
            tenant = family.tenant(scope)
            if tenant is not None and tenant in self.tenants:
                tenant_bucket, wait = self.per_tenant.check(tenant, now)
                whose = "tenant"
        lookups = self.lookups if family.looks_up(path) else None
        if not wait and lookups is not None:
            lookup_bucket, wait = lookups.check(client, path, now)
            whose = "lookup"
        if wait:
            retry_after = max(1, math.ceil(wait))
            count_refused(path, 429)
            await send_refusal(
                send,
                scope,
                family,
                429,
                "rate_limited",
                _REFUSED[whose].format(n=retry_after),
                headers=[(b"retry-after", str(retry_after).encode())],
            )
            return
        if client_bucket is not None:
            TokenBuckets.take(client_bucket)
        if tenant_bucket is not None:
            TokenBuckets.take(tenant_bucket)
        if lookups is None or lookup_bucket is None:
            await self.app(scope, receive, send)
            return
        lookups.took(client, path, lookup_bucket, now)
        counted = lookups

        async def counting_misses(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 404:
                counted.missed(client, self.clock())
            await send(message)

        await self.app(scope, receive, counting_misses)


def buckets(rate: float, burst: int, max_keys: int) -> TokenBuckets | None:
    """Buckets for a configured limit; ``None`` when ``rate`` is 0 (no limit)."""
    return TokenBuckets(rate, burst, max_keys) if rate > 0 else None


def lookup_limits(
    per_minute: float, burst: int, miss_per_minute: float, miss_burst: int, max_keys: int
) -> Lookups | None:
    """The configured look-up limits (rates per minute); ``None`` when ``per_minute`` is 0."""
    per_client = buckets(per_minute / 60, burst, max_keys)
    if per_client is None:
        return None
    return Lookups(per_client, buckets(miss_per_minute / 60, miss_burst, max_keys), max_keys)
