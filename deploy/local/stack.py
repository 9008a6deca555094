"""The local stack of real servers: Kafka, OpenSearch, FerretDB (MongoDB wire), S3.

    python -m deploy.local.stack obtain [ENGINE ...]   # download/build only (cached)
    python -m deploy.local.stack up [ENGINE ...]   # obtain (cached), start, write state
    python -m deploy.local.stack down              # stop what `up` started
    python -m deploy.local.stack env               # print DLHUB_* settings (for dlhub serve)
    python -m deploy.local.stack status            # addresses, pids, memory

Everything binds 127.0.0.1 on free ports. Downloads are cached under
~/.cache/dlhub-stack. The state (addresses, pids) is written to
deploy/local/.state/stack.json and the settings to deploy/local/.state/stack.env,
which tests and `dlhub serve` read.
"""

from __future__ import annotations

import argparse
import importlib
import json
import shlex
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

from deploy.local.common import CACHE, Server
from deploy.local.engines import ENGINES

STATE_DIR = Path(__file__).resolve().parent / ".state"
STATE_FILE = STATE_DIR / "stack.json"
ENV_FILE = STATE_DIR / "stack.env"


def engine(name: str) -> ModuleType:
    if name not in ENGINES:
        raise SystemExit(f"unknown engine {name!r}; choose from {', '.join(ENGINES)}")
    return importlib.import_module(f"deploy.local.engines.{name}")


def start(name: str, run_dir: Path, ports: dict[str, int] | None = None) -> Server:
    """Obtain (cached) and start one engine; returns once it answers."""
    mod = engine(name)
    mod.obtain(CACHE)
    t0 = time.monotonic()
    server: Server = mod.start(run_dir / name, CACHE, ports)
    server.started_s = time.monotonic() - t0
    return server


def load_state() -> dict[str, Server]:
    try:
        data = json.loads(STATE_FILE.read_text())
    except (OSError, ValueError):
        return {}
    servers = {name: Server.from_json(s) for name, s in data.get("servers", {}).items()}
    return {n: s for n, s in servers.items() if s.alive()}


def save_state(servers: dict[str, Server]) -> None:
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    STATE_FILE.write_text(
        json.dumps({"servers": {n: s.to_json() for n, s in servers.items()}}, indent=2)
    )
    env: dict[str, str] = {}
    for s in servers.values():
        env.update(s.env)
    ENV_FILE.write_text(env_lines(env))


def env_lines(env: dict[str, str]) -> str:
    """``KEY=value`` lines that a POSIX shell can source (``set -a; . stack.env``).

    Values are shell-quoted: JSON list settings (``["http://..."]``) keep
    their quotes, which an unquoted line would lose to the shell;
    python-dotenv reads the same quoting.
    """
    return "".join(f"{k}={shlex.quote(v)}\n" for k, v in sorted(env.items()))


def up(names: Iterable[str]) -> dict[str, Server]:
    servers = load_state()
    for name in names:
        if name in servers:
            print(f"{name}: already running (pid {servers[name].pid})")
            continue
        server = start(name, STATE_DIR / "run")
        servers[name] = server
        save_state(servers)
        mem = server.rss_mb()
        print(f"{name}: up in {server.started_s:.1f}s, ports {server.ports}, {mem:.0f} MiB")
    return servers


def down() -> None:
    for name, server in load_state().items():
        server.stop()
        print(f"{name}: stopped")
    save_state({})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.local.stack")
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("up")
    p.add_argument("engines", nargs="*", default=list(ENGINES))
    p = sub.add_parser("obtain")
    p.add_argument("engines", nargs="*", default=list(ENGINES))
    sub.add_parser("down")
    sub.add_parser("env")
    sub.add_parser("status")
    args = parser.parse_args(argv)
    if args.cmd == "up":
        up(args.engines)
    elif args.cmd == "obtain":
        for name in args.engines:
            t0 = time.monotonic()
            engine(name).obtain(CACHE)
            print(f"{name}: obtained in {time.monotonic() - t0:.1f}s (cache {CACHE})")
    elif args.cmd == "down":
        down()
    elif args.cmd == "env":
        sys.stdout.write(ENV_FILE.read_text() if ENV_FILE.exists() else "")
    else:
        for name, s in load_state().items():
            print(f"{name:11} pid {s.pid:7} ports {s.ports} {s.rss_mb():6.0f} MiB  {s.info}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
