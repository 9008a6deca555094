"""The one error body every HTTP route answers with, and its schema."""

from __future__ import annotations

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from dlhub_common.errors import ERROR_TABLE, DLHubError, ErrorCode, public_message, retry_after_s
from dlhub_gateway.http.schemas import JsonObject


class ErrorBody(BaseModel):
    """An error: a sentence to act on, a stable code, and machine-readable details."""

    error: str = Field(description="What went wrong and what to do about it")
    code: ErrorCode = Field(description="Stable error code (docs/rest.md)")
    details: JsonObject = Field(description="Context: bad fields, limits, retry_after_s...")


def error_response(err: DLHubError) -> JSONResponse:
    """The JSON response for ``err``: its HTTP status, and Retry-After when it says when
    to come back. Internal addresses in the message are replaced by ``<address>``."""
    wait = retry_after_s(err)  # an overloaded task manager says when to come back
    return JSONResponse(
        {"error": public_message(err), "code": err.code.value, "details": err.details},
        status_code=ERROR_TABLE[err.code].http_status,
        headers={"Retry-After": str(wait)} if wait is not None else None,
    )
