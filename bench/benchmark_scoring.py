"""Scoring a servable on a benchmark: wall time and examples per second by batch size.

Starts `dlhub up` (embedded mode, result cache off unless --cache) on free
ports, publishes the digits model (examples/digits) and, per batch size, a
benchmark of the digits held-out split repeated to --examples examples, then
times ``ScoreBenchmark`` for that pair, the same request again (the stored
score: nothing runs), and onnxruntime in this process on the same data (the
floor). Prints one table. Usage:

    uv run python bench/benchmark_scoring.py [--examples 3600] [--batches 1,16,64,256] [--cache]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples" / "digits"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=3600)
    parser.add_argument("--batches", default="1,16,64,256")
    parser.add_argument("--cache", action="store_true", help="leave the result cache on")
    args = parser.parse_args()

    import onnxruntime as ort
    from digits import describe, train_and_export

    from dlhub_sdk import DLHubClient
    from dlhub_sdk._benchmarks import Benchmark

    tmp = Path(tempfile.mkdtemp(prefix="dlhub-bench-scoring-"))
    model = tmp / "digits.onnx"
    x_test, y_test = train_and_export(model)
    reps = -(-args.examples // len(y_test))
    x = np.concatenate([x_test] * reps)[: args.examples]
    y = np.concatenate([y_test] * reps)[: args.examples].astype(np.int64)

    http_port, grpc_port = free_port(), free_port()
    env = {
        **os.environ,
        "DLHUB_GATEWAY__HTTP_PORT": str(http_port),
        "DLHUB_GATEWAY__GRPC_PORT": str(grpc_port),
        "DLHUB_LOG_LEVEL": "WARNING",
        "DLHUB_CACHE__ENABLED": "true" if args.cache else "false",
    }
    log = (tmp / "mesh.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "dlhub_sdk.cli", "up", "--data-dir", str(tmp / "data")],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    rows = []
    try:
        client_file = tmp / "data" / "client.json"
        deadline = time.monotonic() + 90
        while not client_file.exists():
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit(f"mesh did not start; see {tmp / 'mesh.log'}")
            time.sleep(0.1)
        info = json.loads(client_file.read_text())
        client = DLHubClient(info["address"], info["token"])
        servable = describe(model)
        summary = client.publish_servable(servable)
        ref = f"{summary['owner']}/{summary['name']}"
        client.run(ref, x[:8])  # the model is loaded before anything is timed

        sess = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
        in_name = sess.get_inputs()[0].name
        for size in [int(b) for b in args.batches.split(",")]:
            t0 = time.perf_counter()
            for start in range(0, len(x), size):
                sess.run(None, {in_name: x[start : start + size]})
            floor_s = time.perf_counter() - t0

            name = f"digits-x{len(x)}-b{size}"
            bench = Benchmark.from_arrays(
                name,
                {"X": x},
                y,
                metric="accuracy",
                output="label",
                like=servable,
                batch_size=size,
            )
            bench.set_title(name).add_author("DLHub bench")
            client.publish_benchmark(bench)
            t0 = time.perf_counter()
            first = client.score_benchmark(f"{summary['owner']}/{name}", ref)
            score_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            again = client.score_benchmark(f"{summary['owner']}/{name}", ref)
            stored_ms = (time.perf_counter() - t0) * 1e3
            assert again["outcomes"][0]["already_scored"]
            value = first["outcomes"][0]["score"]["value"]
            rows.append(
                (size, -(-len(x) // size), score_s, len(x) / score_s, floor_s, stored_ms, value)
            )
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)

    cache = "on" if args.cache else "off"
    print(
        f"\nScoreBenchmark, digits ONNX, {len(x)} examples, result cache {cache},"
        f" {os.cpu_count()} cores\n"
    )
    print(
        f"{'batch':>6} {'runs':>6} {'score s':>9} {'examples/s':>11} {'in-proc s':>10}"
        f" {'x in-proc':>10} {'stored ms':>10} {'accuracy':>9}"
    )
    for size, runs, score_s, rate, floor_s, stored_ms, value in rows:
        print(
            f"{size:>6} {runs:>6} {score_s:9.2f} {rate:11.0f} {floor_s:10.3f}"
            f" {score_s / floor_s:10.0f} {stored_ms:10.1f} {value:9.4f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
