"""How a recorded result is shown and kept: caller-safe errors, cached outputs."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from dlhub_common._proto.dlhub.v1 import bus_pb2, types_pb2
from dlhub_common.errors import ErrorCode


def error_for_caller(record: dict[str, Any], error: types_pb2.ErrorInfo) -> dict[str, Any]:
    """The error as the task's caller may see it.

    A servable's own failure (SERVABLE_ERROR) carries the function's message
    and traceback, which may reveal the servable's code or data: only the
    servable's owner keeps them. Anyone else gets the exception type and a
    sanitized message. Tasks are only ever shown to the user who submitted
    them, so deciding here, once, covers every later read.
    """
    out = {
        "code": error.code,
        "message": error.message,
        "details_json": error.details_json,
        "retryable": error.retryable,
    }
    owner = record.get("servable", {}).get("owner")
    if error.code != ErrorCode.SERVABLE_ERROR.value or (owner and record.get("user") == owner):
        return out
    try:
        details = json.loads(error.details_json or "{}")
    except ValueError:
        details = {}
    kind = details.get("exception") if isinstance(details, dict) else None
    out["message"] = (
        f"the servable raised {kind} while running; its owner can see the details"
        if isinstance(kind, str) and kind.isidentifier()
        else "the servable failed while running; its owner can see the details"
    )
    out["details_json"] = json.dumps({"exception": kind} if isinstance(kind, str) else {})
    return out


def cacheable_result(result: bus_pb2.WorkResult) -> bytes:
    """What a later identical run is answered with: the outputs alone."""
    return bus_pb2.WorkResult(
        ok=True, outputs=result.outputs, output_json=result.output_json
    ).SerializeToString()


async def one_chunk(data: bytes) -> AsyncIterator[bytes]:
    yield data
