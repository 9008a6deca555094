"""Where the SDK finds the gateway and the caller's token.

The token, in this order: the explicit argument, ``DLHUB_TOKEN``, the user's
saved login (``dlhub login``: ``$XDG_CONFIG_HOME/dlhub/login.json``, default
``~/.config``; a Globus login's access token is refreshed when it is about to
expire: dlhub_sdk.globus_login), then the ``client.json`` that ``dlhub up``
writes in its data directory (``$DLHUB_DATA_DIR``, default ``./.dlhub``). The address (and HTTP
URL) in the same order, the saved file that gave the token first, then
``127.0.0.1:8001``. ``ClientConfig.token_source`` says where the token came
from (``dlhub whoami`` prints it).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dlhub_common.errors import InvalidArgument

DEFAULT_ADDRESS = "127.0.0.1:8001"
LOGIN_FILE = "login.json"


@dataclass(frozen=True)
class ClientConfig:
    address: str
    token: str | None
    http: str | None
    token_source: str = "none"
    # where the address came from: "argument", "DLHUB_ADDRESS", a saved file, "default"
    address_source: str = "default"
    http_source: str = "none"


def config_dir() -> Path:
    """The user's DLHub config directory (platformdirs: ``$XDG_CONFIG_HOME/dlhub``,
    default ``~/.config/dlhub`` on Linux; the platform's own elsewhere)."""
    import platformdirs

    return Path(platformdirs.user_config_dir("dlhub", appauthor=False))


def login_path() -> Path:
    return config_dir() / LOGIN_FILE


def client_file_path() -> Path:
    return Path(os.environ.get("DLHUB_DATA_DIR", ".dlhub")) / "client.json"


def _read_json(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {k: str(v) for k, v in data.items() if v is not None} if isinstance(data, dict) else {}


def _client_file() -> dict[str, str]:
    return _read_json(client_file_path())


def saved_login() -> dict[str, str]:
    return _read_json(login_path())


def save_login(token: str, address: str, http: str | None, username: str, **extra: Any) -> Path:
    """Save a login (mode 0600 in a 0700 directory), replacing any earlier one.

    ``extra`` holds what a Globus login adds (dlhub_sdk.globus_login: ``kind``,
    ``refresh_token``, ``expires_at``, ``client_id``, ``scope``).
    """
    info = {
        "token": token,
        "address": address,
        "http": http,
        "username": username,
        **extra,
        "saved": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    return _write_login(info)


def _write_login(info: dict[str, Any]) -> Path:
    folder = config_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    path = folder / LOGIN_FILE
    tmp = folder / f".{LOGIN_FILE}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(info, fh, indent=2)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def is_globus_login(login: dict[str, str]) -> bool:
    return login.get("kind") == "globus"


def _fresh_globus_login(login: dict[str, str]) -> dict[str, str]:
    """A saved Globus login whose access token is current (refreshed and saved when due)."""
    from dlhub_sdk import globus_login

    if not globus_login.needs_refresh(login):
        return login
    fresh = globus_login.refresh(dict(login))
    _write_login(fresh)
    return {k: str(v) for k, v in fresh.items() if v is not None}


def remove_login() -> Path | None:
    """Forget the saved login; returns the removed file, or None when there was none."""
    path = login_path()
    try:
        path.unlink()
    except FileNotFoundError:
        return None
    return path


def forget_login(force: bool = False) -> tuple[Path | None, bool]:
    """Revoke a saved Globus login at Globus, then forget the saved login.

    Returns (the removed file or None when there was none, whether Globus revoked it).

    Raises:
        DLHubError: Globus could not revoke it (the login is kept unless ``force``).
    """
    from dlhub_common.errors import DLHubError

    login = saved_login()
    revoked = False
    if is_globus_login(login):
        from dlhub_sdk import globus_login

        try:
            globus_login.revoke(login)
            revoked = True
        except DLHubError as err:
            if not force:
                raise type(err)(
                    f"{err.message}; the login is kept (`dlhub logout --force` or"
                    " logout(force=True) removes it without revoking)"
                ) from None
    return remove_login(), revoked


# A bearer token is one run of visible ASCII (RFC 6750's b64token and more).
_HEADER_SAFE = re.compile(r"[\x21-\x7e]+\Z")


def resolve(address: str | None = None, token: str | None = None) -> ClientConfig:
    """The gateway and token to use (module docstring); a due Globus login is refreshed.

    Raises:
        Unauthenticated: the saved Globus login expired and cannot be refreshed.
        Unavailable: Globus Auth could not be reached to refresh it.
    """
    login = saved_login()
    client = _client_file()
    tok: str | None
    origin: dict[str, str] = {}
    if token:
        tok, source = token, "argument"
    elif os.environ.get("DLHUB_TOKEN"):
        tok, source = os.environ["DLHUB_TOKEN"], "DLHUB_TOKEN"
    elif login.get("token") and is_globus_login(login):
        login = origin = _fresh_globus_login(login)
        tok, source = login["token"], f"saved Globus login ({login_path()})"
    elif login.get("token"):
        tok, source, origin = login["token"], f"saved login ({login_path()})", login
    elif client.get("token"):
        tok, source, origin = client["token"], f"client file ({client_file_path()})", client
    else:
        tok, source = None, "none"
    # the file that gave the token names its gateway; else the login, then client.json
    files = [origin, login, client]
    names = {id(login): f"saved login ({login_path()})"}
    names[id(client)] = f"client file ({client_file_path()})"
    names[id(origin)] = names.get(id(origin), source)
    addr, addr_source = (
        DEFAULT_ADDRESS,
        (
            f"the default: no --address, DLHUB_ADDRESS, saved login ({login_path()})"
            f" or client file ({client_file_path()})"
        ),
    )
    if address:
        addr, addr_source = address, "--address"
    elif os.environ.get("DLHUB_ADDRESS"):
        addr, addr_source = os.environ["DLHUB_ADDRESS"], "DLHUB_ADDRESS"
    else:
        found = next((f for f in files if f.get("address")), None)
        if found is not None:
            addr, addr_source = found["address"], names[id(found)]
    http, http_source = os.environ.get("DLHUB_HTTP"), "DLHUB_HTTP"
    if not http:
        found = next((f for f in files if f.get("http")), None)
        http, http_source = (found["http"], names[id(found)]) if found else (None, "none")
    if tok and not _HEADER_SAFE.match(tok):
        # gRPC would refuse it as "Invalid metadata" after logging the header
        raise InvalidArgument(
            f"the token from {source} holds spaces or control characters (a line break copied"
            " with it?); pass the token alone",
            details={"source": source},
        )
    return ClientConfig(addr, tok or None, http, source, addr_source, http_source)
