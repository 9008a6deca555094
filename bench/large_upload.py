"""Publishing a large artifact: peak memory of the gateway and the registry.

Generates a large file (2 GiB by default, random-ish content written in
chunks, deleted afterwards) and publishes it next to a tiny ONNX model as the
extra artifact ``data.bin`` (``dlhub.files.other``); the SDK sends it through
a resumable upload session (CreateUpload + 8 MiB WriteUpload chunks) and the
publish names the upload. Two layouts, one after the other:

* ``dlhub up``: the whole mesh in one process;
* ``dlhub serve registry`` + ``dlhub serve gateway``: two processes on the
  embedded backends, sharing one data directory. The registry runs on the
  in-process memory bus, so its servable events go nowhere (nothing else
  listens); publishing needs nothing more.

Each process's resident set is sampled from /proc/<pid>/status (VmRSS every
0.2 s; VmHWM, the kernel's high-water mark, at the end). Prints a table
(process, peak RSS MiB, upload wall time, MB/s) and draws
bench/out/large_upload.png. Usage:

    uv run python bench/large_upload.py [--size-mib 2048] [--tmp /tmp]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
MiB = 1 << 20
TARGET_MIB = 300


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def proc_status(pid: int, field_name: str) -> int:
    """A /proc/<pid>/status field in bytes (VmRSS, VmHWM); 0 once the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


@dataclass
class Sampler:
    """Samples VmRSS of some processes in a thread."""

    pids: dict[str, int]
    interval_s: float = 0.2
    t0: float = field(default_factory=time.monotonic)
    series: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.series = {name: [] for name in self.pids}
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            now = time.monotonic() - self.t0
            for name, pid in self.pids.items():
                self.series[name].append((now, proc_status(pid, "VmRSS") / MiB))
            self._stop.wait(self.interval_s)

    def stop(self) -> dict[str, float]:
        """Stop sampling; returns each process's VmHWM in MiB."""
        peaks = {name: proc_status(pid, "VmHWM") / MiB for name, pid in self.pids.items()}
        self._stop.set()
        self._thread.join()
        return peaks


def tiny_onnx() -> bytes:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    w = np.arange(12, dtype=np.float32).reshape(4, 3) / 10
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["X", "W"], ["Y"])],
        "tiny",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["N", 3])],
        initializer=[numpy_helper.from_array(w, "W")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return bytes(model.SerializeToString())


def metadata(name: str) -> dict[str, Any]:
    def nd(shape: list[int | None]) -> dict[str, Any]:
        return {"type": "ndarray", "shape": shape, "item_type": {"type": "float32"}}

    return {
        "datacite": {
            "creators": [{"name": "Bench, Large"}],
            "titles": [{"title": f"Large artifact benchmark {name}"}],
        },
        "dlhub": {
            "name": name,
            "visible_to": ["public"],
            "files": {"model": "model.onnx", "other": ["data.bin"]},
        },
        "servable": {
            "type": "onnx",
            "methods": {
                "run": {
                    "input": {"type": "dict", "properties": {"X": nd([None, 4])}},
                    "output": {"type": "dict", "properties": {"Y": nd([None, 3])}},
                }
            },
        },
    }


def write_artifact(path: Path, size: int) -> None:
    """Random-ish bytes in 8 MiB chunks: one random block, each chunk stamped
    with its number so no two chunks are alike."""
    block = np.random.default_rng(0).bytes(8 * MiB)
    with path.open("wb") as fh:
        n = 0
        left = size
        while left:
            piece = n.to_bytes(8, "little") + block[8 : min(8 * MiB, left)]
            fh.write(piece[:left])
            left -= min(len(piece), left)
            n += 1


def wait_for(log: Path, needle: str, proc: subprocess.Popen[bytes], timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while needle not in (log.read_text() if log.exists() else ""):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"process did not start ({needle!r}); see {log}")
        time.sleep(0.1)


def start(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "dlhub_sdk.cli", *argv],
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def stop(*procs: subprocess.Popen[bytes]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass
class Result:
    layout: str
    peaks: dict[str, float]
    wall_s: float
    upload_s: float
    series: dict[str, list[tuple[float, float]]]


def publish(address: str, token: str, name: str, model: Path, big: Path) -> tuple[float, float]:
    """Publish; returns (whole call seconds, seconds from first to last byte sent)."""
    from dlhub_sdk import DLHubClient

    marks: list[float] = []

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if not marks:
            marks.append(now)
        if done >= total:
            marks.append(now)

    t0 = time.monotonic()
    with DLHubClient(address, token, timeout=600) as client:
        summary = client.publish_servable(
            metadata(name), {"model.onnx": model, "data.bin": big}, progress=progress
        )
    wall = time.monotonic() - t0
    assert summary["version"] == 1, summary
    return wall, marks[-1] - marks[0]


def run_up(tmp: Path, model: Path, big: Path) -> Result:
    data = tmp / "up-data"
    env = {
        **os.environ,
        "DLHUB_GATEWAY__HTTP_PORT": str(free_port()),
        "DLHUB_GATEWAY__GRPC_PORT": str(free_port()),
        "DLHUB_LOG_LEVEL": "WARNING",
    }
    proc = start(["up", "--data-dir", str(data)], env, tmp / "up.log")
    try:
        client_file = data / "client.json"
        deadline = time.monotonic() + 90
        while not client_file.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"dlhub up did not start; see {tmp / 'up.log'}")
            time.sleep(0.1)
        info = json.loads(client_file.read_text())
        sampler = Sampler({"dlhub up (whole mesh)": proc.pid})
        wall, upload = publish(info["address"], info["token"], "big-up", model, big)
        peaks = sampler.stop()
    finally:
        stop(proc)
    shutil.rmtree(data, ignore_errors=True)
    return Result("dlhub up", peaks, wall, upload, sampler.series)


def run_split(tmp: Path, model: Path, big: Path) -> Result:
    data = tmp / "split-data"
    data.mkdir()
    grpc_port = free_port()
    env = {
        **os.environ,
        "DLHUB_DATA_DIR": str(data),
        "DLHUB_REGISTRY__PORT": str(free_port()),
        "DLHUB_GATEWAY__HTTP_PORT": str(free_port()),
        "DLHUB_GATEWAY__GRPC_PORT": str(grpc_port),
        "DLHUB_LOG_LEVEL": "WARNING",
    }
    from dlhub_common.settings import Settings
    from dlhub_gateway.main import tokens_for

    os.environ["DLHUB_DATA_DIR"] = str(data)
    token = tokens_for(Settings(data_dir=data)).ensure_user("bench")
    registry = start(["serve", "registry", "--data-dir", str(data)], env, tmp / "registry.log")
    gateway = start(["serve", "gateway", "--data-dir", str(data)], env, tmp / "gateway.log")
    try:
        wait_for(tmp / "registry.log", "serving gRPC", registry)
        wait_for(tmp / "gateway.log", "is up", gateway)
        sampler = Sampler({"gateway (serve)": gateway.pid, "registry (serve)": registry.pid})
        wall, upload = publish(f"127.0.0.1:{grpc_port}", token, "big-split", model, big)
        peaks = sampler.stop()
    finally:
        stop(gateway, registry)
    shutil.rmtree(data, ignore_errors=True)
    return Result("serve registry + serve gateway", peaks, wall, upload, sampler.series)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mib", type=int, default=2048)
    parser.add_argument("--tmp", default=None, help="folder for the artifact and data dirs")
    args = parser.parse_args()
    size = args.size_mib * MiB

    tmp = Path(tempfile.mkdtemp(prefix="dlhub-large-", dir=args.tmp))
    free = shutil.disk_usage(tmp).free
    if free < 4 * size:
        raise SystemExit(f"{tmp}: {free / MiB:.0f} MiB free, need about {4 * size / MiB:.0f}")
    results: list[Result] = []
    try:
        model = tmp / "model.onnx"
        model.write_bytes(tiny_onnx())
        big = tmp / "data.bin"
        t0 = time.monotonic()
        write_artifact(big, size)
        print(f"wrote {size / MiB:.0f} MiB in {time.monotonic() - t0:.1f}s ({tmp})", flush=True)
        for run in (run_up, run_split):
            results.append(run(tmp, model, big))
            print(f"{results[-1].layout}: done", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    mb = size / 1e6
    print(
        f"\n{size / MiB:.0f} MiB artifact ({os.cpu_count()} cores); 'publish' includes the"
        " client's sha256 pass, 'upload' is first to last byte sent\n"
    )
    print(
        f"{'layout':32} {'process':24} {'peak RSS MiB':>12} {'publish s':>10} {'upload s':>9}"
        f" {'MB/s':>7}"
    )
    for r in results:
        for proc, peak in r.peaks.items():
            flag = "" if "up" in proc or peak < TARGET_MIB else "  (over target)"
            print(
                f"{r.layout:32} {proc:24} {peak:12.0f} {r.wall_s:10.1f} {r.upload_s:9.1f}"
                f" {mb / r.upload_s:7.0f}{flag}"
            )

    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return 0
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(8, 4))
    for r in results:
        for proc, points in r.series.items():
            if points:
                xs, ys = zip(*points, strict=True)
                ax.plot(xs, ys, label=f"{proc} (peak {r.peaks[proc]:.0f} MiB)")
    ax.axhline(TARGET_MIB, color="grey", linestyle="--", linewidth=1, label="target 300 MiB")
    ax.set_xlabel("seconds since the publish started")
    ax.set_ylabel("resident set (MiB)")
    ax.set_title(f"Publishing a {size / MiB:.0f} MiB artifact: memory per process")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "large_upload.png", dpi=120)
    print(f"\nplot: {out / 'large_upload.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
