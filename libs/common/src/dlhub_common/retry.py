"""The one retry policy of the code base (tenacity).

Every place that waits for a backend to come back retries the same way:
exponential backoff with full jitter starting at ``initial_s``, capped at
``max_delay_s``, each retry logged as a warning naming what is retried and
why, and, unless ``give_up_after_s`` is set, no limit on attempts (the
callers retry work that must not be lost: recording a result, publishing
one, assembling a service). A retry loop ends early when ``stop`` (an
:class:`asyncio.Event`) is set.

Use it as::

    async for attempt in retrying("publish result", retry_on=is_retryable):
        with attempt:
            await bus.publish(...)

or, on a hot path where the first attempt almost always succeeds,
``await call_retrying("publish result", lambda: bus.publish(...))``: the
first attempt runs without tenacity's machinery, which enters only after a
retryable failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_delay,
    stop_never,
    wait_random_exponential,
)
from tenacity.stop import stop_base

from dlhub_common.errors import DLHubError

log = logging.getLogger("dlhub.retry")
T = TypeVar("T")


def is_retryable(exc: BaseException) -> bool:
    """A DLHubError whose code the error table marks retryable (UNAVAILABLE, ...)."""
    return isinstance(exc, DLHubError) and exc.retryable


def any_error(exc: BaseException) -> bool:
    """Every Exception (never cancellation or KeyboardInterrupt)."""
    return isinstance(exc, Exception)


class _StopWhenSet(stop_base):
    def __init__(self, event: asyncio.Event) -> None:
        self.event = event

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self.event.is_set()


def retrying(
    what: str,
    *,
    retry_on: Callable[[BaseException], bool] = is_retryable,
    initial_s: float = 0.2,
    max_delay_s: float = 10.0,
    give_up_after_s: float | None = None,
    stop: asyncio.Event | None = None,
) -> AsyncRetrying:
    """An async retry loop (see the module docstring).

    Args:
        what: what is retried, for the log ("record result of <id>").
        retry_on: which exceptions are retried; any other is raised at once.
        initial_s: the first backoff (then doubling, with jitter).
        max_delay_s: the longest wait between two attempts.
        give_up_after_s: raise the last error after this long; None: never.
        stop: an event that ends the loop (the last error is raised).

    Returns:
        A tenacity ``AsyncRetrying``; the last error is re-raised as is.
    """
    stops: stop_base = stop_never if give_up_after_s is None else stop_after_delay(give_up_after_s)
    if stop is not None:
        stops = stops | _StopWhenSet(stop)

    def _log(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome is not None else None
        reason = exc.message if isinstance(exc, DLHubError) else repr(exc)
        wait = state.next_action.sleep if state.next_action is not None else 0.0
        log.warning(
            "%s failed (%s); retrying in %.1fs (retry %d)", what, reason, wait, state.attempt_number
        )

    async def _sleep(seconds: float) -> None:
        if stop is None:
            await asyncio.sleep(seconds)
            return
        # wake early when asked to stop; the caller then sees the stop set
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)

    return AsyncRetrying(
        retry=retry_if_exception(retry_on),
        wait=wait_random_exponential(multiplier=initial_s, max=max_delay_s),
        stop=stops,
        before_sleep=_log,
        sleep=_sleep,
        reraise=True,
    )


async def call_retrying(
    what: str,
    fn: Callable[[], Awaitable[T]],
    *,
    retry_on: Callable[[BaseException], bool] = is_retryable,
    **options: Any,
) -> T:
    """``await fn()`` under :func:`retrying` (same policy, same ``options``).

    The first attempt is a plain call; only when it fails with an error that
    ``retry_on`` accepts does the retry loop start (logging the failure).
    """
    try:
        return await fn()
    except Exception as exc:
        if not retry_on(exc):
            raise
        reason = exc.message if isinstance(exc, DLHubError) else repr(exc)
        log.warning("%s failed (%s); retrying", what, reason)
    async for attempt in retrying(what, retry_on=retry_on, **options):
        with attempt:
            return await fn()
    raise AssertionError("unreachable: retrying either returns or raises")
