"""Running a benchmark's data set through a servable, and scoring the predictions.

Every batch of ``batch_size`` examples is one run through the task manager's
``submit``, as the caller: batching, the result cache, deadlines and
admission control apply as to any run. Up to ``IN_FLIGHT`` batches are in
flight at once, so the executor can batch them together.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from dlhub_common.benchmark_data import BenchmarkData
from dlhub_common.benchmark_spec import BenchmarkSpec, MetricServable
from dlhub_common.codec import array_to_tensor, tensor_to_array
from dlhub_common.errors import DeadlineExceeded, InvalidArgument, ServableError, error_from_code
from dlhub_common.identity import Principal
from dlhub_common.metrics import compute
from dlhub_common.names import Ref, parse_ref

if TYPE_CHECKING:
    from dlhub_taskmanager.core import TaskManager, TaskView

# Batches of one servable in flight at once.
IN_FLIGHT = 4


@dataclass(frozen=True)
class Target:
    """What to run: the servable version, its input names and the compared output."""

    ref: Ref
    input_names: dict[str, str]  # benchmark input name -> the servable's (tensor data)
    output: str  # compared output ("" : the whole JSON value of each example)


def _remaining(deadline: float, what: str) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise DeadlineExceeded(f"scoring ran out of time before {what}")
    return left


def _failed(view: TaskView, what: str) -> Exception | None:
    rec = view.record
    if rec["state"] == "SUCCEEDED":
        return None
    error = rec.get("error") or {}
    return error_from_code(
        error.get("code", "INTERNAL"),
        f"{what}: {error.get('message') or rec['state'].lower()}",
    )


async def _run_tensor_batch(
    tm: TaskManager,
    principal: Principal,
    target: Target,
    inputs: dict[str, np.ndarray],
    where: str,
    deadline: float,
) -> np.ndarray:
    tensors = [array_to_tensor(target.input_names[k], v) for k, v in inputs.items()]
    view = await tm.submit(
        principal,
        target.ref,
        tensors,
        wait=True,
        timeout_s=_remaining(deadline, where),
        outputs=[target.output],
    )
    error = _failed(view, f"{target.ref} failed on {where}")
    if error is not None:
        raise error
    for t in view.outputs:
        if t.name == target.output:
            return tensor_to_array(t)
    raise ServableError(f"{target.ref} returned no output {target.output!r} on {where}")


async def _run_json_batch(
    tm: TaskManager,
    principal: Principal,
    target: Target,
    inputs: list[Any],
    where: str,
    deadline: float,
) -> list[Any]:
    view = await tm.submit(
        principal,
        target.ref,
        [],
        wait=True,
        timeout_s=_remaining(deadline, where),
        inputs_json=json.dumps(inputs),
    )
    error = _failed(view, f"{target.ref} failed on {where}")
    if error is not None:
        raise error
    out = json.loads(view.output_json)
    if not isinstance(out, list) or len(out) != len(inputs):
        raise ServableError(
            f"{target.ref} returned {type(out).__name__} for {where}; a list of"
            f" {len(inputs)} predictions was expected"
        )
    if target.output:
        try:
            return [item[target.output] for item in out]
        except (KeyError, TypeError):
            raise ServableError(
                f"{target.ref}'s predictions on {where} lack the field {target.output!r}"
            ) from None
    return out


async def predictions(
    tm: TaskManager,
    principal: Principal,
    target: Target,
    data: BenchmarkData,
    batch_size: int,
    deadline: float,
) -> tuple[Any, int]:
    """The servable's predictions for every example, in order; and the batch count.

    Raises:
        DLHubError: the first failing batch's error, naming the examples.
    """
    gate = asyncio.Semaphore(IN_FLIGHT)
    batches = list(data.batches(batch_size))

    async def one(i: int, inputs: Any) -> Any:
        start = i * batch_size
        where = f"examples {start}..{start + len(batches[i][1]) - 1}"
        async with gate:
            if data.kind == "tensor":
                return await _run_tensor_batch(tm, principal, target, inputs, where, deadline)
            return await _run_json_batch(tm, principal, target, inputs, where, deadline)

    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(one(i, inputs)) for i, (inputs, _refs) in enumerate(batches)]
    parts = [t.result() for t in tasks]
    if data.kind == "tensor":
        return np.concatenate(parts, axis=0), len(parts)
    return [p for part in parts for p in part], len(parts)


def _plain(values: Any) -> Any:
    return values.tolist() if isinstance(values, np.ndarray) else list(values)


async def score_of(
    tm: TaskManager,
    principal: Principal,
    spec: BenchmarkSpec,
    references: Any,
    predicted: Any,
    servable: Ref,
    deadline: float,
) -> float:
    """The metric of the predictions: a built-in metric, or the metric servable run
    as the caller with ``{"references": [...], "predictions": [...]}``.

    Raises:
        InvalidArgument: predictions the metric cannot take (naming the servable).
        ServableError: a metric servable that does not return a finite number.
    """
    if isinstance(spec.metric, str):
        try:
            value = compute(spec.metric, references, predicted)
        except InvalidArgument as exc:
            raise InvalidArgument(
                f"{servable}'s predictions cannot be scored: {exc.message}", details=exc.details
            ) from None
    else:
        value = await _metric_servable(tm, principal, spec.metric, references, predicted, deadline)
    if not math.isfinite(value):
        raise ServableError(f"the score of {servable} is {value}, not a finite number")
    return value


async def _metric_servable(
    tm: TaskManager,
    principal: Principal,
    metric: MetricServable,
    references: Any,
    predicted: Any,
    deadline: float,
) -> float:
    ref = parse_ref(metric.servable)
    view = await tm.submit(
        principal,
        ref,
        [],
        wait=True,
        timeout_s=_remaining(deadline, f"the metric servable {ref}"),
        inputs_json=json.dumps(
            {"references": _plain(references), "predictions": _plain(predicted)}
        ),
    )
    error = _failed(view, f"the metric servable {metric.servable} failed")
    if error is not None:
        raise error
    value = json.loads(view.output_json)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ServableError(
            f"the metric servable {metric.servable} returned {type(value).__name__}, not a number"
        )
    return float(value)
