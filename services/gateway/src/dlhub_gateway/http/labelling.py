"""HTTP views of the original markup API: labelled results (``?labelled=true`` on a
run) and the original layout of ``describe`` (``?layout=original``)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from dlhub_common._proto.dlhub.v1 import registry_pb2, tasks_pb2
from dlhub_common.codec import tensor_to_array
from dlhub_common.errors import InvalidArgument
from dlhub_common.labels import labelled
from dlhub_common.original_layout import original_layout
from dlhub_common.records import summary_from_pb
from dlhub_gateway.http.context import get_servable

LAYOUTS = ("dlhub", "original")


def check_layout(layout: str) -> None:
    if layout not in LAYOUTS:
        raise InvalidArgument(f"layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")


def in_original_layout(resp: registry_pb2.GetServableResponse) -> dict[str, Any]:
    return original_layout(
        summary_from_pb(resp.servable.summary), json.loads(resp.servable.metadata_json)
    )


async def labels_of(
    request: Request, owner: str, name: str, task: tasks_pb2.Task
) -> list[dict[str, float]] | None:
    """``{class: probability}`` per row of a finished run (None while it runs)."""
    if task.state != tasks_pb2.TASK_STATE_SUCCEEDED:
        return None
    resp = await get_servable(request, owner, name, str(task.servable.version or ""))
    classes = (json.loads(resp.servable.metadata_json).get("servable") or {}).get("classes")
    return labelled(classes or [], {t.name: tensor_to_array(t) for t in task.outputs})
