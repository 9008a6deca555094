"""The two sketches a usage day keeps: unique callers and latencies.

Both are merged by operators every document store applies atomically (see
DocumentStore.accumulate), so task-manager replicas recording the same day at
once lose nothing and need no read-modify-write:

* **unique callers** — a HyperLogLog of ``2**PRECISION`` registers. A caller
  is hashed with keyed BLAKE2b under the deployment's secret salt; the hash
  picks a register and a rank, and the register keeps the largest rank seen
  (``$max``). Only registers are stored, never who called, and without the
  salt nobody can test whether a given user called. The registers of several
  days merge by max, so a range counts each caller once. Small counts are
  estimated by linear counting, exact for a handful of callers.
  (A library sketch such as datasketch keeps its registers in one array
  object, which cannot be maxed register by register in the store.)
* **latency** — counts per log-spaced bucket (``$inc``): bucket ``i`` holds
  latencies in ``[BASE_MS * GROWTH**i, BASE_MS * GROWTH**(i + 1))``, so a
  percentile read from merged buckets is within one bucket (a factor GROWTH,
  about 19%) of the true one.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping

PRECISION = 12
REGISTERS = 1 << PRECISION
_HASH_BITS = 64
_RANK_BITS = _HASH_BITS - PRECISION

BASE_MS = 0.01
GROWTH = 2**0.25
BUCKETS = 128  # up to about 10 hours

# The key of every anonymous caller: no user name can be this (names are slugs).
ANONYMOUS_KEY = "\x00anonymous"


def caller_register(salt: bytes, caller: str | None) -> tuple[int, int]:
    """(register, rank) of one caller; anonymous callers (None) share one key."""
    key = (ANONYMOUS_KEY if caller is None else caller).encode()
    digest = hashlib.blake2b(key, key=salt[:64], digest_size=8, person=b"dlhub-usage").digest()
    value = int.from_bytes(digest, "big")
    rest = value >> PRECISION
    return value & (REGISTERS - 1), _RANK_BITS - rest.bit_length() + 1


def unique_estimate(registers: Mapping[int, int]) -> int:
    """Distinct callers from HyperLogLog registers (absent registers are 0)."""
    if not registers:
        return 0
    zeros = REGISTERS - sum(1 for r in registers.values() if r > 0)
    inverse = zeros + sum(2.0**-r for r in registers.values() if r > 0)
    alpha = 0.7213 / (1 + 1.079 / REGISTERS)
    estimate = alpha * REGISTERS * REGISTERS / inverse
    if estimate <= 2.5 * REGISTERS and zeros:
        estimate = REGISTERS * math.log(REGISTERS / zeros)  # linear counting
    return round(estimate)


def latency_bucket(ms: float) -> int:
    """The bucket of one latency in milliseconds."""
    if not ms > BASE_MS:
        return 0
    return min(BUCKETS - 1, int(math.log(ms / BASE_MS) / math.log(GROWTH)))


def bucket_value(bucket: int) -> float:
    """The latency a bucket stands for: its geometric middle, in milliseconds."""
    return float(BASE_MS * GROWTH ** (bucket + 0.5))


def percentile(buckets: Mapping[int, int], q: float) -> float:
    """The ``q`` quantile (0 < q <= 1) of bucket counts, in ms; 0 when empty."""
    total = sum(buckets.values())
    if total <= 0:
        return 0.0
    rank = max(1, math.ceil(q * total))
    seen = 0
    for bucket in sorted(buckets):
        seen += buckets[bucket]
        if seen >= rank:
            return round(bucket_value(bucket), 3)
    return round(bucket_value(max(buckets)), 3)
