"""GPU serving: raw torch and raw ONNX Runtime on a device vs the same models through DLHub.

A prepared script for a machine with an NVIDIA GPU, run in one go. It builds a
small CIFAR-size residual CNN with random weights in torch (nothing is
downloaded), saves it as TorchScript and exports it to ONNX with the SDK's
``TorchServable`` (which checks both against the module), then times, on one
device, side by side:

* raw torch: the saved TorchScript module on the device (numpy in, the input
  copied to the device, the output copied back, as the executor does);
* raw onnxruntime: an InferenceSession with the executor's providers for the
  device (CUDAExecutionProvider with device_id, then CPU);
* the same two models published to ``dlhub up`` started with
  ``DLHUB_EXECUTOR_OPTIONS__DEVICE=<device>`` and run through the SDK (gRPC
  RunServable); every such run's reported device (TaskTimings.device) must be
  the device asked for, and its outputs must match the raw run's;

each at batch 1 and at ``--batch`` rows per request, plus the mesh at batch 1
with ``--clients`` concurrent callers (dynamic batching, where the executor
has it, folds those into larger model calls). All rows are timed in
interleaved rounds (``--rounds``), so a noisy neighbour slows them alike. It
prints a table (p50/p99 per
call, items/s, the mesh's p50 over the raw p50 of the same runtime and batch)
and writes it as markdown to ``--out``.

    uv run python bench/gpu.py                 # on a GPU machine (default --device cuda)
    uv run python bench/gpu.py --device cpu --calls 20 --batch 8   # the script's own check

Exits with status 2 and a message when the device is not usable (no GPU
visible to torch). A runtime that cannot use the device is skipped with the
reason in the table, not fatal: ONNX rows need onnxruntime-gpu
(``dlhub-executor[gpu]``) in place of onnxruntime; with the CPU wheel the
torch rows still run on the GPU.

Needs the workspace's packages (``make install``), or, on a machine without
network, python with torch, onnx, onnxruntime(-gpu) and the mesh's
third-party packages: the DLHub packages themselves are taken from this
checkout (libs/*/src, services/*/src) when they are not installed.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [*sorted(ROOT.glob("libs/*/src")), *sorted(ROOT.glob("services/*/src"))]
Array = np.ndarray[Any, Any]


def _import_workspace() -> None:
    """Import the DLHub packages, from this checkout when they are not installed."""
    try:
        import dlhub_executor.devices  # noqa: F401
        import dlhub_sdk  # noqa: F401
    except ImportError as exc:
        if exc.name and exc.name.startswith("dlhub_"):
            sys.path[:0] = [str(p) for p in SOURCES]
            os.environ["PYTHONPATH"] = os.pathsep.join(
                [*map(str, SOURCES), *filter(None, [os.environ.get("PYTHONPATH")])]
            )
            return _import_workspace()
        raise SystemExit(
            f"bench/gpu.py: missing Python package {exc.name!r}: install the workspace"
            " (make install), or bring that package's wheel"
        ) from None


# ------------------------------------------------------------------ the model


def build_cnn(torch: Any) -> Any:
    """A CIFAR-size residual CNN (3x32x32 in, 10 logits out), random weights, seed 0."""
    nn = torch.nn

    class Block(nn.Module):  # type: ignore[misc]
        def __init__(self, cin: int, cout: int, stride: int) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.skip = (
                nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
                if stride != 1 or cin != cout
                else nn.Identity()
            )

        def forward(self, x: Any) -> Any:
            y = torch.relu(self.bn1(self.conv1(x)))
            return torch.relu(self.bn2(self.conv2(y)) + self.skip(x))

    class SmallResNet(nn.Module):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.stem = nn.Sequential(nn.Conv2d(3, 32, 3, 1, 1, bias=False), nn.BatchNorm2d(32))
            self.stages = nn.Sequential(
                Block(32, 32, 1), Block(32, 64, 2), Block(64, 64, 1), Block(64, 128, 2)
            )
            self.head = nn.Linear(128, 10)

        def forward(self, image: Any) -> Any:
            x = self.stages(torch.relu(self.stem(image)))
            return self.head(x.mean(dim=(2, 3)))

    torch.manual_seed(0)
    return SmallResNet().eval()


def export_models(folder: Path) -> tuple[Any, Any]:
    """The TorchScript servable and its ONNX twin, files in ``folder``."""
    import torch

    from dlhub_sdk.models import TorchServable

    example = torch.randn(4, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    servable = (
        TorchServable(
            build_cnn(torch),
            example,
            "gpu-bench-cnn",
            input_names=["image"],
            output_names=["logits"],
            output_dir=folder,
        )
        .set_title("GPU benchmark CNN (random weights)")
        .add_author("DLHub, Bench")
    )
    return servable, servable.to_onnx(folder / "model.onnx")


# ------------------------------------------------------------------ timing


@dataclass
class Row:
    runtime: str  # "torch" | "onnxruntime"
    path: str  # "raw" | "mesh"
    batch: int
    clients: int = 1
    times_ms: list[float] | None = None
    wall_s: float = 0.0
    device: str = ""
    note: str = ""
    fn: Callable[[], object] | None = None  # one call; None when skipped

    def p(self, q: float) -> float:
        return float(np.percentile(self.times_ms, q)) if self.times_ms else float("nan")

    @property
    def items_per_s(self) -> float:
        if not self.times_ms or self.wall_s <= 0:
            return float("nan")
        return len(self.times_ms) * self.batch / self.wall_s


def timed(fn: Callable[[], object], calls: int, max_s: float) -> tuple[list[float], float]:
    """Per-call latencies (ms) and the wall time of the timed calls, one caller."""
    out: list[float] = []
    start = time.perf_counter()
    while len(out) < calls and (time.perf_counter() - start < max_s or len(out) < 3):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1e3)
    return out, time.perf_counter() - start


def timed_concurrent(
    fn: Callable[[], object], calls: int, clients: int
) -> tuple[list[float], float]:
    """The same with ``clients`` threads calling at once (``calls`` in all)."""

    def one(_: int) -> float:
        t0 = time.perf_counter()
        fn()
        return (time.perf_counter() - t0) * 1e3

    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        start = time.perf_counter()
        out = list(pool.map(one, range(calls)))
        return out, time.perf_counter() - start


def run_rounds(rows: list[Row], calls: int, rounds: int, warmup: int, max_s: float) -> None:
    """Time every runnable row, interleaved: each round gives each row its share of calls,
    so a noisy neighbour slows all of them alike and the ratios hold."""
    live = [r for r in rows if r.fn is not None]
    for row in live:
        assert row.fn is not None
        for _ in range(warmup * row.clients):
            row.fn()
    share = max(1, calls // rounds)
    for _ in range(rounds):
        for row in live:
            assert row.fn is not None
            if row.clients > 1:
                times, wall = timed_concurrent(row.fn, share, row.clients)
            else:
                times, wall = timed(row.fn, share, max_s / rounds)
            row.times_ms = [*(row.times_ms or []), *times]
            row.wall_s += wall


# ------------------------------------------------------------------ runtimes


def raw_torch(path: Path, device: Any) -> Callable[[Array], Array]:
    import torch

    where = str(device)
    module = torch.jit.load(str(path), map_location=where).eval()

    def run(x: Array) -> Array:
        with torch.inference_mode():
            out: Array = module(torch.from_numpy(x).to(where)).cpu().numpy()
            return out

    return run


def raw_onnxruntime(path: Path, device: Any) -> Callable[[Array], Array]:
    """An InferenceSession set up as the executor sets its own (threads, optimisation)."""
    import onnxruntime as ort

    from dlhub_executor.devices import onnx_providers, session_device

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = os.cpu_count() or 1
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    providers = onnx_providers(device, list(ort.get_available_providers()))
    if device.is_cuda and hasattr(ort, "preload_dlls"):
        ort.preload_dlls()
    session = ort.InferenceSession(str(path), sess_options=opts, providers=providers)
    session_device(device, list(session.get_providers()))  # refuse a CPU fall-back
    name = session.get_inputs()[0].name

    def run(x: Array) -> Array:
        out: Array = session.run(None, {name: x})[0]
        return out

    return run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Mesh:
    """``dlhub up`` in a child process, on free ports, with the executor on ``device``."""

    def __init__(self, data: Path, device: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DLHUB_")}
        env.update(
            DLHUB_GATEWAY__HTTP_PORT=str(free_port()),
            DLHUB_GATEWAY__GRPC_PORT=str(free_port()),
            DLHUB_EXECUTOR_OPTIONS__DEVICE=device,
            DLHUB_LOG_LEVEL="WARNING",
        )
        self.log_path = data.parent / "mesh.log"
        self.log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "dlhub_sdk.cli", "up", "--data-dir", str(data)],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        client_file = data / "client.json"
        deadline = time.monotonic() + 120
        while not client_file.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                tail = self.log_path.read_text()[-2000:]
                raise SystemExit(f"bench/gpu.py: dlhub up did not start:\n{tail}")
            time.sleep(0.1)
        info = json.loads(client_file.read_text())
        from dlhub_sdk import DLHubClient

        self.client = DLHubClient(info["address"], info["token"])

    def publish(self, servable: Any) -> str:
        summary = self.client.publish_servable(servable)
        return f"{summary['owner']}/{summary['name']}"

    def runner(self, ref: str, name: str) -> Callable[[Array], Array]:
        def run(x: Array) -> Array:
            out: Array = self.client.run(ref, {name: x})["logits"]
            return out

        return run

    def reported_device(self, ref: str, name: str, x: Array) -> str:
        """Where one asynchronous run of ``ref`` ran, from its task status."""
        future = self.client.run(ref, {name: x}, asynchronous=True)
        future.result(timeout=120)
        timings = self.client.get_task_status(future.task_id).get("timings") or {}
        return str(timings.get("device") or "")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


# ------------------------------------------------------------------ the run


def check_device(device_text: str) -> Any:
    """The parsed device; exits 2 when torch cannot use it."""
    import torch

    from dlhub_common.errors import DLHubError
    from dlhub_executor.devices import Device

    try:
        device = Device.parse(device_text)
    except DLHubError as exc:
        raise SystemExit(f"bench/gpu.py: --device: {exc.message}") from None
    if device.is_cuda:
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if device.gpu >= count:
            seen = f"torch sees {count} GPU(s)" if count else "torch.cuda.is_available() is false"
            print(
                f"bench/gpu.py: no GPU {device}: {seen} (torch {torch.__version__},"
                f" built for CUDA {torch.version.cuda or 'none'}).\n"
                "Run it on a GPU machine, or pass --device cpu to check the script itself.",
                file=sys.stderr,
            )
            raise SystemExit(2)
    return device


def gpu_name(device: Any) -> str:
    import torch

    if device.is_cuda:
        return str(torch.cuda.get_device_name(device.gpu))
    return f"CPU ({os.cpu_count()} cores)"


def measure(args: argparse.Namespace) -> tuple[list[Row], str]:
    import torch

    device = check_device(args.device)
    expected = str(device)
    tmp = Path(tempfile.mkdtemp(prefix="dlhub-gpu-bench-"))
    torch_servable, onnx_servable = export_models(tmp / "models")
    rng = np.random.default_rng(0)
    inputs = {b: rng.standard_normal((b, 3, 32, 32)).astype(np.float32) for b in (1, args.batch)}
    rows: list[Row] = []
    raws: dict[str, Callable[[Array], Array] | str] = {}
    for runtime, factory, path in (
        ("torch", raw_torch, torch_servable.model_path),
        ("onnxruntime", raw_onnxruntime, tmp / "models" / "model.onnx"),
    ):
        try:
            raws[runtime] = factory(path, device)
        except Exception as exc:  # a runtime that cannot use the device: say why, go on
            raws[runtime] = f"skipped: {getattr(exc, 'message', None) or exc}"
    for runtime, raw in raws.items():
        for batch, x in inputs.items():
            if isinstance(raw, str):
                rows.append(Row(runtime, "raw", batch, note=raw))
            else:
                rows.append(Row(runtime, "raw", batch, device=expected, fn=partial(raw, x)))

    mesh = Mesh(tmp / "data", args.device)
    try:
        refs = {"torch": mesh.publish(torch_servable), "onnxruntime": mesh.publish(onnx_servable)}
        for runtime, ref in refs.items():
            fn = mesh.runner(ref, "image")
            raw = raws[runtime]
            try:
                reported = mesh.reported_device(ref, "image", inputs[1])
                if reported != expected:
                    raise AssertionError(f"the mesh reported device {reported!r}, not {expected!r}")
                for x in inputs.values():
                    got = fn(x)
                    if not isinstance(raw, str):
                        np.testing.assert_allclose(got, raw(x), rtol=1e-3, atol=1e-4)
            except Exception as exc:
                note = f"skipped: {getattr(exc, 'message', None) or exc}"
                rows += [Row(runtime, "mesh", b, note=note) for b in inputs]
                rows.append(Row(runtime, "mesh", 1, clients=args.clients, note=note))
                continue
            rows += [
                Row(runtime, "mesh", b, device=reported, fn=partial(fn, x))
                for b, x in inputs.items()
            ]
            rows.append(
                Row(
                    runtime,
                    "mesh",
                    1,
                    clients=args.clients,
                    device=reported,
                    fn=partial(fn, inputs[1]),
                )
            )
        run_rounds(rows, args.calls, args.rounds, args.warmup, args.max_s)
    finally:
        mesh.stop()
    header = (
        f"{gpu_name(device)}, device {expected}, torch {torch.__version__},"
        f" {onnx_version()}; SmallResNet 3x32x32 (random weights), {args.calls} calls per row"
        f" in {args.rounds} interleaved rounds"
    )
    return rows, header


def onnx_version() -> str:
    import importlib.metadata as md

    for dist in ("onnxruntime-gpu", "onnxruntime"):
        try:
            return f"{dist} {md.version(dist)}"
        except md.PackageNotFoundError:
            continue
    return "onnxruntime (version unknown)"


def table(rows: list[Row], header: str) -> str:
    base = {(r.runtime, r.batch): r.p(50) for r in rows if r.path == "raw" and r.times_ms}
    lines = [
        header,
        "",
        "| runtime | path | batch | clients | p50 ms | p99 ms | items/s | p50 / raw p50 | device |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    skipped = []
    for r in rows:
        if r.note:
            skipped.append(f"- {r.runtime} {r.path} batch {r.batch}: {r.note}")
            continue
        ref = base.get((r.runtime, r.batch)) if r.clients == 1 else None
        ratio = f"{r.p(50) / ref:.2f}" if ref else ""
        lines.append(
            f"| {r.runtime} | {r.path} | {r.batch} | {r.clients} | {r.p(50):.3f} | {r.p(99):.3f}"
            f" | {r.items_per_s:,.0f} | {ratio} | {r.device} |"
        )
    if skipped:
        lines += ["", "Skipped:", *dict.fromkeys(skipped)]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cuda", help="cpu, cuda or cuda:N (default cuda)")
    parser.add_argument("--batch", type=int, default=64, help="rows per batched request")
    parser.add_argument("--calls", type=int, default=200, help="timed calls per row")
    parser.add_argument("--clients", type=int, default=16, help="concurrent mesh callers")
    parser.add_argument("--warmup", type=int, default=10, help="untimed calls first")
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds of all rows")
    parser.add_argument("--max-s", type=float, default=30.0, help="time cap per row, seconds")
    parser.add_argument(
        "--out", type=Path, default=None, help="markdown table (default bench/out/)"
    )
    args = parser.parse_args()
    if args.batch < 2 or min(args.calls, args.clients, args.rounds) < 1:
        parser.error("--batch must be at least 2; --calls, --clients and --rounds at least 1")
    _import_workspace()
    rows, header = measure(args)
    text = table(rows, header)
    print("\n" + text)
    out = args.out or ROOT / "bench" / "out" / f"gpu-{args.device.replace(':', '')}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(f"table: {out}")
    measured = [r for r in rows if r.times_ms]
    return 0 if any(r.path == "mesh" for r in measured) else 1


if __name__ == "__main__":
    sys.exit(main())
