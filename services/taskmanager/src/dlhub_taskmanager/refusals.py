"""Refused runs in ``dlhub_runs_total`` (run_metrics.py): every refusal of
TaskManager.submit is counted once, under its servable when the name resolves
for the caller, else as ``unknown``.

(The durable usage statistics count refusals apart, and fewer of them: only
those refused in validation; see TaskManager._submit and usage/.)
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Concatenate, ParamSpec

from dlhub_common.errors import DLHubError, ErrorCode
from dlhub_common.identity import Principal
from dlhub_common.names import Ref
from dlhub_common.observability.run_metrics import count_run, refusal_outcome

if TYPE_CHECKING:
    from dlhub_taskmanager.core import TaskManager, TaskView

P = ParamSpec("P")


def counting_refusals(
    submit: Callable[Concatenate[TaskManager, Principal, Ref, P], Awaitable[TaskView]],
) -> Callable[Concatenate[TaskManager, Principal, Ref, P], Awaitable[TaskView]]:
    """Count every run ``submit`` refuses in ``dlhub_runs_total`` (run_metrics.py):
    under its servable when the name resolves for the caller, else as ``unknown``."""

    @functools.wraps(submit)
    async def counted(
        self: TaskManager, principal: Principal, ref: Ref, *args: P.args, **kwargs: P.kwargs
    ) -> TaskView:
        try:
            return await submit(self, principal, ref, *args, **kwargs)
        except DLHubError as exc:
            resolved: Ref | None = None
            if exc.code is not ErrorCode.NOT_FOUND:  # it resolved: from the cache, no store read
                with contextlib.suppress(DLHubError):
                    resolved = (await self.resolve(ref)).ref
            count_run(resolved, refusal_outcome(exc))
            raise

    return counted
