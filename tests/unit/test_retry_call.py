"""call_retrying: a plain first attempt, the shared retry policy after a retryable failure."""

from __future__ import annotations

import logging

import pytest

from dlhub_common.errors import InvalidArgument, Unavailable
from dlhub_common.retry import call_retrying


async def test_first_success_is_a_plain_call(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[int] = []

    async def ok() -> str:
        calls.append(1)
        return "done"

    with caplog.at_level(logging.WARNING, logger="dlhub.retry"):
        assert await call_retrying("thing", ok) == "done"
    assert calls == [1]
    assert not caplog.records


async def test_retryable_failures_are_retried_until_success(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[int] = []

    async def flaky() -> int:
        calls.append(1)
        if len(calls) < 3:
            raise Unavailable("backend away")
        return len(calls)

    with caplog.at_level(logging.WARNING, logger="dlhub.retry"):
        assert await call_retrying("thing", flaky, initial_s=0.001, max_delay_s=0.01) == 3
    assert "thing failed (backend away)" in caplog.text


async def test_other_errors_are_raised_at_once() -> None:
    calls: list[int] = []

    async def bad() -> None:
        calls.append(1)
        raise InvalidArgument("no")

    with pytest.raises(InvalidArgument):
        await call_retrying("thing", bad)
    assert calls == [1]
