"""OpenTelemetry tracing: one trace per request, across every hop.

W3C trace context (``traceparent``) travels in gRPC metadata between
services and in message headers on the bus, so a run is one trace from the
gateway through the task manager and the bus to the executor and back.
Spans are recorded only when a process configures an exporter
(``DLHUB_TRACING__EXPORTER=console|otlp``); otherwise the context is still
propagated, so a caller's own trace id reaches every service.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import Any, TypeVar

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

tracer = trace.get_tracer("dlhub")
# Make a span started elsewhere (start_span) the current one.
use_span = trace.use_span

T = TypeVar("T")

__all__ = [
    "SpanKind",
    "Status",
    "StatusCode",
    "annotate",
    "configure_tracing",
    "context_from_headers",
    "context_from_metadata",
    "failing_as_type",
    "headers_with_context",
    "in_span",
    "metadata_with_context",
    "tracer",
]


def configure_tracing(service: str, exporter: str, endpoint: str | None = None) -> None:
    """Install a tracer provider for this process.

    Args:
        service: the ``service.name`` resource attribute.
        exporter: "none" (propagate only), "console", or "otlp" (gRPC; needs
            the ``dlhub-common[otlp]`` extra).
        endpoint: OTLP collector address, e.g. ``http://127.0.0.1:4317``.
    """
    if exporter == "none":
        return
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

    provider = TracerProvider(resource=Resource.create({"service.name": f"dlhub-{service}"}))
    if exporter == "console":
        provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
    else:
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    trace.set_tracer_provider(provider)


def headers_with_context(headers: Mapping[str, bytes] | None = None) -> dict[str, bytes]:
    """Bus message headers plus the current trace context."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    out = dict(headers or {})
    out.update({k: v.encode() for k, v in carrier.items()})
    return out


def context_from_headers(headers: Mapping[str, bytes]) -> otel_context.Context:
    """The trace context a bus message carries (empty when none)."""
    carrier = {k: v.decode("latin-1") for k, v in headers.items()}
    return propagate.extract(carrier)


def metadata_with_context(
    metadata: Iterable[tuple[str, str]] = (),
) -> tuple[tuple[str, str], ...]:
    """gRPC metadata plus the current trace context."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return (*tuple(metadata), *carrier.items())


def context_from_metadata(metadata: Mapping[str, Any]) -> otel_context.Context:
    return propagate.extract({k: v for k, v in metadata.items() if isinstance(v, str)})


def annotate(**attributes: str | int) -> None:
    """Set ``dlhub.<name>`` attributes on the current span (servable, version,
    task id...; never inputs, outputs or tokens)."""
    span = trace.get_current_span()
    if span.is_recording():
        for key, value in attributes.items():
            span.set_attribute(f"dlhub.{key}", value)


@contextmanager
def failing_as_type(span_cm: AbstractContextManager[Span]) -> Iterator[Span]:
    """Enter a span started with ``record_exception=False, set_status_on_exception=False``;
    an exception sets its status to the exception's type only (a message, or the
    traceback an exception event would carry, may name an input or a token)."""
    with span_cm as span:
        try:
            yield span
        except BaseException as exc:
            span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            raise


async def in_span(name: str, awaitable: Awaitable[T], **attributes: str | int) -> T:
    """Await ``awaitable`` inside a child span of the current one named ``name``."""
    with failing_as_type(
        tracer.start_as_current_span(
            name,
            attributes={f"dlhub.{k}": v for k, v in attributes.items()},
            record_exception=False,
            set_status_on_exception=False,
        )
    ):
        return await awaitable
