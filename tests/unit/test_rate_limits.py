"""The gateway's token buckets: refill, burst, retry-after, bounded memory."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from dlhub_common.errors import ErrorCode, Overloaded, retry_after_s
from dlhub_common.identity import ANONYMOUS, Principal
from dlhub_common.settings import Settings
from dlhub_gateway.rate import RateLimits, TokenBucket, peer_address


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_refused_then_refilled() -> None:
    clock = Clock()
    bucket = TokenBucket(2.0, 5, clock=clock)
    assert [bucket.take("a") for _ in range(5)] == [0.0] * 5
    assert bucket.take("a") == pytest.approx(0.5)  # one token per 0.5 s
    clock.now += 0.5
    assert bucket.take("a") == 0.0
    assert bucket.take("a") > 0
    clock.now += 10  # refills to the burst, never past it
    assert [bucket.take("a") for _ in range(5)] == [0.0] * 5
    assert bucket.take("a") > 0


def test_refused_requests_do_not_spend_tokens() -> None:
    clock = Clock()
    bucket = TokenBucket(1.0, 1, clock=clock)
    assert bucket.take("a") == 0.0
    for _ in range(50):
        assert bucket.take("a") == pytest.approx(1.0)
    clock.now += 1.0
    assert bucket.take("a") == 0.0


def test_sustained_rate() -> None:
    clock = Clock()
    bucket = TokenBucket(10.0, 1, clock=clock)
    let_in = 0
    for _ in range(1000):  # 10 s of 100 attempts a second
        clock.now += 0.01
        let_in += bucket.take("a") == 0.0
    assert 99 <= let_in <= 101


def test_keys_are_separate() -> None:
    bucket = TokenBucket(1.0, 1, clock=Clock())
    assert bucket.take("a") == 0.0
    assert bucket.take("a") > 0
    assert bucket.take("b") == 0.0


def test_zero_rate_is_off() -> None:
    bucket = TokenBucket(0.0, 1, clock=Clock())
    assert all(bucket.take("a") == 0.0 for _ in range(10_000))
    assert len(bucket) == 0


def test_memory_is_bounded_by_max_keys() -> None:
    clock = Clock()
    bucket = TokenBucket(1.0, 3, max_keys=100, clock=clock)
    for i in range(10_000):
        bucket.take(f"10.0.{i // 256}.{i % 256}")
    assert len(bucket) == 100


def test_idle_buckets_are_forgotten_once_full_again() -> None:
    clock = Clock()
    bucket = TokenBucket(10.0, 20, clock=clock)  # full again after 2 s
    for i in range(50):
        bucket.take(str(i))
    assert len(bucket) == 50
    clock.now += 2.01
    assert len(bucket) == 0


def test_a_busy_bucket_is_not_forgotten() -> None:
    """Its TTL restarts at every request: it cannot expire into a fresh full bucket."""
    clock = Clock()
    bucket = TokenBucket(1.0, 2, clock=clock)  # ttl 2 s
    bucket.take("a")
    bucket.take("a")
    for _ in range(10):  # refused every 0.9 s for 9 s: never more than one token back
        clock.now += 0.9
        bucket.take("a")
    assert bucket.take("a") > 0


def test_bad_parameters() -> None:
    with pytest.raises(ValueError, match="burst"):
        TokenBucket(1.0, 0)
    with pytest.raises(ValueError, match="per_s"):
        TokenBucket(-1.0, 1)


def limits(clock: Clock) -> RateLimits:
    return RateLimits(per_s=1.0, burst=2, anonymous_per_s=0.25, anonymous_burst=1, clock=clock)


def test_identity_limit_names_the_limit_and_setting() -> None:
    clock = Clock()
    rates = limits(clock)
    alice = Principal("alice")
    rates.admit(alice, "10.0.0.1")
    rates.admit(alice, "10.0.0.2")  # the user's bucket, whatever the address
    with pytest.raises(Overloaded) as info:
        rates.admit(alice, "10.0.0.3")
    err = info.value
    assert err.code is ErrorCode.OVERLOADED
    assert err.details["scope"] == "rate_identity"
    assert err.details["retry_after_s"] == 1
    assert retry_after_s(err) == 1
    assert "DLHUB_GATEWAY__RATE_LIMIT_PER_S" in str(err)
    assert "'alice'" in str(err)
    assert "10.0.0" not in str(err)
    rates.admit(Principal("bob"), "10.0.0.3")  # bob has his own
    clock.now += 1.0
    rates.admit(alice, "10.0.0.3")


def test_anonymous_limit_is_per_address() -> None:
    clock = Clock()
    rates = limits(clock)
    rates.admit(ANONYMOUS, "10.0.0.1")
    rates.admit(ANONYMOUS, "10.0.0.2")
    with pytest.raises(Overloaded) as info:
        rates.admit(ANONYMOUS, "10.0.0.1")
    err = info.value
    assert err.details["scope"] == "rate_address"
    assert err.details["retry_after_s"] == 4  # 1 token at 0.25/s, rounded up
    assert "DLHUB_GATEWAY__ANONYMOUS_RATE_LIMIT_PER_S" in str(err)
    assert "10.0.0.1" not in str(err)
    rates.admit(Principal("alice"), "10.0.0.1")  # a token is limited by user instead


def test_retry_after_is_at_least_one_second() -> None:
    clock = Clock()
    rates = RateLimits(per_s=1000.0, burst=1, anonymous_per_s=1.0, anonymous_burst=1, clock=clock)
    rates.admit(Principal("alice"), "x")
    with pytest.raises(Overloaded) as info:
        rates.admit(Principal("alice"), "x")
    assert info.value.details["retry_after_s"] == 1


@pytest.mark.parametrize(
    ("peer", "address"),
    [
        ("ipv4:127.0.0.1:50051", "127.0.0.1"),
        ("ipv6:[::1]:50051", "::1"),
        ("ipv6:[2001:db8::7]:1", "2001:db8::7"),
        ("unix:/run/dlhub.sock", "unix:/run/dlhub.sock"),
        ("", ""),
    ],
)
def test_peer_address_drops_the_port(peer: str, address: str) -> None:
    assert peer_address(peer) == address


def test_settings_refuse_a_burst_below_one() -> None:
    with pytest.raises(ValidationError, match="rate_burst"):
        Settings(gateway={"rate_burst": 0})
    with pytest.raises(ValidationError, match="anonymous_rate_limit_per_s"):
        Settings(gateway={"anonymous_rate_limit_per_s": -1})
    gw = Settings().gateway
    assert (gw.rate_limit_per_s, gw.rate_burst) == (1000.0, 2000)
    assert (gw.anonymous_rate_limit_per_s, gw.anonymous_rate_burst) == (100.0, 200)
