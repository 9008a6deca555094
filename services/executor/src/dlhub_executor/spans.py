"""The executor's spans of one work item (docs/observability.md, "Traces").

Each work item gets an ``execute`` span (CONSUMER) from the moment it is
taken off the bus until its result is on the bus, a child of the task
manager's ``dispatch`` span (the trace context travels in the message
headers). Its children: ``staging`` (inputs by reference), ``queue_wait``
(waiting for its batch, or for a free slot), ``compute`` (JSON items) and
``publish_result`` (PRODUCER; the result's headers carry this span, so the
task manager's recording is its child). A tensor batch is one ``batch``
span, a child of its first item's ``execute`` span with an OTel link to
every item's span; the model call is its ``compute`` child.

Spans carry the servable, version, task id and batch size, never inputs,
outputs or tokens. Times a span did not see itself (queue wait, a batch's
model call) are recorded afterwards with explicit start and end times.

While nothing records (no tracer provider: dlhub_common.tracing.recording),
none of these is built: a work item's "span" is the one its headers carry
(what OpenTelemetry's no-op tracer would return), so its context still
travels on with the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Link, Span

from dlhub_common._proto.dlhub.v1 import bus_pb2
from dlhub_common.ports import Delivery
from dlhub_common.tracing import (
    SpanKind,
    Status,
    StatusCode,
    as_current,
    context_from_headers,
    failing_as_type,
    parent_of,
    recording,
    tracer,
)


def attributes(item: bus_pb2.WorkItem) -> dict[str, Any]:
    """What a span may say about a work item: which servable, which task."""
    return {
        "dlhub.task_id": item.task_id,
        "dlhub.servable": f"{item.servable.owner}/{item.servable.name}",
        "dlhub.version": item.servable.version,
    }


def start_execute(item: bus_pb2.WorkItem, delivery: Delivery, start_ns: int | None = None) -> Span:
    """The ``execute`` span of a work item just taken off the bus (ended by :func:`end`)."""
    if not recording():
        return parent_of(delivery.headers)
    return tracer.start_span(
        "execute",
        context=context_from_headers(delivery.headers),
        kind=SpanKind.CONSUMER,
        attributes=attributes(item),
        start_time=start_ns,
    )


def child(parent: Span | None, name: str, start_ns: int, end_ns: int, **attrs: Any) -> None:
    """A finished child span of ``parent`` covering ``[start_ns, end_ns]``."""
    if parent is None or not recording():
        return
    span = tracer.start_span(
        name,
        context=trace.set_span_in_context(parent),
        start_time=start_ns,
        attributes=attrs,
    )
    span.end(end_time=max(start_ns, end_ns))


def within(
    parent: Span | None,
    name: str,
    kind: SpanKind = SpanKind.INTERNAL,
    attributes: dict[str, Any] | None = None,
) -> AbstractContextManager[Span]:
    """A child span of ``parent`` (or of the current span) around a block."""
    if not recording():  # the parent is made current, as a no-op span start does
        if parent is None:
            return nullcontext(trace.get_current_span())
        return as_current(parent)
    return failing_as_type(
        tracer.start_as_current_span(
            name,
            context=trace.set_span_in_context(parent) if parent is not None else None,
            kind=kind,
            attributes=attributes,
            record_exception=False,  # an exception's message may name an input
            set_status_on_exception=False,
        )
    )


def start_batch(
    spans: Sequence[Span | None], items: Sequence[bus_pb2.WorkItem], start_ns: int
) -> Span:
    """The ``batch`` span: a child of the first item's span, linked to every item's."""
    first = items[0]
    known = [s for s in spans if s is not None]
    if not recording():
        return known[0] if known else trace.get_current_span()
    return tracer.start_span(
        "batch",
        context=trace.set_span_in_context(known[0]) if known else None,
        links=[Link(s.get_span_context()) for s in known],
        start_time=start_ns,
        attributes={
            "dlhub.servable": f"{first.servable.owner}/{first.servable.name}",
            "dlhub.version": first.servable.version,
            "dlhub.batch_size": len(items),
        },
    )


def end(span: Span | None, result: bus_pb2.WorkResult | None = None, **attrs: Any) -> None:
    """End an ``execute`` span, with the result's outcome."""
    if span is None or not span.is_recording():
        return
    for key, value in attrs.items():
        span.set_attribute(f"dlhub.{key}", value)
    if result is not None:
        if result.batch_size:
            span.set_attribute("dlhub.batch_size", result.batch_size)
        if not result.ok:
            span.set_status(Status(StatusCode.ERROR, result.error.code))
    span.end()
