"""What HTTP routes need, reachable from the request."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import Request

from dlhub_common._proto.dlhub.v1 import registry_pb2, types_pb2
from dlhub_common.apis import RegistryApi, SearchApi, TaskApi
from dlhub_common.identity import Principal, current_principal
from dlhub_common.names import check_slug, parse_version
from dlhub_common.ports import EventBus, ObjectStore
from dlhub_common.settings import MiB
from dlhub_gateway.auth import Authenticator
from dlhub_gateway.http.auth_gate import PRINCIPAL_KEY
from dlhub_gateway.oip import OipCore
from dlhub_gateway.rate import RateLimits

if TYPE_CHECKING:  # globus-sdk is imported only under auth.provider globus
    from dlhub_gateway.globus_web import BrowserSignIn


@dataclass
class GatewayContext:
    registry: RegistryApi
    search: SearchApi
    tasks: TaskApi
    oip: OipCore
    auth: Authenticator
    max_message_bytes: int
    max_artifact_bytes: int
    default_timeout_s: float
    # The object store, built on first use (artifact downloads only).
    objects: Callable[[], Awaitable[ObjectStore]] | None = None
    # request bodies held at once (http/inflight.py)
    max_inflight_request_bytes: int = 256 * MiB
    max_inflight_request_bytes_per_caller: int = 64 * MiB
    # per-caller request rates (dlhub_gateway/rate.py); None: unlimited
    rates: RateLimits | None = None
    # the mesh's event bus (stream ingest and results, http/api_streams.py)
    bus: EventBus | None = None
    # the browser's "Sign in with Globus" flow (http/api_sign_in.py); None: not Globus
    sign_in: BrowserSignIn | None = None


def ctx(request: Request) -> GatewayContext:
    context: GatewayContext = request.app.state.ctx
    return context


async def principal(request: Request) -> Principal:
    """FastAPI dependency: authenticate and make the caller current for this request."""
    who: Principal | None = request.scope.get(PRINCIPAL_KEY)  # AuthGate authenticated it already
    if who is None:
        who = await ctx(request).auth.from_header(request.headers.get("authorization"))
    current_principal.set(who)
    return who


async def get_servable(
    request: Request, owner: str, name: str, version: str
) -> registry_pb2.GetServableResponse:
    """One version (``version`` "" = latest), read through the registry as the caller."""
    return await ctx(request).registry.get_servable(
        registry_pb2.GetServableRequest(
            ref=types_pb2.ServableRef(
                owner=check_slug("owner", owner),
                name=check_slug("name", name),
                version=parse_version(version),
            )
        )
    )
