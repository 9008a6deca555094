"""A bound on the request bodies the gateway holds at once, per caller and in total.

A JSON body is parsed into Python objects several times its size, before the
task manager's admission can see it: 32 callers sending 64 MiB bodies at once
would hold gigabytes. Requests whose declared body would pass a limit are
refused with 429 (OVERLOADED) and ``Retry-After`` before their body is read.
A caller with nothing in flight is always let in: one body is bounded by the
message limit instead. Artifact uploads are streamed to the object store and
are not counted.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from dlhub_common.errors import Overloaded
from dlhub_common.settings import MiB
from dlhub_gateway.http.responses import error_response

RETRY_AFTER_S = 1


def _mib(n: int) -> str:
    return f"{n / MiB:.0f} MiB" if n >= MiB else f"{n} bytes"


class InflightBytes:
    """ASGI middleware counting the declared body bytes of requests in progress.

    Args:
        limit: bytes of request bodies in progress, in total.
        per_caller: the same per caller (per ``Authorization`` header; all
            anonymous callers share one count).
        exempt: which requests are not counted (streamed uploads).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int,
        per_caller: int,
        exempt: Callable[[Scope], bool] = lambda _scope: False,
    ) -> None:
        self.app = app
        self.limit = limit
        self.per_caller = per_caller
        self.exempt = exempt
        self.total = 0
        self._callers: dict[bytes, int] = {}
        self.refused = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.exempt(scope):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"")
        size = int(length) if length.isdigit() else 0
        if size == 0:
            await self.app(scope, receive, send)
            return
        caller = headers.get(b"authorization", b"")
        held = self._callers.get(caller, 0)
        error = self._refusal(size, held)
        if error is not None:
            self.refused += 1
            await error_response(error)(scope, receive, send)
            return
        self.total += size
        self._callers[caller] = held + size
        try:
            await self.app(scope, receive, send)
        finally:
            self.total -= size
            left = self._callers[caller] - size
            if left:
                self._callers[caller] = left
            else:
                del self._callers[caller]

    def _refusal(self, size: int, held: int) -> Overloaded | None:
        details = {"retry_after_s": RETRY_AFTER_S}
        if self.total and self.total + size > self.limit:
            return Overloaded(
                f"the gateway holds {_mib(self.total)} of request bodies; {_mib(size)} more"
                f" would pass its limit of {_mib(self.limit)}"
                f" (settings gateway.max_inflight_request_bytes); retry in {RETRY_AFTER_S} s",
                details={**details, "scope": "gateway_bytes", "limit_bytes": self.limit},
            )
        if held and held + size > self.per_caller:
            return Overloaded(
                f"this caller has {_mib(held)} of request bodies in progress; {_mib(size)} more"
                f" would pass the limit per caller of {_mib(self.per_caller)}"
                f" (settings gateway.max_inflight_request_bytes_per_caller);"
                f" retry in {RETRY_AFTER_S} s",
                details={
                    **details,
                    "scope": "gateway_caller_bytes",
                    "limit_bytes": self.per_caller,
                },
            )
        return None
