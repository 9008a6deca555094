"""Frames/second a stream binding sustains: the beamline example, embedded and over Kafka.

    uv run --frozen python -m bench.streams [--frames 1000] [--modes embedded,kafka]

For each mode it starts ``dlhub up`` (embedded: the in-process bus fed by the
HTTP ingest endpoint; kafka: a local broker from deploy/local, fed by a plain
kafka-python producer), publishes examples/xrd_tagging (training it first
when out/xrd_tagger.onnx is missing), binds ``detector.frames`` to it, sends
``--frames`` frames as fast as the producer goes (1 % poison frames) and
reads every result back with consume.py, which prints frames/second (first
result to last) and the batch sizes the executor formed. Prints one table.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "xrd_tagging"
PY = sys.executable


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(argv: list[str], env: dict[str, str], timeout: float = 300) -> str:
    done = subprocess.run(
        argv, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv[1:3])} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def one_mode(mode: str, frames: int, bootstrap: str) -> dict[str, str]:
    data = Path(tempfile.mkdtemp(prefix=f"bench-streams-{mode}-"))
    http, grpc_port = _port(), _port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DLHUB_")}
    env.update(
        DLHUB_GATEWAY__HTTP_PORT=str(http),
        DLHUB_GATEWAY__GRPC_PORT=str(grpc_port),
        DLHUB_STREAMS__POLL_S="0.5",
        DLHUB_DATA_DIR=str(data),
    )
    prefix = ""
    if mode == "kafka":
        prefix = f"bench-{uuid.uuid4().hex[:6]}-"
        env.update(
            DLHUB_BUS__TYPE="kafka",
            DLHUB_BUS__BOOTSTRAP_SERVERS=bootstrap,
            DLHUB_BUS__TOPIC_PREFIX=prefix,
            DLHUB_BUS__NUM_PARTITIONS="1",
        )
    up = subprocess.Popen(
        [PY, "-m", "dlhub_sdk.cli", "up", "--data-dir", str(data), "--executors", "1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not (data / "client.json").exists():
            if up.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"dlhub up ({mode}) did not start")
            time.sleep(0.5)
        time.sleep(1.0)
        _run([PY, str(EXAMPLE / "publish.py")], env)
        where = ["--http", f"http://127.0.0.1:{http}"]
        topics: list[str] = []
        if mode == "kafka":
            where = ["--bootstrap", bootstrap]
            topics = ["--topic", prefix + "detector.frames", "--output", prefix + "detector.tags"]
        consumer = subprocess.Popen(
            [PY, str(EXAMPLE / "consume.py"), *where, *topics, "--count", str(frames), "--quiet"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        time.sleep(3.0)  # the consumer is subscribed
        sent = _run(
            [
                PY,
                str(EXAMPLE / "produce.py"),
                *where,
                *topics[:2],
                "--count",
                str(frames),
                "--rate",
                "0",
                "--poison-every",
                "100",
            ],
            env,
        )
        out, _ = consumer.communicate(timeout=300)
    finally:
        up.terminate()
        up.wait(60)
    fps = re.search(r"([\d.]+) frames/s", out)
    sizes = re.search(r"batch sizes \(size: results\): (.*)", out)
    produced = re.search(r"in ([\d.]+) s", sent)
    return {
        "mode": mode,
        "frames": str(frames),
        "producer s": produced.group(1) if produced else "?",
        "frames/s": fps.group(1) if fps else "?",
        "batch sizes (size: results)": sizes.group(1) if sizes else "?",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=1000)
    parser.add_argument("--modes", default="embedded,kafka")
    parser.add_argument("--bootstrap", help="an existing broker (default: start one)")
    args = parser.parse_args()
    if not (EXAMPLE / "out" / "xrd_tagger.onnx").exists():
        _run([PY, str(EXAMPLE / "train.py")], dict(os.environ), timeout=600)
    rows = []
    broker = None
    try:
        for mode in args.modes.split(","):
            bootstrap = args.bootstrap or ""
            if mode == "kafka" and not bootstrap:
                from deploy.local.common import CACHE
                from deploy.local.engines import kafka

                kafka.obtain(CACHE)
                broker = kafka.start(Path(tempfile.mkdtemp(prefix="bench-kafka-")), CACHE)
                bootstrap = broker.info["bootstrap_servers"]
            rows.append(one_mode(mode, args.frames, bootstrap))
    finally:
        if broker is not None:
            broker.stop()
    keys = list(rows[0])
    widths = {k: max(len(k), *(len(r[k]) for r in rows)) for k in keys}
    print(" | ".join(k.ljust(widths[k]) for k in keys))
    print("-+-".join("-" * widths[k] for k in keys))
    for r in rows:
        print(" | ".join(r[k].ljust(widths[k]) for k in keys))
    print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
