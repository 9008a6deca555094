"""The gateway's stream runner on its own: in-flight bound, lazy reading, errors, slow writers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from dlhub_common.errors import DLHubError, NotFound, ResourceExhausted
from dlhub_gateway.streams import StreamHandlers, StreamLimits, StreamRunner

pytestmark = pytest.mark.timeout(30)


class Context:
    """What the runner uses of a grpc.aio servicer context."""

    def __init__(self, stall_after: int | None = None) -> None:
        self.written: list[Any] = []
        self.trailers: tuple[tuple[str, str], ...] = ()
        self.stall_after = stall_after

    async def write(self, message: Any) -> None:
        if self.stall_after is not None and len(self.written) >= self.stall_after:
            await asyncio.Event().wait()  # a client that reads no more
        self.written.append(message)

    def set_trailing_metadata(self, trailers: tuple[tuple[str, str], ...]) -> None:
        self.trailers = trailers


class Counting:
    """Requests 0..n-1, remembering how many were taken and how many ran at once."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.taken = 0
        self.running = 0
        self.most_running = 0

    async def requests(self) -> AsyncIterator[int]:
        for i in range(self.n):
            self.taken += 1
            yield i

    async def run(self, i: int) -> tuple[str, bool]:
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        try:
            await asyncio.sleep(0.002 * (i % 5))  # finish out of order
            if i % 7 == 3:
                raise NotFound(f"item {i} not found")
            return f"ok-{i}", False
        finally:
            self.running -= 1


def fail(i: int, error: DLHubError) -> str:
    return f"error-{i}: {error.message}"


async def test_at_most_max_in_flight_run_and_every_request_is_answered_once() -> None:
    source = Counting(60)
    context = Context()
    runner = StreamRunner(StreamLimits(max_in_flight=5, write_timeout_s=5))
    stats = await runner.serve("test", source.requests(), StreamHandlers(source.run, fail), context)
    assert source.most_running == 5
    assert len(context.written) == 60
    expected = {f"ok-{i}" for i in range(60) if i % 7 != 3}
    expected |= {f"error-{i}: item {i} not found" for i in range(60) if i % 7 == 3}
    assert set(context.written) == expected
    indices = [int(text.split("-")[1].split(":")[0]) for text in context.written]
    assert indices != sorted(indices)  # completion order, not input order
    assert (stats.requests, stats.errors) == (60, len([i for i in range(60) if i % 7 == 3]))
    assert dict(context.trailers)["dlhub-stream-errors"] == str(stats.errors)


async def test_a_stalled_writer_stops_reading_and_drops_the_stream() -> None:
    source = Counting(1000)
    context = Context(stall_after=3)
    runner = StreamRunner(StreamLimits(max_in_flight=4, write_timeout_s=0.3))
    with pytest.raises(ResourceExhausted, match="stream dropped") as info:
        await runner.serve("test", source.requests(), StreamHandlers(source.run, fail), context)
    # 3 written, then at most 4 held: reading paused long before the end
    assert len(context.written) == 3
    assert source.taken <= 3 + 4 + 1
    assert info.value.details["in_flight"] <= 4
    assert source.running == 0  # what was still running was cancelled


async def test_an_unexpected_error_is_an_internal_error_response() -> None:
    async def run(i: int) -> tuple[str, bool]:
        raise RuntimeError("secret detail")

    async def one() -> AsyncIterator[int]:
        yield 1

    context = Context()
    runner = StreamRunner(StreamLimits())
    stats = await runner.serve("test", one(), StreamHandlers(run, fail), context)
    assert context.written == ["error-1: internal error; see the service log"]
    assert stats.errors == 1
