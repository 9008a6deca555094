"""HTTP rate limits (dlhub_gateway.rate), checked before a request body is read.

Registered just inside AuthGate, which has already authenticated the caller
and left the principal in the ASGI scope. Health (/healthz, OIP's
/v2/health/*), /metrics and the web page are never limited.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from dlhub_common.errors import DLHubError
from dlhub_gateway.auth import Authenticator
from dlhub_gateway.http.auth_gate import GATED, PRINCIPAL_KEY
from dlhub_gateway.http.responses import error_response
from dlhub_gateway.rate import RateLimits

HEALTH_PREFIX = "/v2/health/"


class RateGate:
    def __init__(self, app: ASGIApp, *, limits: RateLimits, auth: Authenticator) -> None:
        self.app = app
        self.limits = limits
        self.auth = auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if (
            scope["type"] == "http"
            and path.startswith(GATED)
            and not path.startswith(HEALTH_PREFIX)
        ):
            try:
                who = scope.get(PRINCIPAL_KEY)
                if who is None:  # not behind AuthGate
                    header = dict(scope.get("headers") or []).get(b"authorization")
                    who = await self.auth.from_header(header.decode("latin-1") if header else None)
                client = scope.get("client")
                self.limits.admit(who, client[0] if client else "")
            except DLHubError as err:
                await error_response(err)(scope, receive, send)
                return
        await self.app(scope, receive, send)
