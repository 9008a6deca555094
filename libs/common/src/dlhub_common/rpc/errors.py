"""DLHubError <-> gRPC status, in both directions.

Servers put the error's JSON (code, message, details) in the trailing
metadata key ``dlhub-error-bin``; clients rebuild the typed error from it
through the allow-list in :func:`dlhub_common.errors.error_from_code`.
"""

from __future__ import annotations

import json
from typing import Any

import grpc

from dlhub_common.errors import (
    ERROR_TABLE,
    GRPC_STATUS_TO_CODE,
    DLHubError,
    ErrorCode,
    error_from_code,
)

ERROR_METADATA_KEY = "dlhub-error-bin"


def status_of(error: DLHubError) -> grpc.StatusCode:
    return getattr(grpc.StatusCode, ERROR_TABLE[error.code].grpc_status)


def error_trailers(error: DLHubError) -> tuple[tuple[str, bytes], ...]:
    payload = {"code": error.code.value, "message": error.message, "details": error.details}
    return ((ERROR_METADATA_KEY, json.dumps(payload).encode()),)


def error_from_rpc(exc: grpc.aio.AioRpcError | grpc.RpcError) -> DLHubError:
    """Rebuild a DLHubError from a failed call."""
    trailers: Any = exc.trailing_metadata() if hasattr(exc, "trailing_metadata") else None
    for key, value in trailers or ():
        if key == ERROR_METADATA_KEY:
            try:
                data = json.loads(value)
                return error_from_code(data["code"], data["message"], data.get("details"))
            except (ValueError, KeyError, TypeError):
                break
    code = exc.code() if hasattr(exc, "code") else None
    name = code.name if code is not None else "INTERNAL"
    details = exc.details() if hasattr(exc, "details") else str(exc)
    mapped = GRPC_STATUS_TO_CODE.get(name, ErrorCode.INTERNAL)
    return error_from_code(mapped.value, details or name)
