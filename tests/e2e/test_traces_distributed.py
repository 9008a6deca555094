"""One trace across all five processes of a distributed mesh, seen by an OTLP receiver.

The five ``dlhub serve`` processes (on the session's real engines) export
their spans over OTLP/gRPC to a TraceService this test runs
(deploy/local/otlp_receiver.py). The traced operation is the client's own
span around a search (gateway → search), a describe (gateway → registry) and
a run (gateway → task manager → Kafka → executor → Kafka → task manager):
a run alone touches the registry only on a resolver cache miss and never the
search service, so the client's span makes them one trace on purpose, as an
application that traces its own work would. The SDK sends the current span
as the ``traceparent`` of each call.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

from deploy.local.otlp_receiver import OtlpReceiver, SpanRow
from deploy.local.trace_tree import render
from dlhub_sdk import DLHubClient
from dlhub_sdk.models import OnnxServable
from tests.tiny_onnx import tiny_onnx

from ._support import Mesh, wait_for
from .conftest import _distributed_mesh

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

SERVICES = {f"dlhub-{s}" for s in ("registry", "search", "gateway", "taskmanager", "executor")}
W = np.arange(12, dtype=np.float32).reshape(4, 3) / 10
B = np.array([0.5, -1.0, 2.0], dtype=np.float32)


@pytest.fixture(scope="module")
def receiver() -> Iterator[OtlpReceiver]:
    r = OtlpReceiver().start()
    yield r
    r.stop()


@pytest.fixture(scope="module")
def traced(
    tmp_path_factory: pytest.TempPathFactory, stack: Any, receiver: OtlpReceiver
) -> Iterator[Mesh]:
    yield from _distributed_mesh(
        tmp_path_factory,
        stack,
        DLHUB_TRACING__EXPORTER="otlp",
        DLHUB_TRACING__OTLP_ENDPOINT=receiver.endpoint,
        OTEL_BSP_SCHEDULE_DELAY="100",  # the SDK's batch exporter: every 100 ms
    )


def test_one_trace_holds_the_spans_of_all_five_processes(
    traced: Mesh, receiver: OtlpReceiver, tmp_path: Path
) -> None:
    model = tmp_path / "model.onnx"
    model.write_bytes(tiny_onnx(W, B))
    client = DLHubClient(traced.address, token=traced.token)
    summary = client.publish_servable(
        OnnxServable(str(model), name="traced-tiny").set_title("Traced tiny").add_author("Test")
    )
    ref = f"{summary['owner']}/traced-tiny"
    wait_for(
        lambda: any(h["name"] == "traced-tiny" for h in client.search("traced")),
        timeout=20,
        interval=0.2,
        what="traced-tiny to be indexed",
    )

    provider = TracerProvider(resource=Resource.create({"service.name": "e2e-client"}))
    provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=receiver.endpoint)))
    x = np.arange(8, dtype=np.float32).reshape(2, 4)
    with provider.get_tracer("e2e").start_as_current_span("client") as root:
        assert any(h["name"] == "traced-tiny" for h in client.search("traced"))
        assert client.describe_servable(ref)["dlhub"]["name"] == "traced-tiny"
        out = client.run(ref, x)
    provider.shutdown()
    np.testing.assert_allclose(np.asarray(out["Y"]), x @ W + B, rtol=1e-5)
    trace_id = format(root.get_span_context().trace_id, "032x")

    def complete() -> list[SpanRow] | None:
        rows = receiver.spans(trace_id)
        names = {(r.service, r.name) for r in rows}
        done = {("dlhub-taskmanager", "record_result"), ("dlhub-taskmanager", "wake_caller")}
        if {r.service for r in rows} >= SERVICES and names >= done:
            return rows
        return None

    rows = wait_for(complete, timeout=30, interval=0.2, what="the spans of all five processes")
    tree = render(rows, trace_id)
    print(tree)  # the span tree of one run (issue 12's closing note)
    ids = {r.span_id: r for r in rows}
    for r in rows:  # nothing dangles: every span's parent arrived, in this trace
        assert r.name == "client" or r.parent_id in ids, f"{r.name} has no parent:\n{tree}"

    def only(service: str, name: str) -> SpanRow:
        found = [r for r in rows if r.service == service and r.name == name]
        assert len(found) == 1, f"{len(found)} {service} {name!r} spans:\n{tree}"
        return found[0]

    def parent(r: SpanRow) -> tuple[str, str]:
        up = ids[r.parent_id]
        return up.service, up.name

    search = only("dlhub-search", "/dlhub.v1.SearchService/Search")
    assert ids[search.parent_id].service == "dlhub-gateway", tree
    # the registry: the describe (from the gateway) and, on a resolver cache
    # miss, the run's resolution (from the task manager's ``run``)
    registry = {(parent(r), r.name) for r in rows if r.service == "dlhub-registry"}
    get = "/dlhub.v1.RegistryService/GetServable"
    assert (("dlhub-gateway", "/dlhub.v1.DLHubService/GetServable"), get) in registry, tree
    assert registry <= {
        (("dlhub-gateway", "/dlhub.v1.DLHubService/GetServable"), get),
        (("dlhub-taskmanager", "run"), get),
    }, tree
    run = only("dlhub-taskmanager", "run")
    assert run.attributes["dlhub.servable"] == ref
    dispatch = only("dlhub-taskmanager", "dispatch")
    execute = only("dlhub-executor", "execute")
    assert parent(execute) == ("dlhub-taskmanager", "dispatch")
    assert ids[dispatch.parent_id] is run
    task_id = run.attributes["dlhub.task_id"]
    assert execute.attributes["dlhub.task_id"] == task_id
    for name in ("queue_wait", "batch", "publish_result"):
        assert parent(only("dlhub-executor", name)) == ("dlhub-executor", "execute"), tree
    assert parent(only("dlhub-executor", "compute")) == ("dlhub-executor", "batch")
    for name in ("record_result", "wake_caller"):
        span = only("dlhub-taskmanager", name)
        assert parent(span) == ("dlhub-executor", "publish_result"), tree
        assert span.attributes["dlhub.task_id"] == task_id
    # the gateway answers the run once its waiting call is woken (the executor's
    # span may end a little later: it acks the work item after publishing)
    [answer] = [
        r
        for r in rows
        if r.service == "dlhub-gateway" and r.name == "/dlhub.v1.DLHubService/RunServable"
    ]
    assert ids[answer.parent_id].name == "client"
    assert answer.start_ns <= execute.start_ns
    assert only("dlhub-taskmanager", "wake_caller").start_ns <= answer.end_ns
