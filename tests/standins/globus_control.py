"""Driving a Globus stand-in from outside: its ``/_standin/`` routes, and DLHub's registration.

``python -m tests.standins.globus_control [--port N]`` serves a stand-in with
these routes in its own process and prints ``GLOBUS_STANDIN_URL=<url>``;
:class:`StandinControl` calls them with the same method names as
:class:`~tests.standins.globus_standin.GlobusStandin`, so
:func:`register_dlhub` works on both.
"""

from __future__ import annotations

import argparse
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.standins.globus_standin import GROUPS_SCOPE, GlobusStandin
from tests.standins.serving import bound_socket


def control_routes(standin: GlobusStandin) -> list[Route]:
    """``POST /_standin/<action>`` (JSON) and ``GET /_standin/calls``."""

    async def act(request: Request) -> Response:
        body = await request.json()
        try:
            result = _act(standin, request.path_params["action"], body)
        except (KeyError, ValueError) as exc:
            return JSONResponse({"error": str(exc)}, 400)
        return JSONResponse(result)

    async def calls(request: Request) -> Response:
        return JSONResponse([list(c) for c in standin.calls])

    return [
        Route("/_standin/calls", calls, methods=["GET"]),
        Route("/_standin/{action}", act, methods=["POST"]),
    ]


def _act(s: GlobusStandin, action: str, body: dict[str, Any]) -> Any:
    if action == "client":
        return {"client_id": s.add_client(body.get("client_id"), body.get("secret"))}
    if action == "scope":
        s.add_scope(body["scope"], body["resource_server"], body.get("depends_on", []))
        return {}
    if action == "identity":
        return {
            "id": s.add_identity(
                body["username"], identity_id=body.get("id"), linked=body.get("linked", [])
            )
        }
    if action == "token":
        token = s.issue_token(
            body["identity"],
            body["scopes"],
            expires_in=body.get("expires_in"),
            client_id=body.get("client_id", ""),
        )
        return {"token": token}
    if action == "revoke":
        s.revoke(body["token"])
        return {}
    if action == "group":
        return {"id": s.add_group(body["name"], group_id=body.get("id"))}
    if action == "member":
        s.add_member(
            body["group"],
            body["identity"],
            role=body.get("role", "member"),
            status=body.get("status", "active"),
        )
        return {}
    if action == "mode":
        s.fail = body.get("fail")
        s.delay_s = float(body.get("delay_s", 0.0))
        return {}
    raise KeyError(f"unknown action {action!r}")


class StandinControl:
    """The ``/_standin/`` routes of a stand-in in another process, as methods."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._http = httpx.Client(base_url=url, timeout=10.0)

    def _post(self, action: str, **body: Any) -> dict[str, Any]:
        resp = self._http.post(f"/_standin/{action}", json=body)
        resp.raise_for_status()
        data: dict[str, Any] = resp.json()
        return data

    def add_client(self, client_id: str | None = None, secret: str | None = None) -> str:
        return str(self._post("client", client_id=client_id, secret=secret)["client_id"])

    def add_scope(self, scope: str, resource_server: str, depends_on: Iterable[str] = ()) -> None:
        self._post(
            "scope", scope=scope, resource_server=resource_server, depends_on=list(depends_on)
        )

    def add_identity(self, username: str, *, linked: Iterable[str] = ()) -> str:
        return str(self._post("identity", username=username, linked=list(linked))["id"])

    def issue_token(
        self, identity: str, scopes: list[str], *, expires_in: float | None = None
    ) -> str:
        return str(
            self._post("token", identity=identity, scopes=scopes, expires_in=expires_in)["token"]
        )

    def revoke(self, token: str) -> None:
        self._post("revoke", token=token)

    def add_group(self, name: str) -> str:
        return str(self._post("group", name=name)["id"])

    def add_member(self, group_id: str, identity: str) -> None:
        self._post("member", group=group_id, identity=identity)

    def set_mode(self, *, fail: int | None = None, delay_s: float = 0.0) -> None:
        self._post("mode", fail=fail, delay_s=delay_s)

    def calls(self) -> list[tuple[str, str]]:
        return [(c[0], c[1]) for c in self._http.get("/_standin/calls").json()]

    def close(self) -> None:
        self._http.close()


@dataclass(frozen=True)
class DLHubAtGlobus:
    """DLHub's registration at a stand-in: its confidential client, scope and native app."""

    client_id: str
    secret: str
    scope: str
    native_client_id: str

    def settings(self, **extra: Any) -> dict[str, Any]:
        """The ``auth`` settings of a gateway using it."""
        return {
            "provider": "globus",
            "globus": {
                "client_id": self.client_id,
                "client_secret": self.secret,
                "required_scope": self.scope,
                **extra,
            },
        }

    def env(self) -> dict[str, str]:
        """The same as ``DLHUB_AUTH__*`` variables (for a subprocess)."""
        return {
            "DLHUB_AUTH__PROVIDER": "globus",
            "DLHUB_AUTH__GLOBUS__CLIENT_ID": self.client_id,
            "DLHUB_AUTH__GLOBUS__CLIENT_SECRET": self.secret,
            "DLHUB_AUTH__GLOBUS__REQUIRED_SCOPE": self.scope,
        }


def register_dlhub(standin: GlobusStandin | StandinControl) -> DLHubAtGlobus:
    """Register DLHub as a resource server whose scope depends on the Groups scope."""
    secret = "cs-" + secrets.token_urlsafe(24)
    client_id = standin.add_client(secret=secret)
    scope = f"https://auth.globus.org/scopes/{client_id}/all"
    standin.add_scope(scope, client_id, [GROUPS_SCOPE])
    return DLHubAtGlobus(client_id, secret, scope, standin.add_client())


def main() -> None:
    parser = argparse.ArgumentParser(description="a Globus Auth and Groups stand-in")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    standin = GlobusStandin()
    sock = bound_socket(args.port)
    standin.url = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    print(f"GLOBUS_STANDIN_URL={standin.url}", flush=True)
    app = standin.app(control_routes(standin))
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
