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
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable, Collection

from starlette.types import ASGIApp, Receive, Scope, Send

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


class RateLimit:
    """429 with ``Retry-After`` when a client's or a tenant's bucket is empty."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        per_client: TokenBuckets | None,
        per_tenant: TokenBuckets | None,
        tenants: Collection[str],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.per_client = per_client
        self.per_tenant = per_tenant
        self.tenants = tenants  # the container's (a dict): a set look-up
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (self.per_client is None and self.per_tenant is None):
            await self.app(scope, receive, send)
            return
        family = family_of(scope["path"])
        if not family.rate_limited:
            await self.app(scope, receive, send)
            return
        now = self.clock()
        wait = 0.0
        client_bucket = tenant_bucket = None
        whose = "client"
        if self.per_client is not None:
            client = scope.get("client")
            client_bucket, wait = self.per_client.check(client[0] if client else "-", now)
        if not wait and self.per_tenant is not None:
            tenant = family.tenant(scope)
            if tenant is not None and tenant in self.tenants:
                tenant_bucket, wait = self.per_tenant.check(tenant, now)
                whose = "tenant"
        if wait:
            retry_after = max(1, math.ceil(wait))
            count_refused(scope["path"], 429)
            await send_refusal(
                send,
                scope,
                family,
                429,
                "rate_limited",
                f"too many requests for this {whose}; retry after {retry_after} s",
                headers=[(b"retry-after", str(retry_after).encode())],
            )
            return
        if client_bucket is not None:
            TokenBuckets.take(client_bucket)
        if tenant_bucket is not None:
            TokenBuckets.take(tenant_bucket)
        await self.app(scope, receive, send)


def buckets(rate: float, burst: int, max_keys: int) -> TokenBuckets | None:
    """Buckets for a configured limit; ``None`` when ``rate`` is 0 (no limit)."""
    return TokenBuckets(rate, burst, max_keys) if rate > 0 else None
