"""Building gRPC servers and channels the same way in every service.

Every server gets the same message size limit, gRPC health checking, server
reflection and one interceptor that (a) sets the caller's principal from
metadata, (b) maps DLHubError to a status with details, and (c) hides
unexpected exceptions behind a generic INTERNAL error while logging them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from dlhub_common.errors import DLHubError, InternalError, public_message
from dlhub_common.identity import Principal, current_principal
from dlhub_common.listen import ensure_free
from dlhub_common.rpc.errors import error_trailers, status_of
from dlhub_common.telemetry import RPC_LATENCY
from dlhub_common.tracing import SpanKind, Status, StatusCode, context_from_metadata
from dlhub_common.tracing import span as server_span

log = logging.getLogger("dlhub.rpc")

# Resolves the caller from invocation metadata; may raise DLHubError.
Authenticator = Callable[[dict[str, str]], Awaitable[Principal]]
# Lets an authenticated call in, given (principal, peer, method); may raise
# DLHubError (the gateway's rate limits raise Overloaded).
Admit = Callable[[Principal, str, str], None]


def channel_options(max_message_bytes: int) -> list[tuple[str, Any]]:
    return [
        ("grpc.max_send_message_length", max_message_bytes),
        ("grpc.max_receive_message_length", max_message_bytes),
        ("grpc.keepalive_time_ms", 30_000),
    ]


class _Interceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    def __init__(self, authenticate: Authenticator, admit: Admit | None = None) -> None:
        self._authenticate = authenticate
        self._admit = admit

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        method: str = details.method
        if handler is None or method.startswith(("/grpc.health", "/grpc.reflection")):
            return handler
        authenticate = self._authenticate
        admit = self._admit

        def metadata(context: grpc.aio.ServicerContext) -> dict[str, str]:
            return {k: v for k, v in (context.invocation_metadata() or ()) if isinstance(v, str)}

        async def enter(context: grpc.aio.ServicerContext) -> None:
            who = await authenticate(metadata(context))
            if admit is not None:
                admit(who, context.peer() or "", method)
            current_principal.set(who)

        async def fail(context: grpc.aio.ServicerContext, exc: BaseException) -> None:
            if isinstance(exc, DLHubError):
                err = exc
            else:
                log.exception("unhandled error in %s", method)
                err = InternalError("internal error; see the service log")
            context.set_trailing_metadata(error_trailers(err))
            await context.abort(status_of(err), public_message(err))

        def unary(fn: Any) -> Any:
            async def call(request: Any, context: grpc.aio.ServicerContext) -> Any:
                started = time.perf_counter()
                parent = context_from_metadata(metadata(context))
                with server_span(method, context=parent, kind=SpanKind.SERVER) as span:
                    try:
                        await enter(context)
                        return await fn(request, context)
                    except grpc.aio.AbortError:
                        raise
                    except Exception as exc:
                        span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
                        await fail(context, exc)
                    finally:
                        RPC_LATENCY.labels(method).observe(time.perf_counter() - started)

            return call

        def streaming(fn: Any) -> Any:
            async def call(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
                parent = context_from_metadata(metadata(context))
                with server_span(method, context=parent, kind=SpanKind.SERVER):
                    try:
                        await enter(context)
                        async for item in fn(request, context):
                            yield item
                    except grpc.aio.AbortError:
                        raise
                    except Exception as exc:
                        await fail(context, exc)

            return call

        kwargs = {
            "request_deserializer": handler.request_deserializer,
            "response_serializer": handler.response_serializer,
        }
        if handler.unary_unary:
            return grpc.unary_unary_rpc_method_handler(unary(handler.unary_unary), **kwargs)
        if handler.stream_unary:
            return grpc.stream_unary_rpc_method_handler(unary(handler.stream_unary), **kwargs)
        if handler.unary_stream:
            return grpc.unary_stream_rpc_method_handler(streaming(handler.unary_stream), **kwargs)
        return grpc.stream_stream_rpc_method_handler(streaming(handler.stream_stream), **kwargs)


class GrpcServer:
    """A grpc.aio server with health, reflection and the DLHub interceptor.

    Args:
        name: service name for logs.
        max_message_bytes: the same limit on every hop.
        authenticate: resolves the caller: the gateway's public authentication, or
            an internal service's InternalSigner.authenticate (signed tokens).
        reuse_port: let other processes bind the same port (``SO_REUSEPORT``,
            for a service's own replicas); off, a port in use fails to bind
            instead of being silently shared.
        admit: called after authentication with (principal, peer, method) on
            every call but health and reflection; raises to refuse the call
            (the gateway's rate limits). None (internal services): no check.
    """

    def __init__(
        self,
        name: str,
        *,
        max_message_bytes: int,
        authenticate: Authenticator,
        reuse_port: bool = False,
        admit: Admit | None = None,
    ) -> None:
        self.name = name
        self.reuse_port = reuse_port
        self.server = grpc.aio.server(
            interceptors=[_Interceptor(authenticate, admit)],
            options=[*channel_options(max_message_bytes), ("grpc.so_reuseport", int(reuse_port))],
        )
        self.health = health.aio.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        self._services: list[str] = [health.SERVICE_NAME]
        self.port = 0

    def add(self, register: Callable[[Any, Any], None], servicer: Any, service_name: str) -> None:
        """Register a servicer (``add_XServicer_to_server``) under its full name."""
        register(servicer, self.server)
        self._services.append(service_name)

    async def start(self, host: str, port: int, *, setting: str = "") -> int:
        """Bind and start; returns the bound port. Services start NOT_SERVING.

        Args:
            setting: the setting that chooses ``port``, named when it is in use.

        Raises:
            FailedPrecondition: the port is in use.
        """
        reflection.enable_server_reflection([*self._services, reflection.SERVICE_NAME], self.server)
        what = f"{self.name} gRPC"
        if not self.reuse_port:  # checked first: gRPC's own bind failure logs a C-core line
            ensure_free(what, host, port, setting or f"{self.name}.port")
        try:
            self.port = self.server.add_insecure_port(f"{host}:{port}")
        except RuntimeError:  # newer grpcio raises where older ones return 0
            self.port = 0
        if self.port == 0:
            ensure_free(what, host, port, setting or f"{self.name}.port")
            raise OSError(f"{what}: cannot bind {host}:{port}")
        await self.set_serving(False)
        await self.server.start()
        log.info("%s gRPC listening on %s:%d", self.name, host, self.port)
        return self.port

    async def set_serving(self, serving: bool, services: Iterable[str] | None = None) -> None:
        status = (
            health_pb2.HealthCheckResponse.SERVING
            if serving
            else health_pb2.HealthCheckResponse.NOT_SERVING
        )
        for svc in services if services is not None else ["", *self._services[1:]]:
            await self.health.set(svc, status)

    async def stop(self, grace: float = 5.0) -> None:
        """Report NOT_SERVING, then drain in-flight calls for ``grace`` seconds."""
        await self.health.enter_graceful_shutdown()
        await self.server.stop(grace)
