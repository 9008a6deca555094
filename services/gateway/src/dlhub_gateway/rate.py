"""Rate limits at the gateway: a token bucket per caller.

An authenticated caller is limited by user name (every address, every door:
HTTP and gRPC share one bucket); an anonymous caller by client address. A
bucket holds up to ``burst`` tokens, refills at ``per_s`` tokens a second,
and each request takes one. Buckets live in a bounded TTL cache: a bucket
unused for ``burst / per_s`` seconds is full again, so forgetting it loses
nothing, and a flood of distinct addresses evicts the least recently used
buckets instead of growing memory. Single-threaded (asyncio): no locks.

Limits are per gateway process; ``--replicas N`` gateways each count alone.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from cachetools import TTLCache

from dlhub_common.errors import Overloaded
from dlhub_common.identity import Principal
from dlhub_common.telemetry import RATE_LIMITED

# The most buckets one limiter keeps (about 200 bytes each).
MAX_BUCKETS = 100_000
# Refill arithmetic in floats: 10 x 0.01 s at 10/s is 0.99999... of a token.
_EPSILON = 1e-9


class TokenBucket:
    """Token buckets keyed by caller, in bounded memory.

    Args:
        per_s: sustained requests a second per key; 0 turns the limit off.
        burst: most requests at once (the bucket's size), at least 1.
        max_keys: most buckets kept; the least recently used go first.
        clock: seconds, monotonic (tests pass their own).
    """

    def __init__(
        self,
        per_s: float,
        burst: int,
        *,
        max_keys: int = MAX_BUCKETS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_s < 0 or burst < 1 or max_keys < 1:
            raise ValueError(f"need per_s >= 0, burst >= 1, max_keys >= 1: {per_s}, {burst}")
        self.per_s = per_s
        self.burst = burst
        self._clock = clock
        ttl = burst / per_s if per_s else 1.0
        # key -> (tokens left, when counted); a set resets the entry's TTL
        self._buckets: TTLCache[str, tuple[float, float]] = TTLCache(
            maxsize=max_keys, ttl=ttl, timer=clock
        )

    def __len__(self) -> int:
        self._buckets.expire()
        return len(self._buckets)

    def take(self, key: str) -> float:
        """Take a token for ``key``: 0.0 when it was there, else the seconds until one is."""
        if not self.per_s:
            return 0.0
        now = self._clock()
        tokens, then = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) * self.per_s)
        if tokens < 1 - _EPSILON:
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.per_s
        self._buckets[key] = (max(0.0, tokens - 1), now)
        return 0.0


def peer_address(peer: str) -> str:
    """The host of a gRPC peer (``ipv4:1.2.3.4:5``, ``ipv6:[::1]:5``), without its port."""
    kind, _, rest = peer.partition(":")
    if kind in ("ipv4", "ipv6"):
        host = rest.rpartition(":")[0]
        return host.strip("[]") or rest
    return peer


class RateLimits:
    """The gateway's limits: per identity, and per address for anonymous callers."""

    def __init__(
        self,
        *,
        per_s: float,
        burst: int,
        anonymous_per_s: float,
        anonymous_burst: int,
        max_keys: int = MAX_BUCKETS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.identity = TokenBucket(per_s, burst, max_keys=max_keys, clock=clock)
        self.address = TokenBucket(anonymous_per_s, anonymous_burst, max_keys=max_keys, clock=clock)

    def admit(self, who: Principal, address: str) -> None:
        """Count one request of ``who`` from ``address``.

        Raises:
            Overloaded: over the caller's limit; ``details.retry_after_s`` says when a
                request will be let in again (at least 1 s).
        """
        if who.username is not None:
            bucket, key, scope = self.identity, who.username, "rate_identity"
            whose, setting = f"user {who.username!r}", "RATE_LIMIT_PER_S"
        else:
            bucket, key, scope = self.address, address, "rate_address"
            whose, setting = "anonymous callers from one address", "ANONYMOUS_RATE_LIMIT_PER_S"
        wait = bucket.take(key)
        if wait:
            retry = max(1, math.ceil(wait))
            RATE_LIMITED.labels(scope).inc()
            hint = "; send a token to be limited by user instead" if who.anonymous else ""
            raise Overloaded(
                f"rate limit: {whose} may make {bucket.per_s:g} requests a second"
                f" (bursts of {bucket.burst}); retry after {retry} s"
                f" (setting DLHUB_GATEWAY__{setting}){hint}",
                details={
                    "retry_after_s": retry,
                    "scope": scope,
                    "limit_per_s": bucket.per_s,
                    "burst": bucket.burst,
                },
            )
