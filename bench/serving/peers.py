"""The peers: MLServer 1.7.1 and KServe 0.21.0, each in its own venv, same ONNX files.

The venvs live in bench/.cache/venvs/<peer> and are made with ``uv venv`` +
``uv pip install`` on first use (a stamp file records a complete install).
Each serves the files through a small custom runtime of ours
(bench/serving/runtimes/), with onnxruntime sized like DLHub's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

from bench.serving.models import CACHE, ModelFile
from bench.serving.procs import Server, free_ports
from bench.serving.systems import System

RUNTIMES = Path(__file__).resolve().parent / "runtimes"
VENVS = CACHE / "venvs"
PACKAGES = {
    # uvloop 0.23 breaks MLServer 1.7.1's worker start ("no current event loop").
    "mlserver": ["mlserver==1.7.1", "uvloop==0.21.0", "onnxruntime"],
    "kserve": ["kserve==0.21.0", "onnxruntime"],
    "tools": ["py-spy"],  # bench/serving/profile.py
}


def _uv() -> str:
    found = os.environ.get("UV") or shutil.which("uv") or str(Path.home() / ".local" / "bin" / "uv")
    if not Path(found).exists():
        raise RuntimeError("uv is not installed (make install installs it)")
    return found


def ensure_venv(peer: str) -> Path:
    """The peer's venv, created and filled on first use; raises with uv's output on failure."""
    venv = VENVS / peer
    packages = PACKAGES[peer]
    stamp = venv / ".bench-complete"
    if stamp.is_file() and stamp.read_text() == " ".join(packages):
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    # The interpreter of this run, so no Python download is needed.
    base = getattr(sys, "_base_executable", sys.executable)
    env = {**os.environ, "VIRTUAL_ENV": str(venv)}
    env.pop("UV_PROJECT_ENVIRONMENT", None)
    for argv in (
        [_uv(), "venv", "--quiet", "--python", base, str(venv)],
        [_uv(), "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), *packages],
    ):
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            raise RuntimeError(f"`{' '.join(argv[:3])}` failed: {done.stderr.strip()[-800:]}")
    stamp.write_text(" ".join(packages))
    return venv


def _ready(http_port: int, names: list[str]) -> bool:
    for name in names:
        url = f"http://127.0.0.1:{http_port}/v2/models/{name}/ready"
        with urllib.request.urlopen(url, timeout=2) as resp:
            if resp.status != 200:
                return False
    return True


def _peer_env(threads: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DLHUB_", "VIRTUAL_ENV"))}
    env.update(BENCH_ORT_THREADS=str(threads), PYTHONPATH=str(RUNTIMES), PYTHONUNBUFFERED="1")
    return env


def start_mlserver(models: list[ModelFile], threads: int, workdir: Path) -> System:
    venv = ensure_venv("mlserver")
    version = "1.7.1"
    repo = workdir / "mlserver-models"
    http_port, grpc_port, metrics_port = free_ports(3)
    for model in models:
        folder = repo / model.key
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "model-settings.json").write_text(
            json.dumps(
                {
                    "name": model.key,
                    "implementation": "mlserver_onnx.OnnxModel",
                    "parameters": {"uri": str(model.path)},
                }
            )
        )
    (repo / "settings.json").write_text(
        json.dumps(
            {
                "host": "127.0.0.1",
                "http_port": http_port,
                "grpc_port": grpc_port,
                "metrics_port": metrics_port,
                # 0: inference in the server's own process, its fastest mode on 2 cores.
                "parallel_workers": 0,
                "load_models_at_startup": True,
            }
        )
    )
    server = Server.start(
        "MLServer",
        [str(venv / "bin" / "mlserver"), "start", str(repo)],
        workdir / "mlserver.log",
        _peer_env(threads),
        cwd=repo,
    )
    names = [m.key for m in models]
    try:
        server.wait_until(lambda: _ready(http_port, names), 120, "models")
    except BaseException:
        server.stop()
        raise
    return System(
        name=f"MLServer {version}",
        grpc=f"127.0.0.1:{grpc_port}",
        http=f"127.0.0.1:{http_port}",
        models={m.key: m.key for m in models},
        servers=[server],
        note="custom MLModel runtime, parallel_workers=0",
    )


def start_kserve(models: list[ModelFile], threads: int, workdir: Path) -> System:
    venv = ensure_venv("kserve")
    http_port, grpc_port = free_ports(2)
    env = _peer_env(threads)
    env.update(
        BENCH_MODELS=",".join(f"{m.key}={m.path}" for m in models),
        BENCH_HTTP_PORT=str(http_port),
        BENCH_GRPC_PORT=str(grpc_port),
    )
    server = Server.start(
        "KServe",
        [str(venv / "bin" / "python"), str(RUNTIMES / "kserve_onnx.py")],
        workdir / "kserve.log",
        env,
        cwd=workdir,
    )
    names = [m.key for m in models]
    try:
        server.wait_until(lambda: _ready(http_port, names), 120, "models")
    except BaseException:
        server.stop()
        raise
    return System(
        name="KServe 0.21.0",
        grpc=f"127.0.0.1:{grpc_port}",  # it binds 0.0.0.0; we use loopback only
        http=f"127.0.0.1:{http_port}",
        models={m.key: m.key for m in models},
        servers=[server],
        note="custom Model subclass, ModelServer workers=1, latency logging off",
    )
