"""Bidirectional run streams: what OIP ModelStreamInfer and dlhub.v1 RunStream share.

Requests are read from the stream and each one is run through the normal run
path in a task of its own, so a stream's in-flight requests reach the
executor together and batch there. Responses are written as they finish
(completion order), each carrying its request id; a request that fails is one
error response and the stream goes on.

Flow control: at most ``max_in_flight`` requests of a stream are running or
waiting to be written. A slot is freed when its response has been written, so
reading the stream pauses when the limit is reached, and a client that stops
reading holds at most that many responses (plus what gRPC's flow-control
window holds). A write that waits longer than ``write_timeout_s`` (the client
reads nothing) drops that stream with RESOURCE_EXHAUSTED; other streams go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from dlhub_common.errors import DLHubError, InternalError, ResourceExhausted
from dlhub_common.telemetry import STREAM_REQUESTS, STREAMS_ENDED, STREAMS_OPEN

log = logging.getLogger("dlhub.gateway.streams")

Req = TypeVar("Req")
Resp = TypeVar("Resp")


@dataclass(frozen=True)
class StreamLimits:
    """Per-stream flow control (settings ``gateway.stream_*``)."""

    max_in_flight: int = 64
    write_timeout_s: float = 30.0


@dataclass
class StreamStats:
    """One stream's counts; sent as trailing metadata when it ends normally."""

    api: str
    stream_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    requests: int = 0
    errors: int = 0
    in_flight: int = 0

    def trailers(self) -> tuple[tuple[str, str], ...]:
        return (
            ("dlhub-stream-id", self.stream_id),
            ("dlhub-stream-requests", str(self.requests)),
            ("dlhub-stream-errors", str(self.errors)),
        )


@dataclass(frozen=True)
class StreamHandlers(Generic[Req, Resp]):
    """How one API runs a request and words a failure.

    ``run`` returns (response, failed): a run that produced a task which then
    failed is answered by ``run`` itself with failed=True. ``fail`` words a
    request that raised (refused before it ran).
    """

    run: Callable[[Req], Awaitable[tuple[Resp, bool]]]
    fail: Callable[[Req, DLHubError], Resp]


_END = object()


class StreamRunner:
    """Serves run streams under one set of limits.

    Args:
        limits: the per-stream bounds.
        admit: called with the call's context before each request runs (the
            gateway's rate limits); raises DLHubError to refuse that request.
    """

    def __init__(self, limits: StreamLimits, admit: Callable[[Any], None] | None = None) -> None:
        self.limits = limits
        self.admit = admit

    async def serve(
        self,
        api: str,
        requests: AsyncIterator[Req],
        handlers: StreamHandlers[Req, Resp],
        context: Any,
    ) -> StreamStats:
        """Run one stream to its end; returns its counts.

        Raises:
            ResourceExhausted: the client read nothing for ``write_timeout_s``.
        """
        stats = StreamStats(api)
        slots = asyncio.Semaphore(self.limits.max_in_flight)
        done: asyncio.Queue[Any] = asyncio.Queue()  # bounded by the slots
        running: set[asyncio.Task[None]] = set()

        async def one(request: Req) -> None:
            try:
                if self.admit is not None:
                    self.admit(context)
                response, failed = await handlers.run(request)
            except DLHubError as exc:
                response, failed = handlers.fail(request, exc), True
            except Exception:
                log.exception("%s stream %s: a request failed", api, stats.stream_id)
                err = InternalError("internal error; see the service log")
                response, failed = handlers.fail(request, err), True
            if failed:
                stats.errors += 1
            STREAM_REQUESTS.labels(api, "error" if failed else "ok").inc()
            done.put_nowait(response)

        async def read() -> None:
            try:
                async for request in requests:
                    await slots.acquire()  # reading pauses while the stream is full
                    stats.requests += 1
                    stats.in_flight += 1
                    task = asyncio.create_task(one(request))
                    running.add(task)
                    task.add_done_callback(running.discard)
            except BaseException as exc:  # the client went away mid-stream
                done.put_nowait((_END, exc))
                raise
            done.put_nowait((_END, None))

        STREAMS_OPEN.labels(api).inc()
        reader = asyncio.create_task(read(), name=f"{api}-stream-read")
        how = "broken"
        written = 0
        reading = True
        try:
            while reading or written < stats.requests:
                item = await done.get()
                if isinstance(item, tuple) and len(item) == 2 and item[0] is _END:
                    reading = False
                    if item[1] is not None:
                        raise item[1]
                    continue
                await self._write(context, item, stats)
                written += 1
                stats.in_flight -= 1
                slots.release()
            how = "closed"
            context.set_trailing_metadata(stats.trailers())
            return stats
        except ResourceExhausted:
            how = "dropped_slow_reader"
            raise
        finally:
            reader.cancel()
            for task in list(running):
                task.cancel()
            with contextlib.suppress(BaseException):
                await asyncio.gather(reader, *running, return_exceptions=True)
            STREAMS_OPEN.labels(api).dec()
            STREAMS_ENDED.labels(api, how).inc()
            log.info(
                "%s stream %s %s: %d requests, %d errors, %d written",
                api,
                stats.stream_id,
                how,
                stats.requests,
                stats.errors,
                written,
            )

    async def _write(self, context: Any, response: Any, stats: StreamStats) -> None:
        started = time.monotonic()
        try:
            await asyncio.wait_for(context.write(response), self.limits.write_timeout_s)
        except TimeoutError:
            raise ResourceExhausted(
                f"stream dropped: the client read no response for"
                f" {time.monotonic() - started:.0f} s with {stats.in_flight} responses waiting"
                f" (gateway.stream_write_timeout_s = {self.limits.write_timeout_s:g});"
                " read responses as they come",
                details={
                    "stream_id": stats.stream_id,
                    "requests": stats.requests,
                    "in_flight": stats.in_flight,
                    "setting": "gateway.stream_write_timeout_s",
                },
            ) from None
