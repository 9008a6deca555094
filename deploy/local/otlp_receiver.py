"""A small OTLP/gRPC trace receiver: what a collector would get, kept in memory.

It implements ``opentelemetry.proto.collector.trace.v1.TraceService`` (the
service every OTLP exporter calls), so the five ``dlhub serve`` processes can
export to it with ``DLHUB_TRACING__EXPORTER=otlp`` and
``DLHUB_TRACING__OTLP_ENDPOINT=http://127.0.0.1:<port>``. The e2e trace test
starts one; run it by hand to look at the traces of a local mesh::

    python -m deploy.local.otlp_receiver --port 4317 --out spans.jsonl
    python -m deploy.local.trace_tree spans.jsonl

Each span received becomes one :class:`SpanRow` (and one JSON line in
``--out``).
"""

from __future__ import annotations

import argparse
import json
import threading
from concurrent import futures
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from opentelemetry.proto.common.v1 import common_pb2
from opentelemetry.proto.trace.v1 import trace_pb2


@dataclass
class SpanRow:
    """One span, flattened: ids in hex, times in unix ns."""

    trace_id: str
    span_id: str
    parent_id: str  # "" for a root span
    name: str
    service: str  # the resource's service.name
    kind: str
    start_ns: int
    end_ns: int
    attributes: dict[str, Any] = field(default_factory=dict)
    links: list[str] = field(default_factory=list)  # linked span ids
    status: str = ""  # "ERROR: <description>" when the span failed

    @property
    def duration_ms(self) -> float:
        return (self.end_ns - self.start_ns) / 1e6


def _value(v: common_pb2.AnyValue) -> Any:
    which = v.WhichOneof("value")
    if which == "array_value":
        return [_value(x) for x in v.array_value.values]
    if which == "kvlist_value":
        return {kv.key: _value(kv.value) for kv in v.kvlist_value.values}
    return getattr(v, which) if which else None


def rows_of(request: trace_service_pb2.ExportTraceServiceRequest) -> list[SpanRow]:
    """The spans of one export call."""
    rows = []
    for resource_spans in request.resource_spans:
        resource = {kv.key: _value(kv.value) for kv in resource_spans.resource.attributes}
        service = str(resource.get("service.name", ""))
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                status = ""
                if span.status.code == trace_pb2.Status.STATUS_CODE_ERROR:
                    status = f"ERROR: {span.status.message}"
                rows.append(
                    SpanRow(
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_id=span.parent_span_id.hex(),
                        name=span.name,
                        service=service,
                        kind=trace_pb2.Span.SpanKind.Name(span.kind).removeprefix("SPAN_KIND_"),
                        start_ns=span.start_time_unix_nano,
                        end_ns=span.end_time_unix_nano,
                        attributes={kv.key: _value(kv.value) for kv in span.attributes},
                        links=[link.span_id.hex() for link in span.links],
                        status=status,
                    )
                )
    return rows


class _TraceService(trace_service_pb2_grpc.TraceServiceServicer):
    def __init__(self, receiver: OtlpReceiver) -> None:
        self.receiver = receiver

    def Export(
        self, request: trace_service_pb2.ExportTraceServiceRequest, context: Any
    ) -> trace_service_pb2.ExportTraceServiceResponse:
        self.receiver.add(rows_of(request))
        return trace_service_pb2.ExportTraceServiceResponse()


class OtlpReceiver:
    """An OTLP/gRPC trace receiver on ``127.0.0.1:port`` (0: a free port).

    Args:
        port: where to listen.
        out: a JSON-lines file every received span is appended to.
    """

    def __init__(self, port: int = 0, out: Path | None = None) -> None:
        self._lock = threading.Lock()
        self._rows: list[SpanRow] = []
        self._out = out
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        trace_service_pb2_grpc.add_TraceServiceServicer_to_server(_TraceService(self), self._server)
        self.port = self._server.add_insecure_port(f"127.0.0.1:{port}")

    @property
    def endpoint(self) -> str:
        """What ``DLHUB_TRACING__OTLP_ENDPOINT`` should say."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> OtlpReceiver:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop(grace=1).wait()

    def add(self, rows: list[SpanRow]) -> None:
        with self._lock:
            self._rows.extend(rows)
            if self._out is not None:
                with self._out.open("a") as f:
                    for row in rows:
                        f.write(json.dumps(asdict(row), default=str) + "\n")

    def spans(self, trace_id: str | None = None) -> list[SpanRow]:
        """Every span received so far (of one trace when ``trace_id`` is given)."""
        with self._lock:
            return [r for r in self._rows if trace_id is None or r.trace_id == trace_id]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=4317)
    parser.add_argument("--out", type=Path, required=True, help="JSON lines, one span a line")
    args = parser.parse_args(argv)
    receiver = OtlpReceiver(args.port, args.out).start()
    print(f"OTLP receiver on {receiver.endpoint}, spans to {args.out}", flush=True)
    try:
        receiver._server.wait_for_termination()
    except KeyboardInterrupt:
        receiver.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
