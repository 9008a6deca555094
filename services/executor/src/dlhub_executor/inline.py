"""Model calls on the event loop, bounded so that a slow call cannot hold it.

A model whose calls take microseconds of CPU runs on the event loop: the hop
to a worker thread would cost more than the model. But a model fast on one
input can be slow on another (a loop whose trip count is an input, a
variable-length sequence), and while a call runs on the loop nothing else
does: in embedded mode that is the whole mesh, cancels and health checks
included. So only runners that can stop a call (``LoadedModel.stoppable``:
ONNX Runtime, through its ``RunOptions.terminate``) run inline, and an inline
call runs under a budget of :data:`INLINE_BUDGET_NS` (or the task's own
deadline when that is sooner). A call stopped by the budget, not by its
deadline, runs again in a thread, and the model stays off the loop until a
call of it is fast again.
"""

from __future__ import annotations

import time

from dlhub_executor.runners.base import LoadedModel

# Calls shorter than this (CPU time, the last time) stay on the event loop.
INLINE_BELOW_NS = 200_000
# The longest an inline call may hold the event loop before it is stopped and
# run again in a thread.
INLINE_BUDGET_NS = 20_000_000


def may_inline(model: LoadedModel, cpu_ns: int) -> bool:
    """Whether the next call of ``model`` may run on the event loop."""
    return model.stoppable and cpu_ns < INLINE_BELOW_NS


def inline_deadline(task_deadline_ns: int) -> int:
    """The deadline of an inline call: the budget, or the task's deadline if sooner."""
    budget = time.time_ns() + INLINE_BUDGET_NS
    return min(task_deadline_ns, budget) if task_deadline_ns else budget


def stopped_by_budget(task_deadline_ns: int) -> bool:
    """After an inline call was stopped: the budget stopped it (the task's own
    deadline has not passed), so it runs again in a thread."""
    return not task_deadline_ns or time.time_ns() < task_deadline_ns
