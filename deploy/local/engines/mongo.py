"""FerretDB v1.24.2 (MongoDB wire protocol) on its pure-Go SQLite backend.

``obtain`` builds the binary once from the Go module into
``<cache>/ferretdb-1.24.2/bin``; ``start`` runs it on 127.0.0.1 with its state
and SQLite files under the work dir, telemetry and the debug listener off, and
returns once a PyMongo ``ping`` succeeds.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from deploy.local.common import Server, free_port, launch, locked

VERSION = "1.24.2"
MODULE = f"github.com/FerretDB/FerretDB@v{VERSION}"
READY_TIMEOUT_S = 60.0


def binary(cache: Path) -> Path:
    return cache / f"ferretdb-{VERSION}" / "bin" / "ferretdb"


def obtain(cache: Path) -> Path:
    """Build FerretDB into the cache unless it is already there. Returns the binary.

    A plain ``GOBIN=... go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2``
    builds a binary that panics at start-up ("Invalid build/version/version.txt"):
    FerretDB embeds that generated file, which the module zip lacks. So the module
    is fetched with ``go mod download`` (the Go module cache is reused), copied to
    ``<cache>/ferretdb-1.24.2/src``, given ``version.txt`` and built with
    ``go build`` into ``bin/``.
    """
    target = binary(cache)
    if target.is_file() and os.access(target, os.X_OK):
        return target
    go = shutil.which("go")
    if go is None:
        raise RuntimeError("FerretDB is built from source: install Go (https://go.dev/dl/)")
    home = target.parent.parent
    with locked(home):  # one build at a time (parallel test runs)
        if not target.is_file():
            _build(go, home, target)
    return target


def _build(go: str, home: Path, target: Path) -> None:
    env = {
        **os.environ,
        "GOWORK": "off",  # never pick up an enclosing go.work
        "GOFLAGS": "-mod=mod -buildvcs=false",
        "CGO_ENABLED": "0",  # the SQLite backend is pure Go
    }
    print(f"[mongo] building FerretDB v{VERSION} (first time only, a few minutes)", file=sys.stderr)
    download = _go(go, ["mod", "download", "-json", MODULE], env, home)
    module_dir = Path(json.loads(download)["Dir"])
    src = home / "src"
    if src.exists():
        shutil.rmtree(src)
    shutil.copytree(module_dir, src)
    for path in (src, *src.rglob("*")):  # the module cache is read-only
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    (src / "build" / "version" / "version.txt").write_text(f"v{VERSION}\n")
    (src / "build" / "version" / "package.txt").write_text("dlhub-local\n")
    tmp = target.with_name(target.name + ".tmp")
    _go(go, ["build", "-trimpath", "-o", str(tmp), "./cmd/ferretdb"], env, src)
    tmp.replace(target)


def _go(go: str, args: list[str], env: dict[str, str], cwd: Path) -> str:
    done = subprocess.run(
        [go, *args],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"go {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-4000:]}"
        )
    return done.stdout


def _ping(url: str) -> bool:
    from pymongo import MongoClient

    client: MongoClient[dict[str, object]] = MongoClient(
        url, serverSelectionTimeoutMS=1000, connectTimeoutMS=1000
    )
    try:
        client.admin.command("ping")
        return True
    finally:
        client.close()


def start(workdir: Path, cache: Path, ports: dict[str, int] | None = None) -> Server:
    """Run FerretDB on 127.0.0.1 (``ports["mongo"]`` when given, else a free port)."""
    exe = obtain(cache)
    port = (ports or {}).get("mongo") or free_port()
    state_dir, data_dir, log = workdir / "state", workdir / "sqlite", workdir / "ferretdb.log"
    for d in (state_dir, data_dir):
        d.mkdir(parents=True, exist_ok=True)
    cmd = [
        str(exe),
        "--handler=sqlite",
        f"--sqlite-url=file:{data_dir.resolve()}/",
        f"--listen-addr=127.0.0.1:{port}",
        f"--state-dir={state_dir.resolve()}",
        "--debug-addr=-",
        "--telemetry=disable",
        "--log-level=error",  # warn logs every endSessions PyMongo sends (unsupported)
    ]
    url = f"mongodb://127.0.0.1:{port}/"
    return launch(
        "mongo",
        cmd,
        workdir=workdir,
        log=log,
        ports={"mongo": port},
        env={"DLHUB_DOCUMENTS__TYPE": "mongo", "DLHUB_DOCUMENTS__URL": url},
        info={"url": url},
        ready=lambda: _ping(url),
        timeout=READY_TIMEOUT_S,
        what="ferretdb",
        stop_timeout=10,
        process_env={"FERRETDB_TELEMETRY": "disable", "DO_NOT_TRACK": "1"},
    )
