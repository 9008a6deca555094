"""Where the SDK finds the gateway and the caller's token.

Order: explicit arguments, then ``DLHUB_ADDRESS`` / ``DLHUB_TOKEN``, then the
``client.json`` that ``dlhub up`` writes in its data directory
(``$DLHUB_DATA_DIR``, default ``./.dlhub``), then ``127.0.0.1:8001``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_ADDRESS = "127.0.0.1:8001"


@dataclass(frozen=True)
class ClientConfig:
    address: str
    token: str | None
    http: str | None


def _client_file() -> dict[str, str]:
    data_dir = Path(os.environ.get("DLHUB_DATA_DIR", ".dlhub"))
    path = data_dir / "client.json"
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {k: str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def resolve(address: str | None = None, token: str | None = None) -> ClientConfig:
    saved = _client_file()
    addr = address or os.environ.get("DLHUB_ADDRESS") or saved.get("address") or DEFAULT_ADDRESS
    tok = token or os.environ.get("DLHUB_TOKEN") or saved.get("token") or None
    http = os.environ.get("DLHUB_HTTP") or saved.get("http") or None
    return ClientConfig(addr, tok, http)
