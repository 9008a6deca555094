"""The gateway process: public gRPC (dlhub.v1 + OIP) and HTTP on one event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn

from dlhub_common._proto.dlhub.v1 import dlhub_pb2_grpc
from dlhub_common._proto.inference import open_inference_pb2_grpc
from dlhub_common.accounts import LocalAccounts, tokens_path
from dlhub_common.apis import RegistryApi, SearchApi, TaskApi
from dlhub_common.identity import Principal, current_principal
from dlhub_common.listen import listening_socket
from dlhub_common.ports import EventBus, ObjectStore
from dlhub_common.rpc.server import GrpcServer
from dlhub_common.servable_cache import CachedRegistry
from dlhub_common.settings import Settings
from dlhub_gateway.auth import Authenticator, browser_sign_in, identity_provider
from dlhub_gateway.http.app import create_app
from dlhub_gateway.http.context import GatewayContext
from dlhub_gateway.oip import OipCore
from dlhub_gateway.oip_grpc import InferenceServicer
from dlhub_gateway.public_grpc import DLHubServicer
from dlhub_gateway.rate import RateLimits, peer_address
from dlhub_gateway.streams import StreamLimits, StreamRunner

log = logging.getLogger("dlhub.gateway")

PUBLIC_SERVICE = "dlhub.v1.DLHubService"
OIP_SERVICE = "inference.GRPCInferenceService"
# OIP's liveness and readiness are health checks: never rate limited.
UNLIMITED_METHODS = frozenset(f"/{OIP_SERVICE}/{m}" for m in ("ServerLive", "ServerReady"))


def tokens_for(settings: Settings) -> LocalAccounts:
    return LocalAccounts(tokens_path(settings))


class Gateway:
    """Both public doors. ``start`` binds them; ``stop`` drains them."""

    def __init__(
        self,
        settings: Settings,
        registry: RegistryApi,
        search: SearchApi,
        tasks: TaskApi,
        objects: Callable[[], Awaitable[ObjectStore]] | None = None,
        bus: EventBus | None = None,
    ) -> None:
        self.settings = settings
        gw = settings.gateway
        self.auth = Authenticator(
            identity_provider(settings), allow_anonymous=gw.allow_anonymous_reads
        )
        # The run path (OIP and HTTP runs) resolves models from a cache that
        # servable events keep current; describe and list go to the registry.
        self._cached = (
            CachedRegistry(registry, bus, f"gateway-refs-{uuid.uuid4().hex[:12]}")
            if bus is not None
            else None
        )
        self.oip = OipCore(self._cached or registry, tasks)
        self.rates = RateLimits(
            per_s=gw.rate_limit_per_s,
            burst=gw.rate_burst,
            anonymous_per_s=gw.anonymous_rate_limit_per_s,
            anonymous_burst=gw.anonymous_rate_burst,
        )
        self.grpc = GrpcServer(
            "gateway",
            max_message_bytes=settings.max_message_bytes,
            authenticate=self.auth.from_metadata,
            reuse_port=gw.reuse_port,
            admit=self._admit_rpc,
        )
        # every request of a stream counts against the caller's rate limit
        self.streams = StreamRunner(
            StreamLimits(gw.stream_max_in_flight, gw.stream_write_timeout_s),
            admit=self._admit_stream_request,
        )
        self.grpc.add(
            dlhub_pb2_grpc.add_DLHubServiceServicer_to_server,
            DLHubServicer(registry, search, tasks, self.streams),
            PUBLIC_SERVICE,
        )
        self.grpc.add(
            open_inference_pb2_grpc.add_GRPCInferenceServiceServicer_to_server,
            InferenceServicer(self.oip, self.streams),
            OIP_SERVICE,
        )
        self.app = create_app(
            GatewayContext(
                registry=registry,
                search=search,
                tasks=tasks,
                oip=self.oip,
                auth=self.auth,
                max_message_bytes=settings.max_message_bytes,
                max_artifact_bytes=settings.max_artifact_bytes,
                default_timeout_s=settings.default_timeout_s,
                objects=objects,
                max_inflight_request_bytes=settings.gateway.max_inflight_request_bytes,
                max_inflight_request_bytes_per_caller=(
                    settings.gateway.max_inflight_request_bytes_per_caller
                ),
                rates=self.rates,
                bus=bus,
                sign_in=browser_sign_in(settings),
            )
        )
        self._http: uvicorn.Server | None = None
        self._http_task: asyncio.Task[None] | None = None
        self.http_port = 0
        self.grpc_port = 0

    def _admit_rpc(self, who: Principal, peer: str, method: str) -> None:
        if method not in UNLIMITED_METHODS:
            self.rates.admit(who, peer_address(peer))

    def _admit_stream_request(self, context: Any) -> None:
        self.rates.admit(current_principal.get(), peer_address(context.peer() or ""))

    async def start(self) -> None:
        gw = self.settings.gateway
        if self._cached is not None:
            await self._cached.start()
        self.grpc_port = await self.grpc.start(gw.host, gw.grpc_port, setting="gateway.grpc_port")
        config = uvicorn.Config(
            self.app,
            host=gw.host,
            port=gw.http_port,
            log_level="warning",
            lifespan="off",
            access_log=False,
            timeout_graceful_shutdown=5,
        )
        self._http = uvicorn.Server(config)
        # bound here, not by uvicorn: a port in use is one clear error; replicas
        # of this gateway share the port (SO_REUSEPORT)
        try:
            sockets = [
                listening_socket(
                    "gateway HTTP",
                    gw.host,
                    gw.http_port,
                    "gateway.http_port",
                    reuse_port=gw.reuse_port,
                )
            ]
        except BaseException:
            await self.grpc.stop(0)
            raise
        self._http_task = asyncio.create_task(
            self._http.serve(sockets=sockets), name="gateway-http"
        )
        while not self._http.started:
            if self._http_task.done():
                await self._http_task
                raise OSError(f"gateway HTTP could not bind {gw.host}:{gw.http_port}")
            await asyncio.sleep(0.02)
        self.http_port = self._http.servers[0].sockets[0].getsockname()[1]
        await self.grpc.set_serving(True)
        log.info(
            "gateway up: HTTP %s:%d, gRPC %s:%d", gw.host, self.http_port, gw.host, self.grpc_port
        )

    async def stop(self) -> None:
        await self.grpc.stop()
        if self._http is not None and self._http_task is not None:
            self._http.should_exit = True
            with contextlib.suppress(asyncio.CancelledError):
                await self._http_task
        if self._cached is not None:
            await self._cached.stop()
