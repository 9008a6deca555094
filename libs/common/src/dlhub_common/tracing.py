"""OpenTelemetry tracing: one trace per request, across every hop.

W3C trace context (``traceparent``) travels in gRPC metadata between
services and in message headers on the bus, so a run is one trace from the
gateway through the task manager and the bus to the executor and back.
Spans are recorded only when a process configures an exporter
(``DLHUB_TRACING__EXPORTER=console|otlp``); otherwise the context is still
propagated, so a caller's own trace id reaches every service.

Without a tracer provider every span OpenTelemetry's API would start is its
parent (a non-recording span), so the helpers here skip building one: the
run path starts about a dozen spans per request, and building them for
nothing cost more than the tiny models they wrap (docs/observability.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import Any, TypeVar

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.trace import (
    INVALID_SPAN,
    NoOpTracerProvider,
    ProxyTracerProvider,
    Span,
    SpanKind,
    Status,
    StatusCode,
)

tracer = trace.get_tracer("dlhub")
# Make a span started elsewhere (start_span) the current one.
use_span = trace.use_span

T = TypeVar("T")

__all__ = [
    "SpanKind",
    "Status",
    "StatusCode",
    "annotate",
    "as_current",
    "configure_tracing",
    "context_from_headers",
    "context_from_metadata",
    "failing_as_type",
    "headers_with_context",
    "in_span",
    "metadata_with_context",
    "parent_of",
    "recording",
    "span",
    "tracer",
]

_recording = False  # a real tracer provider is set (it is set once per process)


def recording() -> bool:
    """Whether this process has a tracer provider that may record spans.

    False while OpenTelemetry's API is a no-op (no exporter configured): then a
    span started anywhere is its parent, and :func:`span`, :func:`in_span` and
    dlhub_executor.spans build none.
    """
    global _recording
    if not _recording:
        provider = trace.get_tracer_provider()
        _recording = not isinstance(provider, ProxyTracerProvider | NoOpTracerProvider)
    return _recording


@contextmanager
def as_current(parent: Span) -> Iterator[Span]:
    """``parent`` as the current span around a block (what a no-op span start amounts to)."""
    if parent is trace.get_current_span():
        yield parent
        return
    token = otel_context.attach(trace.set_span_in_context(parent))
    try:
        yield parent
    finally:
        otel_context.detach(token)


def parent_of(headers: Mapping[str, bytes]) -> Span:
    """The remote span a bus message's headers name (invalid when none)."""
    if not headers:
        return INVALID_SPAN
    return trace.get_current_span(context_from_headers(headers))


def span(
    name: str,
    *,
    kind: SpanKind = SpanKind.INTERNAL,
    attributes: Mapping[str, str | int] | None = None,
    headers: Mapping[str, bytes] | None = None,
    context: otel_context.Context | None = None,
) -> AbstractContextManager[Span]:
    """``tracer.start_as_current_span(name, ...)``: a child of the span that
    ``headers`` carry when given (a bus message's), else of ``context``'s
    (a request's, from its metadata), else of the current one.

    Not recording: the parent itself is made current, as OpenTelemetry's
    no-op tracer does, without building a span.
    """
    if headers is not None:
        context = context_from_headers(headers) if headers else otel_context.Context()
    if not recording():
        return as_current(trace.get_current_span(context))
    return tracer.start_as_current_span(name, context=context, kind=kind, attributes=attributes)


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
    if not recording():
        return
    current = trace.get_current_span()
    if current.is_recording():
        for key, value in attributes.items():
            current.set_attribute(f"dlhub.{key}", value)


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
    if not recording():  # the span would be the current one
        return await awaitable
    with failing_as_type(
        tracer.start_as_current_span(
            name,
            attributes={f"dlhub.{k}": v for k, v in attributes.items()},
            record_exception=False,
            set_status_on_exception=False,
        )
    ):
        return await awaitable
