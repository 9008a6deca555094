"""Log set-up: plain text (the default) or one JSON object a line.

JSON lines carry ``trace_id`` and ``span_id`` of the OpenTelemetry span current
when the line was logged (empty outside any span). What a line says is the
message its logger wrote: tokens and inputs are never logged by DLHub code,
and a formatter cannot tell a secret from text, so nothing is added here but
the ids.
"""

from __future__ import annotations

import logging
from typing import IO, Literal

from opentelemetry import trace
from pythonjsonlogger.json import JsonFormatter

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"


class TraceContextFilter(logging.Filter):
    """Sets ``trace_id`` and ``span_id`` (hex; empty when no span is current) on a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        ctx = trace.get_current_span().get_span_context()
        record.trace_id = format(ctx.trace_id, "032x") if ctx.is_valid else ""
        record.span_id = format(ctx.span_id, "016x") if ctx.is_valid else ""
        return True


def json_formatter() -> logging.Formatter:
    return JsonFormatter(
        JSON_FIELDS,
        rename_fields={"levelname": "level", "name": "logger", "asctime": "time"},
        static_fields={},
        reserved_attrs=None,
        timestamp=False,
    )


def configure_logging(
    level: str, log_format: Literal["text", "json"] = "text", stream: IO[str] | None = None
) -> logging.Handler | None:
    """The root logger: ``level``, and text or JSON lines on ``stream`` (stderr).

    Like ``logging.basicConfig``, a root logger that already has handlers of
    someone else's (a test runner's) keeps them and gets none of ours unless a
    ``stream`` is given. Returns the handler installed (replacing one an
    earlier call installed), or None.
    """
    root = logging.getLogger()
    root.setLevel(level.upper())
    ours = [h for h in root.handlers if getattr(h, "_dlhub", False)]
    if stream is None and len(root.handlers) > len(ours):
        return None
    handler = logging.StreamHandler(stream)
    handler.addFilter(TraceContextFilter())
    if log_format == "json":
        handler.setFormatter(json_formatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    for old in ours:  # configured once per process; a second call replaces
        root.removeHandler(old)
    setattr(handler, "_dlhub", True)  # noqa: B010 (marks the handler this module installed)
    root.addHandler(handler)
    return handler
