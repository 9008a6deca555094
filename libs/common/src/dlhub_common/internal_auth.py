"""Signed internal tokens: the caller's principal on calls between services.

The gateway authenticates public callers; the services behind it act for
that caller. Each internal gRPC call carries ``x-dlhub-principal``, a token of
the form ``<payload>.<signature>``:

* ``payload`` is base64url (no padding) of compact JSON
  ``{"u": user|null, "g": [groups], "i": [identities], "r": [roles], "exp": epoch_s}``;
* ``signature`` is base64url of HMAC-SHA256 over the payload text, keyed by
  the mesh's internal secret.

An internal server accepts a call only with a token it can verify and that
has not expired; anything else (no token, a bad signature, an expired token,
or the old unsigned ``x-dlhub-user`` header) is UNAUTHENTICATED and nothing
is done. So a process that can reach an internal port cannot claim to be
someone without the secret. The embedded mesh calls its services in-process
and signs nothing.

The secret comes from ``internal.secret`` (``DLHUB_INTERNAL__SECRET``) or, when
that is unset, from ``internal.secret_file`` (default
``$XDG_CONFIG_HOME/dlhub/internal-secret``), created with 32 random bytes and
mode 0600 by the first service that needs it. Every service of one mesh must
see the same secret; on several hosts set the variable from one secret store.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

from dlhub_common.errors import FailedPrecondition, Unauthenticated
from dlhub_common.identity import Principal

PRINCIPAL_METADATA_KEY = "x-dlhub-principal"
# The unsigned header of earlier releases: refused, never trusted.
LEGACY_USER_KEY = "x-dlhub-user"
DEFAULT_TTL_S = 300.0
# Clock difference between hosts tolerated on expiry.
SKEW_S = 30.0
MIN_SECRET_BYTES = 16
MAX_TOKEN_CHARS = 64 * 1024


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def default_secret_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "dlhub" / "internal-secret"


def load_secret_file(path: Path) -> bytes:
    """The secret in ``path``, creating it (32 random bytes, 0600) when absent.

    Several services starting at once agree on one secret: it is written to a
    temporary file and linked into place, which fails for all but the first.

    Raises:
        FailedPrecondition: the file cannot be read or created, or is too short.
    """
    path = path.expanduser()
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".internal-secret-")
            try:
                os.write(fd, _b64(secrets.token_bytes(32)).encode() + b"\n")
                os.close(fd)
                with contextlib.suppress(FileExistsError):
                    os.link(tmp, path)
            finally:
                os.unlink(tmp)
        secret = path.read_bytes().strip()
    except OSError as exc:
        raise FailedPrecondition(
            f"cannot read or create the internal secret file {path} ({exc.strerror});"
            " set internal.secret_file (DLHUB_INTERNAL__SECRET_FILE) or DLHUB_INTERNAL__SECRET"
        ) from None
    if len(secret) < MIN_SECRET_BYTES:
        raise FailedPrecondition(
            f"the internal secret in {path} is shorter than {MIN_SECRET_BYTES} bytes"
        )
    return secret


class InternalSigner:
    """Signs the caller's principal for internal calls, and verifies such tokens.

    Args:
        secret: the mesh's shared secret (at least 16 bytes).
        ttl_s: how long a signed token is accepted.
    """

    def __init__(self, secret: bytes, *, ttl_s: float = DEFAULT_TTL_S) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise FailedPrecondition(
                f"the internal secret must be at least {MIN_SECRET_BYTES} bytes"
            )
        self._key = secret
        self.ttl_s = ttl_s

    @classmethod
    def from_settings(cls, settings: Any) -> InternalSigner:
        internal = settings.internal
        if internal.secret is not None:
            secret = internal.secret.get_secret_value().encode()
        else:
            secret = load_secret_file(internal.secret_file or default_secret_file())
        return cls(secret, ttl_s=internal.token_ttl_s)

    def _mac(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode("ascii"), hashlib.sha256).digest())

    def sign(self, who: Principal, *, now: float | None = None) -> str:
        body = {
            "u": who.username,
            "g": sorted(who.groups),
            "i": sorted(who.identities),
            "r": sorted(who.roles),
            "exp": int((time.time() if now is None else now) + self.ttl_s),
        }
        payload = _b64(json.dumps(body, separators=(",", ":")).encode())
        return f"{payload}.{self._mac(payload)}"

    def verify(self, token: str, *, now: float | None = None) -> Principal:
        """The principal in ``token``.

        Raises:
            Unauthenticated: malformed, forged or expired (the token is never echoed).
        """
        if len(token) > MAX_TOKEN_CHARS or token.count(".") != 1:
            raise Unauthenticated("malformed internal token")
        payload, mac = token.split(".")
        if not hmac.compare_digest(mac, self._mac(payload)):
            raise Unauthenticated("internal token with a bad signature")
        try:
            body = json.loads(_unb64(payload))
            exp = float(body["exp"])
            who = Principal(
                body["u"],
                frozenset(body["g"]),
                frozenset(body["i"]),
                frozenset(body["r"]),
            )
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise Unauthenticated("malformed internal token") from None
        if exp + SKEW_S < (time.time() if now is None else now):
            raise Unauthenticated("expired internal token")
        return who

    def metadata(self, who: Principal) -> tuple[str, str]:
        return (PRINCIPAL_METADATA_KEY, self.sign(who))

    async def authenticate(self, metadata: dict[str, str]) -> Principal:
        """For internal gRPC servers (dlhub_common.rpc.server.Authenticator)."""
        if LEGACY_USER_KEY in metadata:
            raise Unauthenticated(
                f"{LEGACY_USER_KEY} is not trusted: internal calls carry a signed"
                f" {PRINCIPAL_METADATA_KEY} token"
            )
        token = metadata.get(PRINCIPAL_METADATA_KEY)
        if not token:
            raise Unauthenticated(
                f"internal call without a {PRINCIPAL_METADATA_KEY} token: this port serves"
                " the mesh's own services; public callers use the gateway"
            )
        return self.verify(token)
