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
    public_message,
    retry_after_s,
    scrub_addresses,
)

ERROR_METADATA_KEY = "dlhub-error-bin"
# Seconds a refused caller should wait (OVERLOADED), for clients that read no DLHub trailer.
RETRY_AFTER_KEY = "retry-after"


def status_of(error: DLHubError) -> grpc.StatusCode:
    return getattr(grpc.StatusCode, ERROR_TABLE[error.code].grpc_status)


def error_trailers(error: DLHubError) -> tuple[tuple[str, bytes | str], ...]:
    payload = {
        "code": error.code.value,
        "message": public_message(error),
        "details": error.details,
    }
    trailers: tuple[tuple[str, bytes | str], ...] = (
        (ERROR_METADATA_KEY, json.dumps(payload).encode()),
    )
    wait = retry_after_s(error)
    if wait is not None:
        trailers += ((RETRY_AFTER_KEY, str(wait)),)
    return trailers


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
    # gRPC's own messages name peers ("ipv4:10.0.0.7:50051: Connection refused")
    return error_from_code(mapped.value, scrub_addresses(details or name))
