"""Prometheus families of a live in-process mesh after a known mix of runs, and JSON logs.

In the embedded mesh every service shares one process and one registry of
families: its ``/metrics`` (``metrics.port``, here a MetricsServer on a free
port) and the gateway's HTTP ``/metrics`` serve the same text. The registry
outlives one test, so the servables have names of this test only and
process-wide counters are compared before and after.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import uuid
from pathlib import Path
from typing import Any

import grpc
import httpx
import numpy as np
import pytest
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client.parser import text_string_to_metric_families

from dlhub_common._proto.dlhub.v1 import tasks_pb2, types_pb2
from dlhub_common.codec import array_to_tensor
from dlhub_common.observability.logs import configure_logging
from dlhub_common.observability.server import MetricsServer
from tests.integration._control import cancel
from tests.integration.conftest import Mesh, TinyModel
from tests.slow_onnx import loop_metadata, loop_onnx

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]

# every family the mesh's services define, by the name the text format gives it
FAMILIES = {
    "dlhub_runs": "counter",
    "dlhub_tasks": "counter",
    "dlhub_run_queue_seconds": "histogram",
    "dlhub_run_staging_seconds": "histogram",
    "dlhub_run_compute_seconds": "histogram",
    "dlhub_run_total_seconds": "histogram",
    "dlhub_result_cache": "counter",
    "dlhub_tasks_in_flight": "gauge",
    "dlhub_executor_replicas": "gauge",
    "dlhub_batch_size": "histogram",
    "dlhub_batch_wait_seconds": "histogram",
    "dlhub_task_compute_seconds": "histogram",
    "dlhub_model_loads": "counter",
    "dlhub_model_unloads": "counter",
    "dlhub_bus_consumer_lag": "gauge",
    "dlhub_servables_published": "counter",
    "dlhub_rpc_seconds": "histogram",
    "dlhub_http_requests": "counter",
}


DASHBOARD = Path(__file__).parents[2] / "deploy" / "grafana" / "dashboards" / "dlhub.json"


def dashboard_queries() -> list[str]:
    """Every PromQL expression of the provisioned dashboard (panels and variables)."""
    board = json.loads(DASHBOARD.read_text())
    exprs = [t["expr"] for p in board["panels"] for t in p["targets"]]
    exprs += [v["definition"] for v in board["templating"]["list"]]
    assert len(exprs) > 10
    return exprs


def scrape(text: str) -> tuple[dict[str, Any], Samples]:
    families = {f.name: f for f in text_string_to_metric_families(text)}
    samples: Samples = {}
    for family in families.values():
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return families, samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def run(mesh: Mesh, name: str, inputs: dict[str, Any], **kw: Any) -> tasks_pb2.Task:
    response = await mesh.stub.RunServable(
        tasks_pb2.RunServableRequest(
            servable=types_pb2.ServableRef(owner="alice", name=name),
            inputs=[array_to_tensor(k, v) for k, v in inputs.items()],
            **{"wait": True, "timeout_s": 20.0, **kw},
        ),
        metadata=mesh.md(),
        timeout=30,
    )
    task: tasks_pb2.Task = response.task
    return task


async def test_every_family_counts_a_known_mix_per_servable(mesh: Mesh, tiny: TinyModel) -> None:
    log_lines = io.StringIO()
    handler = configure_logging("DEBUG", "json", log_lines)
    assert handler is not None
    server = MetricsServer("127.0.0.1", 0)
    server.start()
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            before = scrape((await http.get(f"http://127.0.0.1:{server.port}/metrics")).text)[1]
            run_id = uuid.uuid4().hex[:8]
            marker_ids = await _known_mix(mesh, tiny, run_id)
            text = (await http.get(f"http://127.0.0.1:{server.port}/metrics")).text
            gateway_text = (await mesh.http.get("/metrics")).text
    finally:
        server.stop()
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(logging.WARNING)
    families, after = scrape(text)
    for name, kind in FAMILIES.items():
        assert name in families, f"{name} missing from /metrics"
        assert families[name].type == kind, name
        assert families[name].documentation, f"{name} has no help text"
    # one process: the gateway's HTTP /metrics serves the same families
    assert set(FAMILIES) <= set(scrape(gateway_text)[0])

    tiny_l = {"servable": f"alice/tiny-{run_id}", "version": "1"}
    loop_l = {"servable": f"alice/loop-{run_id}", "version": "1"}
    runs = "dlhub_runs_total"
    assert {o: value(after, runs, **tiny_l, outcome=o) for o in ("ok", "invalid")} == {
        "ok": 6,  # 5 executor runs and 1 result-cache answer
        "invalid": 2,
    }
    assert {
        o: value(after, runs, **loop_l, outcome=o) for o in ("ok", "cancelled", "deadline")
    } == {
        "ok": 1,
        "cancelled": 1,
        "deadline": 1,
    }
    # an unknown name is counted under "unknown", never under the name the caller sent
    unknown = {"servable": "unknown", "version": "", "outcome": "not_found"}
    assert value(after, runs, **unknown) - value(before, runs, **unknown) == 1
    assert not any(f"nope-{run_id}" in str(key) for key in after)

    assert value(after, "dlhub_run_total_seconds_count", **tiny_l) == 6
    for name in ("dlhub_run_queue_seconds_count", "dlhub_run_compute_seconds_count"):
        assert value(after, name, **tiny_l) == 5, name
    assert value(after, "dlhub_batch_wait_seconds_count", **tiny_l) == 5
    assert value(after, "dlhub_batch_size_count", **tiny_l) == 5  # 5 calls of one request
    assert value(after, "dlhub_batch_size_sum", **tiny_l) == 5
    cache = "dlhub_result_cache_total"
    assert value(after, cache, **tiny_l, result="miss") == 5
    assert value(after, cache, **tiny_l, result="hit") == 1
    assert value(after, "dlhub_model_loads_total", **tiny_l, outcome="ok") == 1
    assert value(after, "dlhub_model_loads_total", **loop_l, outcome="ok") == 1
    assert value(after, "dlhub_tasks_in_flight", **tiny_l) == 0
    assert value(after, "dlhub_executor_replicas") >= 1
    published = "dlhub_servables_published_total"
    assert value(after, published, outcome="ok") - value(before, published, outcome="ok") == 2
    invalid = value(after, published, outcome="invalid") - value(
        before, published, outcome="invalid"
    )
    assert invalid == 1
    lag_groups = {dict(k[1])["group"] for k in after if k[0] == "dlhub_bus_consumer_lag"}
    assert any(g.startswith("taskmanager") for g in lag_groups), lag_groups

    # the Grafana dashboard (deploy/grafana) queries only families a live mesh
    # serves (one with no sample yet, such as staging here, still has its HELP)
    # and groups by labels they carry
    for expr in dashboard_queries():
        for name in re.findall(r"\bdlhub_[a-z_]+\b", expr):
            family = re.sub(r"_(bucket|sum|count|total)$", "", name)
            assert family in families, f"the dashboard queries {name}, which no service serves"
            carried = {k for s in families[family].samples for k in s.labels}
            for grouping in re.findall(r"by \(([^)]*)\)", expr):
                for label in (g.strip() for g in grouping.split(",")):
                    assert label == "le" or not carried or label in carried, (label, expr)

    # JSON logs: one object a line, with the trace ids of the span current when logged
    lines = [json.loads(line) for line in log_lines.getvalue().splitlines() if line.strip()]
    marked = [line for line in lines if line.get("message") == f"marker {run_id}"]
    assert len(marked) == 1
    assert (marked[0]["trace_id"], marked[0]["span_id"]) == marker_ids
    assert {"time", "level", "logger"} <= set(marked[0])
    # the caller's token never reaches a log line
    assert mesh.token not in log_lines.getvalue()


async def _known_mix(mesh: Mesh, tiny: TinyModel, run_id: str) -> tuple[str, str]:
    """Publish two servables and run a known mix; returns the marker line's span ids."""
    tiny_name, loop_name = f"tiny-{run_id}", f"loop-{run_id}"
    await mesh.publish(TinyModel.metadata(tiny_name), {"model.onnx": tiny.data})
    await mesh.publish(loop_metadata(loop_name), {"model.onnx": loop_onnx()})
    bad = TinyModel.metadata(f"bad-{run_id}")
    bad["servable"]["type"] = "no-such-type"
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await mesh.publish(bad, {"model.onnx": tiny.data})
    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT

    with TracerProvider().get_tracer("test").start_as_current_span("marker") as span:
        ctx = span.get_span_context()
        marker_ids = (format(ctx.trace_id, "032x"), format(ctx.span_id, "016x"))
        logging.getLogger("dlhub.test").info("marker %s", run_id)

    for i in range(5):  # 5 ok, each a result-cache miss
        x = np.full((1, 4), float(i), dtype=np.float32)
        assert (await run(mesh, tiny_name, {"X": x})).state == tasks_pb2.TASK_STATE_SUCCEEDED
    again = await run(mesh, tiny_name, {"X": np.zeros((1, 4), dtype=np.float32)})
    assert again.timings.cache_hit  # 1 ok, from the cache
    for inputs in (  # 2 invalid: a wrong shape, an unknown input
        {"X": np.zeros((1, 5), dtype=np.float32)},
        {"X": np.zeros((1, 4), dtype=np.float32), "Q": np.zeros((1, 4), dtype=np.float32)},
    ):
        with pytest.raises(grpc.aio.AioRpcError) as invalid:
            await run(mesh, tiny_name, inputs)
        assert invalid.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.aio.AioRpcError) as missing:  # 1 not found
        await run(mesh, f"nope-{run_id}", {"X": np.zeros((1, 4), dtype=np.float32)})
    assert missing.value.code() is grpc.StatusCode.NOT_FOUND

    steps = np.array([10], dtype=np.int64)
    assert (await run(mesh, loop_name, {"steps": steps})).state == tasks_pb2.TASK_STATE_SUCCEEDED
    forever = np.array([10**10], dtype=np.int64)  # hours of counting, stopped at the deadline
    # (its deadline leaves a loaded machine time to cancel first; ONNX Runtime
    # stops there, and the mesh's stop waits for that)
    queued = await run(mesh, loop_name, {"steps": forever}, wait=False, timeout_s=6.0)
    assert (await cancel(mesh, queued.task_id)).state == tasks_pb2.TASK_STATE_CANCELLED
    late = await run(mesh, loop_name, {"steps": forever}, timeout_s=1.0)
    assert late.error.code == "DEADLINE_EXCEEDED"
    await asyncio.sleep(0)  # (every count is made before its caller hears)
    return marker_ids
