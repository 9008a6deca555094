"""One trace per run: the caller's trace context reaches every hop.

A caller sends a W3C ``traceparent``; the gateway's RPC span, the task
manager's dispatch, the executor's run (across the bus) and the recording of
the result must all belong to that trace.
"""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from dlhub_common._proto.dlhub.v1 import tasks_pb2, types_pb2
from dlhub_common.codec import array_to_tensor

from .conftest import RPC_TIMEOUT_S, Mesh

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


async def test_run_is_one_trace_across_the_bus(mesh: Mesh, spans: InMemorySpanExporter) -> None:
    model = mesh.model
    await mesh.publish(model.metadata("traced"), {"model.onnx": model.data})
    spans.clear()
    x = np.arange(8, dtype=np.float32).reshape(2, 4)
    response = await mesh.stub.RunServable(
        tasks_pb2.RunServableRequest(
            servable=types_pb2.ServableRef(owner="alice", name="traced"),
            inputs=[array_to_tensor("X", x)],
            wait=True,
            timeout_s=RPC_TIMEOUT_S,
        ),
        metadata=(*mesh.md(), ("traceparent", TRACEPARENT)),
        timeout=RPC_TIMEOUT_S + 5,
    )
    assert response.task.state == tasks_pb2.TASK_STATE_SUCCEEDED
    # the caller is answered as the result arrives; its recording ends with the
    # record's write, in the next batch (recording.py): a few ms later
    by_name: dict[str, list[Any]] = {}
    async with asyncio.timeout(10):
        while "record_result" not in by_name:
            await asyncio.sleep(0.01)
            by_name = {}
            for span in spans.get_finished_spans():
                by_name.setdefault(span.name, []).append(span)
    for name in ("/dlhub.v1.DLHubService/RunServable", "dispatch", "execute", "record_result"):
        assert name in by_name, f"no {name!r} span; got {sorted(by_name)}"
        trace_ids = {format(s.context.trace_id, "032x") for s in by_name[name]}
        assert trace_ids == {TRACE_ID}, name
    execute = by_name["execute"][0]
    assert execute.attributes["dlhub.task_id"] == response.task.task_id
    assert execute.attributes["dlhub.servable"] == "alice/traced"
