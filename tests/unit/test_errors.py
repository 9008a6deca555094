"""Tests for dlhub_common.errors and the gRPC mapping in dlhub_common.rpc.errors."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest

from dlhub_common import errors
from dlhub_common.errors import (
    ERROR_TABLE,
    GRPC_STATUS_TO_CODE,
    DLHubError,
    ErrorCode,
    InternalError,
    InvalidArgument,
    NotFound,
    ServableError,
    error_from_code,
)
from dlhub_common.identity import Principal, current_principal
from dlhub_common.internal_auth import InternalSigner
from dlhub_common.rpc.errors import (
    ERROR_METADATA_KEY,
    RETRY_AFTER_KEY,
    error_from_rpc,
    error_trailers,
    status_of,
)
from dlhub_common.rpc.server import GrpcServer, channel_options

ALL_CLASSES: list[type[DLHubError]] = [
    errors.InvalidArgument,
    errors.NotFound,
    errors.AlreadyExists,
    errors.PermissionDenied,
    errors.Unauthenticated,
    errors.ResourceExhausted,
    errors.Overloaded,
    errors.FailedPrecondition,
    errors.DeadlineExceeded,
    errors.Unavailable,
    errors.ServableError,
    errors.InternalError,
]

SIGNER = InternalSigner(b"test-secret-0123456789")


class FakeRpcError(grpc.RpcError):
    """Quacks like grpc.aio.AioRpcError."""

    def __init__(
        self,
        code: grpc.StatusCode,
        details: str,
        trailers: tuple[tuple[str, str | bytes], ...] = (),
    ) -> None:
        super().__init__(details)
        self._code = code
        self._details = details
        self._trailers = trailers

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._details

    def trailing_metadata(self) -> tuple[tuple[str, str | bytes], ...]:
        return self._trailers


# ----------------------------------------------------------------- the table


def test_error_table_covers_every_code() -> None:
    assert set(ERROR_TABLE) == set(ErrorCode)


def test_every_code_has_exactly_one_error_class() -> None:
    assert sorted(c.code for c in ALL_CLASSES) == sorted(ErrorCode)
    assert {c.code for c in DLHubError.__subclasses__()} == set(ErrorCode)


@pytest.mark.parametrize("code", list(ErrorCode))
def test_table_entries_are_real_grpc_statuses_and_http_errors(code: ErrorCode) -> None:
    mapping = ERROR_TABLE[code]
    assert isinstance(getattr(grpc.StatusCode, mapping.grpc_status), grpc.StatusCode)
    assert mapping.grpc_status not in ("OK", "UNKNOWN")
    assert 400 <= mapping.http_status <= 599


@pytest.mark.parametrize("code", list(ErrorCode))
def test_grpc_status_maps_back_to_the_same_code(code: ErrorCode) -> None:
    status = ERROR_TABLE[code].grpc_status
    # OVERLOADED shares RESOURCE_EXHAUSTED; only its trailer tells them apart
    expected = ErrorCode.RESOURCE_EXHAUSTED if code is ErrorCode.OVERLOADED else code
    assert GRPC_STATUS_TO_CODE.get(status, ErrorCode.INTERNAL) == expected


def test_known_mappings() -> None:
    assert ERROR_TABLE[ErrorCode.INVALID_ARGUMENT].http_status == 400
    assert ERROR_TABLE[ErrorCode.UNAUTHENTICATED].http_status == 401
    assert ERROR_TABLE[ErrorCode.PERMISSION_DENIED].http_status == 403
    assert ERROR_TABLE[ErrorCode.NOT_FOUND].http_status == 404
    assert ERROR_TABLE[ErrorCode.RESOURCE_EXHAUSTED].http_status == 413
    assert ERROR_TABLE[ErrorCode.OVERLOADED].http_status == 429
    assert ERROR_TABLE[ErrorCode.OVERLOADED].grpc_status == "RESOURCE_EXHAUSTED"
    assert ERROR_TABLE[ErrorCode.SERVABLE_ERROR].grpc_status == "ABORTED"
    assert ERROR_TABLE[ErrorCode.INTERNAL].http_status == 500


def test_only_transient_errors_are_retryable() -> None:
    retryable = {code for code, m in ERROR_TABLE.items() if m.retryable}
    assert retryable == {ErrorCode.UNAVAILABLE, ErrorCode.DEADLINE_EXCEEDED, ErrorCode.OVERLOADED}
    assert errors.Unavailable("x").retryable
    assert not InvalidArgument("x").retryable


def test_error_to_dict_and_repr() -> None:
    err = NotFound("servable alice/x not found", details={"ref": "alice/x"})
    assert err.to_dict() == {
        "code": "NOT_FOUND",
        "message": "servable alice/x not found",
        "details": {"ref": "alice/x"},
        "retryable": False,
    }
    assert str(err) == "servable alice/x not found"
    assert repr(err) == "NotFound('servable alice/x not found')"
    assert InvalidArgument("m").details == {}


# -------------------------------------------------------- error_from_code


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_error_from_code_rebuilds_each_class(cls: type[DLHubError]) -> None:
    err = error_from_code(cls.code.value, "msg", {"k": 1})
    assert type(err) is cls
    assert err.message == "msg"
    assert err.details == {"k": 1}


@pytest.mark.parametrize(
    "code",
    ["", "BOGUS", "not_found", "NotFound", "DLHubError", "SystemExit", "builtins.Exception", "OK"],
)
def test_error_from_code_is_an_allow_list(code: str) -> None:
    err = error_from_code(code, "msg")
    assert type(err) is InternalError
    assert err.message == "msg"


# ------------------------------------------------------------ gRPC mapping


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_grpc_round_trip_through_trailers(cls: type[DLHubError]) -> None:
    original = cls("something went wrong", details={"problems": ["a", "b"], "n": 2})
    exc = FakeRpcError(status_of(original), original.message, error_trailers(original))
    rebuilt = error_from_rpc(exc)
    assert type(rebuilt) is cls
    assert rebuilt.message == original.message
    assert rebuilt.details == original.details


def test_status_of_uses_the_table() -> None:
    assert status_of(InvalidArgument("x")) is grpc.StatusCode.INVALID_ARGUMENT
    assert status_of(ServableError("x")) is grpc.StatusCode.ABORTED
    assert status_of(InternalError("x")) is grpc.StatusCode.INTERNAL


def test_overloaded_carries_retry_after_in_a_plain_trailer() -> None:
    err = errors.Overloaded("queues are full", details={"retry_after_s": 1.2})
    trailers = dict(error_trailers(err))
    assert trailers[RETRY_AFTER_KEY] == "2"  # whole seconds, rounded up
    rebuilt = error_from_rpc(FakeRpcError(status_of(err), err.message, error_trailers(err)))
    assert type(rebuilt) is errors.Overloaded
    assert status_of(err) is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert errors.retry_after_s(NotFound("x")) is None
    assert errors.retry_after_s(errors.Overloaded("x", details={"retry_after_s": 0})) == 1


def test_error_trailers_are_one_binary_json_entry() -> None:
    ((key, value),) = error_trailers(NotFound("gone", details={"id": 3}))
    assert key == ERROR_METADATA_KEY
    assert key.endswith("-bin")
    assert isinstance(value, bytes)
    assert json.loads(value) == {"code": "NOT_FOUND", "message": "gone", "details": {"id": 3}}


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (grpc.StatusCode.INVALID_ARGUMENT, errors.InvalidArgument),
        (grpc.StatusCode.NOT_FOUND, errors.NotFound),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, errors.ResourceExhausted),
        (grpc.StatusCode.UNAVAILABLE, errors.Unavailable),
        (grpc.StatusCode.DEADLINE_EXCEEDED, errors.DeadlineExceeded),
        (grpc.StatusCode.UNAUTHENTICATED, errors.Unauthenticated),
        (grpc.StatusCode.ABORTED, errors.ServableError),
        (grpc.StatusCode.INTERNAL, errors.InternalError),
        (grpc.StatusCode.UNKNOWN, errors.InternalError),
        (grpc.StatusCode.CANCELLED, errors.InternalError),
        (grpc.StatusCode.UNIMPLEMENTED, errors.InternalError),
    ],
)
def test_statuses_without_trailers_map_by_status(
    status: grpc.StatusCode, cls: type[DLHubError]
) -> None:
    err = error_from_rpc(FakeRpcError(status, "from grpc core"))
    assert type(err) is cls
    assert err.message == "from grpc core"
    assert err.details == {}


def test_status_without_details_uses_the_status_name() -> None:
    err = error_from_rpc(FakeRpcError(grpc.StatusCode.UNAVAILABLE, ""))
    assert type(err) is errors.Unavailable
    assert err.message == "UNAVAILABLE"


@pytest.mark.parametrize(
    "payload",
    [b"not json", b"[1, 2]", b'{"message": "no code"}', b'{"code": "NOT_FOUND"}', b"null"],
)
def test_malformed_trailer_falls_back_to_the_status(payload: bytes) -> None:
    exc = FakeRpcError(
        grpc.StatusCode.PERMISSION_DENIED, "denied", ((ERROR_METADATA_KEY, payload),)
    )
    err = error_from_rpc(exc)
    assert type(err) is errors.PermissionDenied
    assert err.message == "denied"


def test_trailer_with_unknown_code_becomes_internal() -> None:
    payload = json.dumps({"code": "SystemExit", "message": "boom", "details": {}}).encode()
    exc = FakeRpcError(grpc.StatusCode.NOT_FOUND, "boom", ((ERROR_METADATA_KEY, payload),))
    err = error_from_rpc(exc)
    assert type(err) is InternalError
    assert err.message == "boom"


def test_other_trailers_are_ignored() -> None:
    original = NotFound("gone", details={"x": 1})
    trailers = (("x-other", "v"), *error_trailers(original))
    err = error_from_rpc(FakeRpcError(grpc.StatusCode.NOT_FOUND, "gone", trailers))
    assert type(err) is NotFound
    assert err.details == {"x": 1}


def test_plain_exception_object_without_grpc_methods() -> None:
    err = error_from_rpc(grpc.RpcError("opaque"))
    assert type(err) is InternalError
    assert err.message == "opaque"


# --------------------------------------------- a real server and channel


@pytest.fixture
async def echo_server() -> AsyncIterator[grpc.aio.Channel]:
    """A GrpcServer with one unary method whose behaviour the request picks."""

    async def handle(request: bytes, context: Any) -> bytes:
        kind = request.decode()
        if kind == "not-found":
            raise NotFound("servable alice/x not found", details={"ref": "alice/x"})
        if kind == "crash":
            raise RuntimeError("secret-internal-state")
        if kind == "whoami":
            return (current_principal.get().username or "<anonymous>").encode()
        return b"ok"

    def register(_servicer: Any, server: grpc.aio.Server) -> None:
        handler = grpc.unary_unary_rpc_method_handler(handle)
        server.add_generic_rpc_handlers(
            (grpc.method_handlers_generic_handler("test.Echo", {"Call": handler}),)
        )

    server = GrpcServer("test", max_message_bytes=1 << 20, authenticate=SIGNER.authenticate)
    server.add(register, None, "test.Echo")
    port = await server.start("127.0.0.1", 0)
    # The client may send more than the server accepts.
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}", options=channel_options(8 << 20))
    try:
        yield channel
    finally:
        await channel.close()
        await server.stop(0)


async def call(channel: grpc.aio.Channel, body: bytes, metadata: Any = None) -> bytes:
    if metadata is None:
        metadata = (SIGNER.metadata(Principal(None)),)
    method = channel.unary_unary("/test.Echo/Call")
    result: bytes = await method(body, metadata=metadata, timeout=10)
    return result


async def test_server_maps_dlhub_errors_to_status_and_trailers(
    echo_server: grpc.aio.Channel,
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call(echo_server, b"not-found")
    assert info.value.code() is grpc.StatusCode.NOT_FOUND
    assert info.value.details() == "servable alice/x not found"
    err = error_from_rpc(info.value)
    assert type(err) is NotFound
    assert err.details == {"ref": "alice/x"}


async def test_server_hides_unexpected_exceptions(echo_server: grpc.aio.Channel) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call(echo_server, b"crash")
    assert info.value.code() is grpc.StatusCode.INTERNAL
    assert "secret-internal-state" not in (info.value.details() or "")
    assert "secret-internal-state" not in repr(info.value.trailing_metadata())
    err = error_from_rpc(info.value)
    assert type(err) is InternalError
    assert "see the service log" in err.message


async def test_server_takes_the_signed_principal(echo_server: grpc.aio.Channel) -> None:
    anonymous = (SIGNER.metadata(Principal(None)),)
    assert await call(echo_server, b"whoami", anonymous) == b"<anonymous>"
    alice = (SIGNER.metadata(Principal("alice")),)
    assert await call(echo_server, b"whoami", alice) == b"alice"


async def test_server_rejects_messages_over_its_limit(echo_server: grpc.aio.Channel) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call(echo_server, b"x" * (2 << 20))
    assert info.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert str(1 << 20) in (info.value.details() or "")
    err = error_from_rpc(info.value)
    assert type(err) is errors.ResourceExhausted


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:5051:"
            " Failed to connect to remote host: Connection refused",
            "failed to connect to all addresses; last error: UNKNOWN: <address>"
            " Failed to connect to remote host: Connection refused",
        ),
        ("peer ipv6:[::1]:50051 closed", "peer <address> closed"),
        ("Kafka at 10.0.0.7:9092 reports no brokers", "Kafka at <address> reports no brokers"),
        ("opensearch at localhost:9200 does not answer", "opensearch at <address> does not answer"),
        ("unix:/run/dlhub.sock: no such file", "<address> no such file"),
        # shapes, versions and lists are not addresses
        ("input 'X' has shape [4] (rank 1), expected rank 2 [-1, 4]", None),
        ("versions: [1, 2, 3]; version 1.2 of numpy", None),
    ],
)
def test_scrub_addresses(text: str, expected: str | None) -> None:
    assert errors.scrub_addresses(text) == (text if expected is None else expected)


def test_clip_cuts_long_caller_input() -> None:
    assert errors.clip("tiny") == "'tiny'"
    long = errors.clip("a" * 10_000)
    assert len(long) == errors.CLIP_CHARS
    assert long.startswith("'aaa")
    assert long.endswith("...'")


def test_public_message_is_scrubbed_and_bounded() -> None:
    err = errors.Unavailable("registry at ipv4:10.1.2.3:50051 is down; " + "x" * 10_000)
    text = errors.public_message(err)
    assert text.startswith("registry at <address> is down; xxx")
    assert len(text) == errors.MAX_MESSAGE_CHARS
    assert errors.public_message(errors.NotFound("short")) == "short"
