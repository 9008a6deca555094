"""One error hierarchy for every layer, and the one table that maps it.

Domain code raises :class:`DLHubError` subclasses. Transports translate them
with :data:`ERROR_TABLE`: gRPC status names and HTTP status codes are plain
strings and ints here, so this module imports no transport library. Clients
rebuild typed errors with :func:`error_from_code`, which only knows the codes in
the table (an allow-list), never class names sent over the wire.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any


class ErrorCode(enum.StrEnum):
    """Stable, wire-visible error codes."""

    INVALID_ARGUMENT = "INVALID_ARGUMENT"
    NOT_FOUND = "NOT_FOUND"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    RESOURCE_EXHAUSTED = "RESOURCE_EXHAUSTED"
    # Too much work right now (queues full): retry later, after details.retry_after_s.
    OVERLOADED = "OVERLOADED"
    FAILED_PRECONDITION = "FAILED_PRECONDITION"
    DEADLINE_EXCEEDED = "DEADLINE_EXCEEDED"
    UNAVAILABLE = "UNAVAILABLE"
    SERVABLE_ERROR = "SERVABLE_ERROR"
    INTERNAL = "INTERNAL"


@dataclass(frozen=True)
class ErrorMapping:
    """How one code travels: its gRPC status name, HTTP status, and retryability."""

    grpc_status: str
    http_status: int
    retryable: bool


ERROR_TABLE: dict[ErrorCode, ErrorMapping] = {
    ErrorCode.INVALID_ARGUMENT: ErrorMapping("INVALID_ARGUMENT", 400, False),
    ErrorCode.NOT_FOUND: ErrorMapping("NOT_FOUND", 404, False),
    ErrorCode.ALREADY_EXISTS: ErrorMapping("ALREADY_EXISTS", 409, False),
    ErrorCode.PERMISSION_DENIED: ErrorMapping("PERMISSION_DENIED", 403, False),
    ErrorCode.UNAUTHENTICATED: ErrorMapping("UNAUTHENTICATED", 401, False),
    # "Too large" (a message, an upload): sending it again will not help.
    ErrorCode.RESOURCE_EXHAUSTED: ErrorMapping("RESOURCE_EXHAUSTED", 413, False),
    # The same gRPC status, but a passing condition: HTTP 429 with Retry-After.
    ErrorCode.OVERLOADED: ErrorMapping("RESOURCE_EXHAUSTED", 429, True),
    ErrorCode.FAILED_PRECONDITION: ErrorMapping("FAILED_PRECONDITION", 409, False),
    ErrorCode.DEADLINE_EXCEEDED: ErrorMapping("DEADLINE_EXCEEDED", 504, True),
    ErrorCode.UNAVAILABLE: ErrorMapping("UNAVAILABLE", 503, True),
    # The servable's own code failed: the request reached the model.
    ErrorCode.SERVABLE_ERROR: ErrorMapping("ABORTED", 422, False),
    ErrorCode.INTERNAL: ErrorMapping("INTERNAL", 500, False),
}

# gRPC status name -> code, for statuses raised by gRPC itself (no DLHub details);
# a bare RESOURCE_EXHAUSTED reads as "too large" (OVERLOADED travels in the trailer).
GRPC_STATUS_TO_CODE: dict[str, ErrorCode] = {
    "INVALID_ARGUMENT": ErrorCode.INVALID_ARGUMENT,
    "NOT_FOUND": ErrorCode.NOT_FOUND,
    "ALREADY_EXISTS": ErrorCode.ALREADY_EXISTS,
    "PERMISSION_DENIED": ErrorCode.PERMISSION_DENIED,
    "UNAUTHENTICATED": ErrorCode.UNAUTHENTICATED,
    "RESOURCE_EXHAUSTED": ErrorCode.RESOURCE_EXHAUSTED,
    "FAILED_PRECONDITION": ErrorCode.FAILED_PRECONDITION,
    "DEADLINE_EXCEEDED": ErrorCode.DEADLINE_EXCEEDED,
    "UNAVAILABLE": ErrorCode.UNAVAILABLE,
    "ABORTED": ErrorCode.SERVABLE_ERROR,
}


class DLHubError(Exception):
    """Base of every DLHub error.

    Args:
        message: a sentence a user can act on; never contains secrets.
        details: machine-readable context (bad fields, expected signature...).
    """

    code: ErrorCode = ErrorCode.INTERNAL

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details or {}

    @property
    def retryable(self) -> bool:
        return ERROR_TABLE[self.code].retryable

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code.value,
            "message": self.message,
            "details": self.details,
            "retryable": self.retryable,
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class InvalidArgument(DLHubError):
    code = ErrorCode.INVALID_ARGUMENT


class NotFound(DLHubError):
    code = ErrorCode.NOT_FOUND


class AlreadyExists(DLHubError):
    code = ErrorCode.ALREADY_EXISTS


class PermissionDenied(DLHubError):
    code = ErrorCode.PERMISSION_DENIED


class Unauthenticated(DLHubError):
    code = ErrorCode.UNAUTHENTICATED


class ResourceExhausted(DLHubError):
    code = ErrorCode.RESOURCE_EXHAUSTED


class Overloaded(DLHubError):
    """Refused for now: queues are full. ``details["retry_after_s"]`` says when to retry;
    transports add it as HTTP ``Retry-After`` and gRPC trailer ``retry-after``."""

    code = ErrorCode.OVERLOADED


class FailedPrecondition(DLHubError):
    code = ErrorCode.FAILED_PRECONDITION


class DeadlineExceeded(DLHubError):
    code = ErrorCode.DEADLINE_EXCEEDED


class Unavailable(DLHubError):
    code = ErrorCode.UNAVAILABLE


class ServableError(DLHubError):
    code = ErrorCode.SERVABLE_ERROR


class InternalError(DLHubError):
    code = ErrorCode.INTERNAL


_BY_CODE: dict[ErrorCode, type[DLHubError]] = {
    cls.code: cls
    for cls in (
        InvalidArgument,
        NotFound,
        AlreadyExists,
        PermissionDenied,
        Unauthenticated,
        ResourceExhausted,
        Overloaded,
        FailedPrecondition,
        DeadlineExceeded,
        Unavailable,
        ServableError,
        InternalError,
    )
}


RETRY_AFTER_DETAIL = "retry_after_s"

# How much of a caller's own text an error message repeats.
CLIP_CHARS = 80
# The longest error message a caller is sent (the doors cut longer ones).
MAX_MESSAGE_CHARS = 4000
# gRPC peer and target spellings (ipv4:127.0.0.1:50051, ipv6:[::1]:50051,
# unix:/run/x.sock, dns:host:port) and bare host:port pairs.
_ADDRESS_RE = re.compile(
    r"\b(?:ipv4|ipv6|unix|unix-abstract|dns|vsock):\S+"
    r"|\[[0-9A-Fa-f]*:[0-9A-Fa-f]*:[0-9A-Fa-f:.]*\](?::\d+)?"
    r"|\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?"
    r"|\blocalhost:\d+"
)


def clip(value: object, limit: int = CLIP_CHARS) -> str:
    """``repr(value)``, cut to ``limit`` characters: caller input quoted in an error."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 4]}...{text[-1]}"


def scrub_addresses(text: str) -> str:
    """``text`` with network addresses (gRPC peers, host:port) replaced by ``<address>``."""
    return _ADDRESS_RE.sub("<address>", text)


def public_message(error: DLHubError) -> str:
    """The message as a caller outside DLHub may see it: no internal addresses, and at
    most MAX_MESSAGE_CHARS long (a safety net behind :func:`clip` at each source)."""
    text = scrub_addresses(error.message)
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 3] + "..."


def retry_after_s(error: DLHubError) -> int | None:
    """Whole seconds to wait before retrying (at least 1), when the error says so."""
    value = error.details.get(RETRY_AFTER_DETAIL)
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    return max(1, int(-(-value // 1)))


def error_from_code(code: str, message: str, details: dict[str, Any] | None = None) -> DLHubError:
    """Rebuild a typed error from a wire code; unknown codes become InternalError."""
    try:
        cls = _BY_CODE[ErrorCode(code)]
    except ValueError:
        cls = InternalError
    return cls(message, details=details)
