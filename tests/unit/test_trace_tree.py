"""The OTLP test receiver and the span-tree printer (deploy/local), over real OTLP/gRPC.

The SDK's OTLP exporter sends a small trace (a parent, a child with a link and
an error, a second root) to the receiver; the rows keep ids, parents,
service, kind, attributes, links and status, and the tree prints each span
under its parent.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import Link, SpanKind, Status, StatusCode

from deploy.local import trace_tree
from deploy.local.otlp_receiver import OtlpReceiver

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[OtlpReceiver]:
    r = OtlpReceiver(out=tmp_path / "spans.jsonl").start()
    yield r
    r.stop()


def test_spans_exported_over_otlp_come_back_as_a_tree(
    receiver: OtlpReceiver, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    provider = TracerProvider(resource=Resource.create({"service.name": "dlhub-test"}))
    provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=receiver.endpoint)))
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("other", attributes={"dlhub.step": "x"}) as other:
        pass
    link = Link(other.get_span_context())
    with (
        tracer.start_as_current_span("root", kind=SpanKind.SERVER) as root,
        tracer.start_as_current_span(
            "child", links=[link], attributes={"dlhub.batch_size": 3}
        ) as child,
    ):
        child.set_status(Status(StatusCode.ERROR, "INVALID_ARGUMENT"))
    provider.shutdown()

    trace_id = format(root.get_span_context().trace_id, "032x")
    rows = {r.name: r for r in receiver.spans(trace_id)}
    assert set(rows) == {"root", "child"}
    assert rows["root"].kind == "SERVER"
    assert rows["root"].service == "dlhub-test"
    assert rows["root"].parent_id == ""
    assert rows["child"].parent_id == rows["root"].span_id
    assert rows["child"].attributes == {"dlhub.batch_size": 3}
    assert rows["child"].links == [format(other.get_span_context().span_id, "016x")]
    assert rows["child"].status == "ERROR: INVALID_ARGUMENT"
    assert rows["root"].start_ns <= rows["child"].start_ns <= rows["child"].end_ns

    # the dump file holds all three spans; the largest trace is the default
    assert trace_tree.main([str(tmp_path / "spans.jsonl")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"trace {trace_id}: 2 spans"
    assert lines[1].startswith("  root (dlhub-test, ")
    assert lines[2].startswith("    child (dlhub-test, ")
    assert lines[2].endswith(" batch_size=3 links=1 [ERROR: INVALID_ARGUMENT]")
    with pytest.raises(SystemExit, match="no span of trace 0000"):
        trace_tree.main([str(tmp_path / "spans.jsonl"), "--trace", "0" * 32])
