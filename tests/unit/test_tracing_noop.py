"""Tracing helpers without a tracer provider build no span, yet propagate as
OpenTelemetry's no-op tracer does: the caller's context reaches the next hop.

Each check runs in a fresh interpreter: a tracer provider is set once per
process, and other tests of this session may have set one.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

PRELUDE = f"""
import asyncio
from opentelemetry import trace
from dlhub_common import tracing
from dlhub_common._proto.dlhub.v1 import bus_pb2
from dlhub_common.tracing import SpanKind, headers_with_context, in_span, span, tracer
from dlhub_executor import spans

TRACEPARENT = {TRACEPARENT!r}
HEADERS = {{"traceparent": TRACEPARENT.encode()}}

class Delivery:
    headers = HEADERS

item = bus_pb2.WorkItem(task_id="t1")
item.servable.owner, item.servable.name, item.servable.version = "alice", "tiny", 1

def carried() -> str:
    return headers_with_context().get("traceparent", b"").decode()
"""


def _run(body: str) -> None:
    code = PRELUDE + textwrap.dedent(body)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("ok"), done.stdout


def test_without_a_provider_the_parent_travels_on_and_no_span_is_built() -> None:
    _run(
        """
        assert not tracing.recording()
        # what the no-op tracer itself propagates, for comparison
        with tracer.start_as_current_span(
            "x", context=tracing.context_from_headers(HEADERS), kind=SpanKind.CONSUMER
        ):
            expected = carried()
        assert expected == TRACEPARENT
        with span("record_result", headers=HEADERS, kind=SpanKind.CONSUMER) as s:
            assert not s.is_recording()
            assert carried() == expected
        assert carried() == ""  # the parent is current only inside
        request = tracing.context_from_metadata({"traceparent": TRACEPARENT})
        with span("/dlhub.v1.DLHubService/RunServable", context=request, kind=SpanKind.SERVER):
            assert carried() == expected  # a request's context (rpc/server.py)
        with span("dispatch"):  # no headers: the current span stays current
            assert carried() == ""
        with span("wake_caller", headers={}):  # no context: none travels on
            assert carried() == ""

        execute = spans.start_execute(item, Delivery(), 1)
        assert format(execute.get_span_context().trace_id, "032x") in TRACEPARENT
        spans.child(execute, "queue_wait", 1, 2)
        with spans.within(execute, "publish_result", SpanKind.PRODUCER):
            assert carried() == expected
        with trace.use_span(execute):
            with spans.within(None, "compute"):
                assert carried() == expected
        batch = spans.start_batch([None, execute], [item, item], 1)
        assert batch is execute
        spans.end(execute, bus_pb2.WorkResult(ok=False), cancelled=True)

        async def value() -> int:
            return 7

        assert asyncio.run(in_span("run", value(), servable="alice/tiny")) == 7
        tracing.annotate(version=1)
        print("ok")
        """
    )


def test_with_a_provider_every_span_is_recorded_in_the_callers_trace() -> None:
    _run(
        """
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

        assert not tracing.recording()
        exporter = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        trace.set_tracer_provider(provider)
        assert tracing.recording()

        with span("record_result", headers=HEADERS, kind=SpanKind.CONSUMER,
                  attributes={"dlhub.task_id": "t1"}) as s:
            assert s.is_recording()
            assert carried() != TRACEPARENT  # this span is the parent now
        request = tracing.context_from_metadata({"traceparent": TRACEPARENT})
        with span("/dlhub.v1.DLHubService/RunServable", context=request, kind=SpanKind.SERVER):
            pass
        execute = spans.start_execute(item, Delivery(), 1)
        spans.child(execute, "queue_wait", 1, 2)
        with spans.within(execute, "publish_result", SpanKind.PRODUCER):
            pass
        batch = spans.start_batch([execute], [item], 1)
        batch.end()

        async def value() -> int:
            tracing.annotate(version=1)
            return 7

        assert asyncio.run(in_span("run", value(), servable="alice/tiny")) == 7
        spans.end(execute, bus_pb2.WorkResult(ok=True))
        done = {x.name: x for x in exporter.get_finished_spans()}
        rpc = "/dlhub.v1.DLHubService/RunServable"
        assert set(done) == {
            "record_result", rpc, "execute", "queue_wait", "publish_result", "batch", "run"
        }, sorted(done)
        for name in ("record_result", rpc, "execute", "queue_wait", "publish_result", "batch"):
            assert format(done[name].context.trace_id, "032x") in TRACEPARENT, name
        assert done["record_result"].attributes["dlhub.task_id"] == "t1"
        assert done["execute"].attributes["dlhub.servable"] == "alice/tiny"
        assert done["run"].attributes["dlhub.version"] == 1
        assert done["publish_result"].parent.span_id == done["execute"].context.span_id
        print("ok")
        """
    )
