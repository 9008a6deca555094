"""Authentication before any request body is read.

FastAPI reads and parses a body before it resolves the ``principal``
dependency, so a route alone would parse an anonymous caller's upload (and
answer 400 about its content) before it said 401. This ASGI middleware checks
the ``authorization`` header first: a malformed or unknown token is refused on
every route, and the routes that need a user (publishing, upload sessions,
deprecate/withdraw, publish jobs, access changes, the audit log, stream
bindings and ingest) refuse an
anonymous caller, all before a byte of the body is received. The sign-in routes
are public: no token is checked there.
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Receive, Scope, Send

from dlhub_common.errors import DLHubError, Unauthenticated
from dlhub_common.identity import ANONYMOUS
from dlhub_gateway.auth import Authenticator
from dlhub_gateway.http.responses import error_response

# (method, path) of the routes that act for a user; anonymous callers get 401.
TOKEN_ROUTES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("POST", re.compile(r"^/api/v1/servables/?$")),
    ("POST", re.compile(r"^/api/v1/uploads/?$")),
    ("PUT", re.compile(r"^/api/v1/uploads/[^/]+/?$")),
    ("GET", re.compile(r"^/api/v1/uploads/[^/]+/?$")),
    ("POST", re.compile(r"^/api/v1/servables/[^/]+/[^/]+/(?:deprecate|withdraw)/?$")),
    ("GET", re.compile(r"^/api/v1/publish-jobs(?:/[^/]+)?/?$")),
    ("POST", re.compile(r"^/api/v1/servables/[^/]+/[^/]+/access/?$")),
    ("GET", re.compile(r"^/api/v1/audit/?$")),
    ("POST", re.compile(r"^/api/v1/streams/")),
    ("GET", re.compile(r"^/api/v1/streams/")),
    ("DELETE", re.compile(r"^/api/v1/streams/")),
    # retraining (api_retrain.py)
    ("POST", re.compile(r"^/api/v1/servables/[^/]+/[^/]+/retrain/?$")),
    ("GET", re.compile(r"^/api/v1/servables/[^/]+/[^/]+/retrain-jobs/?$")),
    ("GET", re.compile(r"^/api/v1/retrain-jobs/[^/]+/?$")),
    ("POST", re.compile(r"^/api/v1/benchmarks/[^/]+/[^/]+/scores/?$")),
)

# Signing in (api_sign_in.py): open to everyone, even where anonymous reads are off, and
# never refused for a stale token the page still sends; rate limited as anonymous.
PUBLIC_ROUTES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("GET", re.compile(r"^/api/v1/sign-in/?$")),
    ("GET", re.compile(r"^/api/v1/sign-in/globus(?:/callback)?/?$")),
    ("POST", re.compile(r"^/api/v1/sign-in/globus/ticket/?$")),
)

# The API routes; /healthz, /metrics and the page stay open.
GATED = ("/api/", "/v2")
# Where the caller's Principal is left in the ASGI scope (http/rate_gate.py reads it).
PRINCIPAL_KEY = "dlhub.principal"


def needs_token(method: str, path: str) -> bool:
    return any(method == m and pattern.match(path) for m, pattern in TOKEN_ROUTES)


def is_public(method: str, path: str) -> bool:
    return any(method == m and pattern.match(path) for m, pattern in PUBLIC_ROUTES)


class AuthGate:
    def __init__(self, app: ASGIApp, *, auth: Authenticator) -> None:
        self.app = app
        self.auth = auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_public(scope["method"], scope["path"]):
            scope[PRINCIPAL_KEY] = ANONYMOUS
        elif scope["type"] == "http" and scope["path"].startswith(GATED):
            header = dict(scope.get("headers") or []).get(b"authorization")
            try:
                who = await self.auth.from_header(header.decode("latin-1") if header else None)
                if who.anonymous and needs_token(scope["method"], scope["path"]):
                    raise Unauthenticated(
                        f"{scope['method']} {scope['path'][:80]} needs a token:"
                        " send 'authorization: Bearer <token>'"
                    )
            except DLHubError as err:
                await error_response(err)(scope, receive, send)
                return
            scope[PRINCIPAL_KEY] = who
        await self.app(scope, receive, send)
