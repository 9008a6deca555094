"""DLHub overhead against the same ONNX model run in-process.

Starts `dlhub up` (embedded mode) on free ports, publishes the digits model,
then times, side by side in one run:

* onnxruntime in this process (the floor),
* the SDK (gRPC RunServable, synchronous),
* tritonclient gRPC ModelInfer (Open Inference Protocol),
* HTTP/JSON /api/v1/.../run.

Prints a table of latency percentiles and the ratio to in-process, and
draws bench/out/overhead.png. Closes with `dlhub stats` of the digits model
(its durable usage statistics: every call above, by caller and day). Usage:

    uv run python bench/overhead.py [--calls 300] [--batch 1]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples" / "digits"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def timed(fn: Callable[[], object], calls: int, warmup: int = 20) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(calls):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1e3)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--batch", type=int, default=1)
    args = parser.parse_args()

    import httpx
    import onnxruntime as ort
    import tritonclient.grpc as tgrpc
    from digits import describe, train_and_export

    from dlhub_sdk import DLHubClient

    tmp = Path(tempfile.mkdtemp(prefix="dlhub-bench-"))
    model = tmp / "digits.onnx"
    x_test, _ = train_and_export(model)
    x = np.ascontiguousarray(x_test[: args.batch])

    http_port, grpc_port = free_port(), free_port()
    env = {
        **os.environ,
        "DLHUB_GATEWAY__HTTP_PORT": str(http_port),
        "DLHUB_GATEWAY__GRPC_PORT": str(grpc_port),
        "DLHUB_LOG_LEVEL": "WARNING",
    }
    log = (tmp / "mesh.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "dlhub_sdk.cli", "up", "--data-dir", str(tmp / "data")],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        client_file = tmp / "data" / "client.json"
        deadline = time.monotonic() + 60
        while not client_file.exists():
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit(f"mesh did not start; see {tmp / 'mesh.log'}")
            time.sleep(0.1)
        info = json.loads(client_file.read_text())
        client = DLHubClient(info["address"], info["token"])
        summary = client.publish_servable(describe(model))
        ref = f"{summary['owner']}/{summary['name']}"

        sess = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
        in_name = sess.get_inputs()[0].name
        triton = tgrpc.InferenceServerClient(info["address"])
        tin = tgrpc.InferInput(in_name, list(x.shape), "FP32")
        tin.set_data_from_numpy(x)
        http = httpx.Client(base_url=info["http"])
        body = {"inputs": x.tolist()}

        expected = sess.run(None, {in_name: x})[0]
        assert (client.run(ref, x)["label"] == expected).all()

        modes: dict[str, Callable[[], object]] = {
            "onnxruntime in-process": lambda: sess.run(None, {in_name: x}),
            "SDK gRPC (RunServable)": lambda: client.run(ref, x),
            "tritonclient gRPC (OIP)": lambda: triton.infer(
                f"{summary['owner']}.{summary['name']}", [tin]
            ),
            "HTTP/JSON /api/v1 run": lambda: http.post(
                f"/api/v1/servables/{ref}/run", json=body
            ).raise_for_status(),
        }
        results = {name: timed(fn, args.calls) for name, fn in modes.items()}
        stats_cmd = ["stats", ref, "--address", info["address"], "--token", info["token"]]
        stats = subprocess.run(
            [sys.executable, "-m", "dlhub_sdk.cli", *stats_cmd],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)

    base = statistics.median(results["onnxruntime in-process"])
    cores = os.cpu_count()
    print(f"\ndigits model, batch {args.batch}, {args.calls} calls per mode ({cores} cores)\n")
    print(f"{'mode':28} {'p50 ms':>9} {'p90 ms':>9} {'p99 ms':>9} {'x in-proc':>10}")
    for name, times in results.items():
        q = np.percentile(times, [50, 90, 99])
        print(f"{name:28} {q[0]:9.3f} {q[1]:9.3f} {q[2]:9.3f} {q[0] / base:10.1f}")
    print(f"\n$ dlhub stats {ref}\n{stats.stdout.rstrip()}{stats.stderr.rstrip()}")

    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return 0
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.boxplot(list(results.values()), orientation="horizontal", showfliers=False)
    ax.set_yticks(range(1, len(results) + 1), list(results))
    ax.set_xscale("log")
    ax.set_xlabel("latency per call (ms, log scale)")
    ax.set_title(f"DLHub overhead, digits ONNX model, batch {args.batch}")
    fig.tight_layout()
    fig.savefig(out / "overhead.png", dpi=120)
    print(f"\nplot: {out / 'overhead.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
