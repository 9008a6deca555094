"""The span tree of a run in the in-process mesh (docs/observability.md, "Traces").

One run is one trace: the gateway's RPC span, the task manager's ``run`` and
``dispatch``, the executor's ``execute`` with ``queue_wait``, ``batch`` →
``compute`` and ``publish_result``, and the task manager's ``record_result``
and ``wake_caller``, each under the right parent. Concurrent runs batched
together give one ``batch`` span linked to every request's span; a pipeline's
steps are child spans of its run. (``batch_mesh``: conftest.py.)
"""

from __future__ import annotations

import asyncio
import secrets

import numpy as np
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from deploy.local.otlp_receiver import SpanRow
from deploy.local.trace_tree import render, rows_from_sdk
from dlhub_common._proto.dlhub.v1 import tasks_pb2, types_pb2
from dlhub_common.codec import array_to_tensor
from tests.integration._pipelines import SEQ, Linear, publish_pipeline

from .conftest import RPC_TIMEOUT_S, Mesh

pytestmark = pytest.mark.timeout(60)

RPC = "/dlhub.v1.DLHubService/RunServable"
CALLER_SPAN = "00f067aa0ba902b7"  # the caller's own span, the gateway span's parent
X = np.arange(8, dtype=np.float32).reshape(2, 4) / 7


async def run_traced(mesh: Mesh, name: str, x: np.ndarray, trace_id: str) -> tasks_pb2.Task:
    response = await mesh.stub.RunServable(
        tasks_pb2.RunServableRequest(
            servable=types_pb2.ServableRef(owner="alice", name=name),
            inputs=[array_to_tensor("X", x)],
            wait=True,
            timeout_s=RPC_TIMEOUT_S,
        ),
        metadata=(*mesh.md(), ("traceparent", f"00-{trace_id}-{CALLER_SPAN}-01")),
        timeout=RPC_TIMEOUT_S + 5,
    )
    task: tasks_pb2.Task = response.task
    assert task.state == tasks_pb2.TASK_STATE_SUCCEEDED, task.error.message
    return task


async def trace_of(
    spans: InMemorySpanExporter, trace_id: str, until: dict[str, int]
) -> list[SpanRow]:
    """The finished spans of ``trace_id`` once it has ``until[name]`` spans of each name
    (the result is recorded, and its spans end, just after the caller is answered)."""
    async with asyncio.timeout(10):
        while True:
            rows = [r for r in rows_from_sdk(spans.get_finished_spans()) if r.trace_id == trace_id]
            names = [r.name for r in rows]
            if all(names.count(n) >= k for n, k in until.items()):
                return rows
            await asyncio.sleep(0.01)


def one(rows: list[SpanRow], name: str) -> SpanRow:
    found = [r for r in rows if r.name == name]
    assert len(found) == 1, f"{len(found)} {name!r} spans; tree:\n{render(rows, rows[0].trace_id)}"
    return found[0]


async def test_one_run_is_one_trace_with_every_stage_under_its_parent(
    batch_mesh: Mesh, spans: InMemorySpanExporter
) -> None:
    trace_id = secrets.token_hex(16)
    task = await run_traced(batch_mesh, "tiny", X, trace_id)
    rows = await trace_of(spans, trace_id, {"record_result": 1, "wake_caller": 1, RPC: 1})
    tree = render(rows, trace_id)
    parent = {r.name: r.parent_id for r in rows}
    by = {r.name: r for r in rows}
    expected = {  # span -> its parent
        RPC: CALLER_SPAN,
        "run": RPC,
        "dispatch": "run",
        "execute": "dispatch",
        "queue_wait": "execute",
        "batch": "execute",
        "compute": "batch",
        "publish_result": "execute",
        "record_result": "publish_result",
        "wake_caller": "publish_result",
    }
    for name, up in expected.items():
        assert name in by, f"no {name!r} span:\n{tree}"
        want = up if up == CALLER_SPAN else by[up].span_id
        assert parent[name] == want, f"{name!r} is not under {up!r}:\n{tree}"
    assert len(rows) == len(expected), tree
    run = by["run"]
    assert run.attributes == {
        "dlhub.servable": "alice/tiny",
        "dlhub.version": 1,
        "dlhub.task_id": task.task_id,
    }
    for name in ("execute", "dispatch", "record_result", "wake_caller"):
        assert by[name].attributes["dlhub.task_id"] == task.task_id, name
    assert by["execute"].attributes["dlhub.servable"] == "alice/tiny"
    assert by["batch"].attributes["dlhub.batch_size"] == 1
    assert by["batch"].links == [by["execute"].span_id]
    # the stages nest in time too: the run covers the executor's work
    assert run.start_ns <= by["execute"].start_ns <= by["compute"].start_ns
    assert by["compute"].end_ns <= by["publish_result"].start_ns <= run.end_ns
    assert by["queue_wait"].end_ns <= by["compute"].start_ns


async def test_a_batch_span_links_every_request_it_ran(
    batch_mesh: Mesh, spans: InMemorySpanExporter
) -> None:
    trace_ids = [secrets.token_hex(16) for _ in range(4)]
    rng = np.random.default_rng(0)
    tasks = await asyncio.gather(
        *(
            run_traced(batch_mesh, "tiny", rng.standard_normal((n, 4)).astype(np.float32), t)
            for n, t in zip([1, 2, 3, 1], trace_ids, strict=True)
        )
    )
    traces = [await trace_of(spans, t, {"record_result": 1}) for t in trace_ids]
    executes = {one(rows, "execute").span_id: one(rows, "execute") for rows in traces}
    assert {e.attributes["dlhub.task_id"] for e in executes.values()} == {t.task_id for t in tasks}
    batches = [r for rows in traces for r in rows if r.name == "batch"]
    linked: list[str] = []
    for batch in batches:
        size = batch.attributes["dlhub.batch_size"]
        assert len(batch.links) == size, batch
        assert batch.parent_id in batch.links  # a child of its first request's span
        for span_id in batch.links:
            assert executes[span_id].attributes["dlhub.batch_size"] == size
        linked += batch.links
    assert sorted(linked) == sorted(executes)  # every request is in exactly one batch
    assert max(b.attributes["dlhub.batch_size"] for b in batches) > 1, batches


async def test_pipeline_steps_are_child_spans_of_the_run(
    batch_mesh: Mesh, spans: InMemorySpanExporter
) -> None:
    await Linear(4, 3, seed=1, x="X", y="Y").publish(batch_mesh, "lin-a")
    await Linear(3, 2, seed=2, x="H", y="Z").publish(batch_mesh, "lin-b")
    await publish_pipeline(batch_mesh, "seq", SEQ)
    trace_id = secrets.token_hex(16)
    task = await run_traced(batch_mesh, "seq", X, trace_id)
    rows = await trace_of(spans, trace_id, {"record_result": 2, "pipeline": 1})
    tree = render(rows, trace_id)
    ids = {r.span_id: r for r in rows}
    rpc = one(rows, RPC)
    [outer] = [r for r in rows if r.name == "run" and r.parent_id == rpc.span_id]
    assert outer.attributes["dlhub.servable"] == "alice/seq"
    pipeline = one(rows, "pipeline")
    assert pipeline.parent_id == outer.span_id, tree
    assert pipeline.attributes["dlhub.task_id"] == task.task_id
    steps = [r for r in rows if r.name == "pipeline_step"]
    assert sorted(s.attributes["dlhub.step"] for s in steps) == ["a", "b"], tree
    for step in steps:
        assert step.parent_id == pipeline.span_id, tree
        [inner] = [r for r in rows if r.name == "run" and r.parent_id == step.span_id]
        servable = {"a": "alice/lin-a", "b": "alice/lin-b"}[step.attributes["dlhub.step"]]
        assert inner.attributes["dlhub.servable"] == servable
        [dispatch] = [r for r in rows if r.name == "dispatch" and r.parent_id == inner.span_id]
        executes = [r for r in rows if r.name == "execute" and r.parent_id == dispatch.span_id]
        assert len(executes) == 1, tree
    # b ran after a: the steps' spans say so
    a, b = sorted(steps, key=lambda s: s.attributes["dlhub.step"])
    assert a.end_ns <= b.start_ns, tree
    assert all(r.parent_id in ids for r in rows if r is not rpc), tree
