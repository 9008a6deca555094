"""A local stand-in for Globus Auth and Globus Groups, for tests.

globus-sdk reaches it through ``GLOBUS_SDK_SERVICE_URL_AUTH`` and
``GLOBUS_SDK_SERVICE_URL_GROUPS`` (both pointing at this one server; the paths
do not overlap). It answers the calls DLHub makes, in the shapes of the real
APIs (globus_sdk.testing's canned responses):

* ``POST /v2/oauth2/token/introspect``: HTTP basic auth of a registered
  confidential client (else 401 ``invalid_client``); a token that is unknown,
  expired or revoked, or whose audience does not include the calling client,
  is ``{"active": false}``; ``include=identity_set`` adds the identity set;
* ``POST /v2/oauth2/token``: the authorization-code grant with PKCE (S256,
  checked), the refresh-token grant, and Globus' dependent-token grant (basic
  auth; only scopes the token's scopes depend on; a JSON list);
* ``POST /v2/oauth2/token/revoke``: access or refresh token (revoking a
  refresh token revokes the access tokens it issued);
* ``GET /v2/oauth2/authorize``: the browser step. A real user logs in at
  Globus; here the test says who logs in (``login_as`` query parameter, an
  identity id or username), and the answer redirects to ``redirect_uri`` with
  ``code`` and ``state``; ``GET /v2/web/auth-code`` shows the code as the
  Globus helper page does;
* ``GET /v2/groups/my_groups``: the groups the bearer's identity set belongs
  to, with ``my_memberships`` (``statuses`` filters them).

Tests set it up with methods (in-process) or the JSON routes under
``/_standin/`` (tests.standins.globus_control; a subprocess:
``python -m tests.standins.globus_control`` prints ``GLOBUS_STANDIN_URL=...``):
clients, scopes and their dependencies, identities (linked), tokens (scopes,
lifetime, revoked), groups and memberships; ``fail`` makes every API call answer a status (500) and
``delay_s`` slows each one (timeouts). ``calls`` records (method, path).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import secrets
import time
import urllib.parse
import uuid
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.standins.serving import serving

AUTH_RS = "auth.globus.org"
GROUPS_RS = "groups.api.globus.org"
GROUPS_SCOPE = "urn:globus:auth:scope:groups.api.globus.org:view_my_groups_and_memberships"
OPENID_SCOPES = (
    "openid",
    "profile",
    "email",
    "urn:globus:auth:scope:auth.globus.org:view_identity_set",
)


@dataclass
class Identity:
    id: str
    username: str
    name: str
    email: str
    linked: set[str] = field(default_factory=set)  # the other ids of its identity set


@dataclass
class Token:
    identity: str
    scopes: list[str]
    resource_server: str
    client_id: str  # the client the token was issued to
    expires_at: float
    issued_at: float
    revoked: bool = False
    refresh_token: str | None = None  # the refresh token that issued it


@dataclass
class RefreshToken:
    identity: str
    scopes: list[str]
    resource_server: str
    client_id: str
    revoked: bool = False


@dataclass
class Code:
    identity: str
    scopes: list[str]
    client_id: str
    redirect_uri: str
    challenge: str
    offline: bool
    expires_at: float


@dataclass
class Group:
    id: str
    name: str
    members: dict[str, tuple[str, str]] = field(default_factory=dict)  # identity -> role, status


@dataclass
class GlobusStandin:
    url: str = ""
    clients: dict[str, str | None] = field(default_factory=dict)  # id -> secret (None: native)
    scopes: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # scope -> rs, deps
    identities: dict[str, Identity] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)
    codes: dict[str, Code] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    fail: int | None = None  # every API call answers this status
    delay_s: float = 0.0
    token_lifetime_s: float = 172_800.0

    def __post_init__(self) -> None:
        self.add_scope(GROUPS_SCOPE, GROUPS_RS)
        for scope in OPENID_SCOPES:
            self.add_scope(scope, AUTH_RS)

    # ------------------------------------------------------------ set-up

    def add_client(self, client_id: str | None = None, secret: str | None = None) -> str:
        """A client: confidential with a secret, native (public) without."""
        client_id = client_id or str(uuid.uuid4())
        self.clients[client_id] = secret
        return client_id

    def add_scope(self, scope: str, resource_server: str, depends_on: Iterable[str] = ()) -> None:
        self.scopes[scope] = (resource_server, list(depends_on))

    def add_identity(
        self, username: str, *, identity_id: str | None = None, linked: Iterable[str] = ()
    ) -> str:
        identity_id = identity_id or str(uuid.uuid4())
        name = username.split("@", 1)[0].title()
        self.identities[identity_id] = Identity(identity_id, username, name, username)
        for other in linked:
            self.identities[identity_id].linked.add(other)
            self.identities[other].linked.add(identity_id)
        return identity_id

    def identity_set(self, identity_id: str) -> list[str]:
        return [identity_id, *sorted(self.identities[identity_id].linked)]

    def issue_token(
        self,
        identity: str,
        scopes: list[str],
        *,
        expires_in: float | None = None,
        client_id: str = "",
    ) -> str:
        """An access token for ``identity`` (id or username) with ``scopes``."""
        identity_id = self._identity_id(identity)
        token = "Ag" + secrets.token_urlsafe(40)
        now = time.time()
        self.tokens[token] = Token(
            identity_id,
            list(scopes),
            self._resource_server(scopes),
            client_id,
            now + (self.token_lifetime_s if expires_in is None else expires_in),
            now,
        )
        return token

    def revoke(self, token: str) -> None:
        if token in self.tokens:
            self.tokens[token].revoked = True
        if token in self.refresh_tokens:
            self.refresh_tokens[token].revoked = True
            for access in self.tokens.values():
                if access.refresh_token == token:
                    access.revoked = True

    def add_group(self, name: str, *, group_id: str | None = None) -> str:
        group_id = group_id or str(uuid.uuid4())
        self.groups[group_id] = Group(group_id, name)
        return group_id

    def add_member(
        self, group_id: str, identity: str, *, role: str = "member", status: str = "active"
    ) -> None:
        self.groups[group_id].members[self._identity_id(identity)] = (role, status)

    def count(self, path: str) -> int:
        return sum(1 for _, p in self.calls if p == path)

    def _identity_id(self, identity: str) -> str:
        if identity in self.identities:
            return identity
        for ident in self.identities.values():
            if ident.username == identity:
                return ident.id
        raise KeyError(f"no identity {identity!r}")

    def _resource_server(self, scopes: list[str]) -> str:
        servers = {self.scopes[s][0] for s in scopes if s in self.scopes}
        if len(servers) != 1:
            raise ValueError(f"scopes {scopes} do not belong to one resource server")
        return servers.pop()

    def active(self, token: str) -> Token | None:
        found = self.tokens.get(token)
        if found is None or found.revoked or found.expires_at <= time.time():
            return None
        return found

    # ------------------------------------------------------------ the app

    def app(self, extra: Iterable[Route] = ()) -> Starlette:
        """The API routes, and ``extra`` ones (tests.standins.globus_control)."""
        api = [
            Route("/v2/oauth2/token/introspect", self._introspect, methods=["POST"]),
            Route("/v2/oauth2/token/revoke", self._revoke, methods=["POST"]),
            Route("/v2/oauth2/token", self._token, methods=["POST"]),
            Route("/v2/oauth2/authorize", self._authorize, methods=["GET"]),
            Route("/v2/web/auth-code", self._auth_code_page, methods=["GET"]),
            Route("/v2/groups/my_groups", self._my_groups, methods=["GET"]),
        ]
        return Starlette(routes=[*api, *extra])

    async def _enter(self, request: Request) -> Response | None:
        self.calls.append((request.method, request.url.path))
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.fail is not None:
            return JSONResponse({"errors": [{"status": str(self.fail)}]}, self.fail)
        return None

    def _client_of(self, request: Request, form: Any) -> tuple[str | None, bool]:
        """(client id, authenticated with its secret)."""
        header = request.headers.get("authorization", "")
        if header.startswith("Basic "):
            try:
                cid, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            except ValueError:
                return None, False
            known = self.clients.get(cid)
            return (
                (cid, True)
                if known is not None and secrets.compare_digest(known, secret)
                else (
                    None,
                    False,
                )
            )
        cid = form.get("client_id")
        if cid in self.clients and self.clients[cid] is None:
            return cid, False
        return None, False

    async def _introspect(self, request: Request) -> Response:
        early = await self._enter(request)
        if early is not None:
            return early
        form = await request.form()
        client_id, authed = self._client_of(request, form)
        if not authed:
            return JSONResponse({"error": "invalid_client"}, 401)
        found = self.active(str(form.get("token", "")))
        audience = self._audience(found) if found else []
        if found is None or client_id not in audience:
            return JSONResponse({"active": False})
        ident = self.identities[found.identity]
        body: dict[str, Any] = {
            "active": True,
            "token_type": "Bearer",
            "scope": " ".join(found.scopes),
            "client_id": found.client_id,
            "username": ident.username,
            "name": ident.name,
            "email": ident.email,
            "exp": int(found.expires_at),
            "iat": int(found.issued_at),
            "nbf": int(found.issued_at),
            "sub": ident.id,
            "aud": audience,
            "iss": "https://auth.globus.org",
        }
        if "identity_set" in str(form.get("include", "")).split(","):
            body["identity_set"] = self.identity_set(ident.id)
        return JSONResponse(body)

    def _audience(self, token: Token) -> list[str]:
        # a resource server's scopes are named after its client id
        out = [token.resource_server]
        for scope in token.scopes:
            parts = scope.split("/")
            if scope.startswith("https://auth.globus.org/scopes/") and len(parts) > 4:
                out.append(parts[4])
        return sorted(set(out))

    async def _token(self, request: Request) -> Response:
        early = await self._enter(request)
        if early is not None:
            return early
        form = await request.form()
        grant = form.get("grant_type")
        client_id, authed = self._client_of(request, form)
        if client_id is None:
            return JSONResponse({"error": "invalid_client"}, 401)
        if grant == "authorization_code":
            return self._code_grant(form, client_id)
        if grant == "refresh_token":
            return self._refresh_grant(form, client_id)
        if grant == "urn:globus:auth:grant_type:dependent_token" and authed:
            return self._dependent_grant(form, client_id)
        return JSONResponse({"error": "unsupported_grant_type"}, 400)

    def _code_grant(self, form: Any, client_id: str) -> Response:
        code = self.codes.pop(str(form.get("code", "")), None)
        if (
            code is None
            or code.expires_at <= time.time()
            or code.client_id != client_id
            or code.redirect_uri != form.get("redirect_uri")
        ):
            return JSONResponse({"error": "invalid_grant"}, 401)
        verifier = str(form.get("code_verifier", ""))
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        if not secrets.compare_digest(challenge, code.challenge):
            return JSONResponse({"error": "invalid_grant", "error_description": "PKCE"}, 401)
        by_server: dict[str, list[str]] = {}
        for scope in code.scopes:
            by_server.setdefault(self.scopes[scope][0], []).append(scope)
        answers = [
            self.grant(code.identity, scopes, client_id, offline=code.offline)
            for scopes in by_server.values()
        ]
        first, others = answers[0], answers[1:]
        return JSONResponse({**first, "state": "_default", "other_tokens": others})

    def grant(
        self, identity: str, scopes: list[str], client_id: str, *, offline: bool
    ) -> dict[str, Any]:
        refresh = None
        if offline:
            refresh = "Ag" + secrets.token_urlsafe(40)
            self.refresh_tokens[refresh] = RefreshToken(
                identity, scopes, self._resource_server(scopes), client_id
            )
        token = self.issue_token(identity, scopes, client_id=client_id)
        self.tokens[token].refresh_token = refresh
        answer = {
            "access_token": token,
            "expires_in": int(self.token_lifetime_s),
            "resource_server": self.tokens[token].resource_server,
            "token_type": "Bearer",
            "scope": " ".join(scopes),
        }
        if refresh:
            answer["refresh_token"] = refresh
        return answer

    def _refresh_grant(self, form: Any, client_id: str) -> Response:
        rt = str(form.get("refresh_token", ""))
        found = self.refresh_tokens.get(rt)
        if found is None or found.revoked or found.client_id != client_id:
            return JSONResponse({"error": "invalid_grant"}, 401)
        token = self.issue_token(found.identity, found.scopes, client_id=client_id)
        self.tokens[token].refresh_token = rt
        return JSONResponse(
            {
                "access_token": token,
                "expires_in": int(self.token_lifetime_s),
                "resource_server": found.resource_server,
                "token_type": "Bearer",
                "scope": " ".join(found.scopes),
                "refresh_token": rt,
                "other_tokens": [],
            }
        )

    def _dependent_grant(self, form: Any, client_id: str) -> Response:
        found = self.active(str(form.get("token", "")))
        if found is None or client_id not in self._audience(found):
            return JSONResponse({"error": "invalid_grant"}, 400)
        allowed = {dep for s in found.scopes for dep in self.scopes.get(s, ("", []))[1]}
        wanted = str(form.get("scope", "")).split() or sorted(allowed)
        if not set(wanted) <= allowed:
            return JSONResponse({"error": "invalid_scope"}, 403)
        out = []
        for scope in wanted:
            token = self.issue_token(found.identity, [scope], client_id=client_id)
            out.append(
                {
                    "access_token": token,
                    "expires_in": int(self.token_lifetime_s),
                    "resource_server": self.tokens[token].resource_server,
                    "token_type": "bearer",
                    "scope": scope,
                }
            )
        return JSONResponse(out)

    async def _revoke(self, request: Request) -> Response:
        early = await self._enter(request)
        if early is not None:
            return early
        form = await request.form()
        client_id, _ = self._client_of(request, form)
        if client_id is None:
            return JSONResponse({"error": "invalid_client"}, 401)
        self.revoke(str(form.get("token", "")))
        return JSONResponse({"active": False})

    async def _authorize(self, request: Request) -> Response:
        early = await self._enter(request)
        if early is not None:
            return early
        q = request.query_params
        client_id = q.get("client_id", "")
        if client_id not in self.clients or q.get("response_type") != "code":
            return JSONResponse({"error": "invalid_request"}, 400)
        scopes = q.get("scope", "").split()
        unknown = [s for s in scopes if s not in self.scopes]
        if not scopes or unknown:
            return JSONResponse({"error": "invalid_scope", "unknown": unknown}, 400)
        if self.clients[client_id] is None and q.get("code_challenge_method") != "S256":
            return JSONResponse({"error": "invalid_request", "error_description": "PKCE"}, 400)
        try:
            identity = self._identity_id(q.get("login_as", ""))
        except KeyError:
            return JSONResponse({"error": "login_required"}, 401)
        code = secrets.token_urlsafe(24)
        self.codes[code] = Code(
            identity,
            scopes,
            client_id,
            q.get("redirect_uri", ""),
            q.get("code_challenge", ""),
            q.get("access_type") == "offline",
            time.time() + 600,
        )
        target = q.get("redirect_uri", "")
        sep = "&" if "?" in target else "?"
        query = urllib.parse.urlencode({"code": code, "state": q.get("state", "")})
        return RedirectResponse(f"{target}{sep}{query}", 302)

    async def _auth_code_page(self, request: Request) -> Response:
        return PlainTextResponse(f"Native App Authorization Code: {request.query_params['code']}")

    async def _my_groups(self, request: Request) -> Response:
        early = await self._enter(request)
        if early is not None:
            return early
        header = request.headers.get("authorization", "")
        found = self.active(header[7:]) if header.startswith("Bearer ") else None
        if found is None or found.resource_server != GROUPS_RS:
            return JSONResponse(
                {"code": "AUTHENTICATION_ERROR", "detail": "invalid token", "status": 401}, 401
            )
        statuses = [s for s in request.query_params.get("statuses", "").split(",") if s]
        ids = set(self.identity_set(found.identity))
        out = []
        for group in self.groups.values():
            memberships = [
                {
                    "group_id": group.id,
                    "identity_id": ident,
                    "username": self.identities[ident].username,
                    "role": role,
                    "status": status,
                }
                for ident, (role, status) in group.members.items()
                if ident in ids and (not statuses or status in statuses)
            ]
            if memberships:
                out.append(
                    {
                        "name": group.name,
                        "parent_id": None,
                        "id": group.id,
                        "group_type": "regular",
                        "enforce_session": False,
                        "session_limit": 28800,
                        "session_timeouts": {},
                        "my_memberships": memberships,
                        "policies": {
                            "group_visibility": "private",
                            "group_members_visibility": "managers",
                        },
                    }
                )
        return JSONResponse(out)


def sdk_env(url: str) -> dict[str, str]:
    """The variables that point globus-sdk at a stand-in."""
    return {"GLOBUS_SDK_SERVICE_URL_AUTH": url, "GLOBUS_SDK_SERVICE_URL_GROUPS": url}


@contextlib.asynccontextmanager
async def running_standin(standin: GlobusStandin | None = None) -> AsyncIterator[GlobusStandin]:
    """Serve a :class:`GlobusStandin` on 127.0.0.1 at a free port, on this event loop."""
    fake = standin or GlobusStandin()
    async with serving(fake.app(), "the Globus stand-in") as url:
        fake.url = url + "/"  # globus-sdk appends paths to it without a slash
        yield fake
