"""A round of work repeated every few seconds in a task of its own, until stopped."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable


class Periodic:
    """Run ``round`` every ``interval_s`` seconds after ``start`` until ``stop``.

    A failing round is reported to ``failed`` and the next one retries: the
    timer never dies of an error.

    Args:
        name: the task's name.
        interval_s: seconds between rounds.
        round: one round of work.
        failed: called with the error of a failed round (logs it).
    """

    def __init__(
        self,
        name: str,
        interval_s: float,
        round: Callable[[], Awaitable[object]],
        failed: Callable[[Exception], None],
    ) -> None:
        self.name = name
        self.interval_s = interval_s
        self._round = round
        self._failed = failed
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._every(), name=self.name)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _every(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            try:
                await self._round()
            except Exception as exc:
                self._failed(exc)
