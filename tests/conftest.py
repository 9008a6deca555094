"""Session-wide fixtures: the local stack of real engines.

``stack.require("kafka")`` returns a running Kafka: the one `make stack-up`
started (deploy/local/.state/stack.json) when it is alive, otherwise one this
test session starts on free ports and stops at the end. Engines start only
when a test asks for them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy.local import stack as local_stack
from deploy.local.common import Server


class Stack:
    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self.servers: dict[str, Server] = {}
        self.owned: set[str] = set()

    def require(self, name: str) -> Server:
        server = self.servers.get(name)
        if server is not None and server.alive():
            return server
        shared = local_stack.load_state().get(name)
        if shared is not None:
            self.servers[name] = shared
            return shared
        server = local_stack.start(name, self.run_dir)
        print(f"\n[stack] {name} up in {server.started_s:.1f}s, {server.rss_mb():.0f} MiB RSS")
        self.servers[name] = server
        self.owned.add(name)
        return server

    def close(self) -> None:
        for name in list(self.owned):
            t0 = time.monotonic()
            self.servers[name].stop()
            print(f"[stack] {name} stopped in {time.monotonic() - t0:.1f}s")
        self.owned.clear()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    s = Stack(tmp_path_factory.mktemp("stack"))
    try:
        yield s
    finally:
        s.close()


@pytest.fixture(scope="session", autouse=True)
def _private_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The SDK remembers upload sessions under $XDG_CACHE_HOME and logins under
    $XDG_CONFIG_HOME: keep tests out of ~/.cache and ~/.config."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
        patch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg-config")))
        yield
