"""A pipeline task's ``steps``: each step's state as the task record keeps it.

Every step of a pipeline task has an entry in its record (``record["steps"]``)
from acceptance on: QUEUED until its inputs are ready, RUNNING with its own
task id while it runs through ``submit``, then its own task's final state,
timings, error and (up to :data:`STEP_OUTPUT_INLINE` bytes) outputs.
"""

from __future__ import annotations

import base64
from typing import Any

from dlhub_common._proto.dlhub.v1 import bus_pb2, tasks_pb2, types_pb2
from dlhub_common.names import Ref, parse_ref
from dlhub_common.pipeline_spec import PipelineSpec

# A finished step's outputs are kept in the pipeline's record up to this size
# (base64 in the document); a larger output is left out and its size noted.
STEP_OUTPUT_INLINE = 256 * 1024
_STATES = {
    "QUEUED": tasks_pb2.TASK_STATE_QUEUED,
    "RUNNING": tasks_pb2.TASK_STATE_RUNNING,
    "SUCCEEDED": tasks_pb2.TASK_STATE_SUCCEEDED,
    "FAILED": tasks_pb2.TASK_STATE_FAILED,
    "CANCELLED": tasks_pb2.TASK_STATE_CANCELLED,
}


def step_ref(text: str) -> Ref:
    return parse_ref(text)


def initial(spec: PipelineSpec) -> list[dict[str, Any]]:
    out = []
    for s in spec.steps:
        ref = step_ref(s.servable)
        out.append(
            {
                "name": s.name,
                "servable": {"owner": ref.owner, "name": ref.name, "version": ref.version},
                "state": "QUEUED",
            }
        )
    return out


def keep_output(entry: dict[str, Any], outputs: list[types_pb2.Tensor], output_json: str) -> None:
    """Put a finished step's outputs into its entry (inline, when small enough)."""
    raw = bus_pb2.WorkResult(ok=True, outputs=outputs, output_json=output_json).SerializeToString()
    if len(raw) <= STEP_OUTPUT_INLINE:
        entry["output_b64"] = base64.b64encode(raw).decode()
    else:
        entry["output_bytes_not_kept"] = len(raw)


def running_names(steps: list[dict[str, Any]]) -> list[str]:
    return [s["name"] for s in steps if s.get("state") == "RUNNING"]


def steps_pb(record: dict[str, Any]) -> list[tasks_pb2.PipelineStep]:
    """The record's steps as ``Task.steps``."""
    out = []
    for s in record.get("steps") or []:
        step = tasks_pb2.PipelineStep(
            name=s["name"],
            servable=types_pb2.ServableRef(**s["servable"]),
            state=_STATES.get(s.get("state", ""), tasks_pb2.TASK_STATE_UNSPECIFIED),
            task_id=s.get("task_id", ""),
            started_at=s.get("started_at", ""),
            completed_at=s.get("completed_at", ""),
            output_bytes_not_kept=int(s.get("output_bytes_not_kept", 0)),
        )
        if "timings" in s:
            step.timings.CopyFrom(tasks_pb2.TaskTimings(**s["timings"]))
        if "error" in s:
            step.error.CopyFrom(types_pb2.ErrorInfo(**s["error"]))
        if "output_b64" in s:
            kept = bus_pb2.WorkResult.FromString(base64.b64decode(s["output_b64"]))
            step.outputs.extend(kept.outputs)
            step.output_json = kept.output_json
        out.append(step)
    return out
