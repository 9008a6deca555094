"""The one client of the serving benchmark: N concurrent tritonclient callers.

Runs as its own process (``python -m bench.serving.loadgen``) because
tritonclient's gRPC module and DLHub's generated ``inference`` stubs register
the same protobuf symbols; this module must never import dlhub_common.

Protocol: one JSON command per stdin line, for example::

    {"protocol": "grpc", "url": "127.0.0.1:8001", "model": "me.digits",
     "input": "X", "shape": [64], "datatype": "FP32", "concurrency": 8,
     "duration": 5, "warmup": 1, "fixed": false, "headers": {}}

It warms up, prints ``{"event": "go"}`` (the caller reads the server's CPU
time then), runs ``duration`` seconds, waits for calls in flight, and prints
one JSON result line: requests, errors, elapsed, latency percentiles.
Each caller sends fresh random input per call unless ``fixed`` (cache hits).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

import numpy as np

NP_TYPES = {"FP32": np.float32, "FP64": np.float64, "INT64": np.int64}


class Target:
    """An OIP endpoint reached with tritonclient's asyncio client (gRPC or REST JSON)."""

    def __init__(self, cmd: dict[str, Any]) -> None:
        self.cmd = cmd
        self.protocol = cmd["protocol"]
        if self.protocol == "grpc":
            import tritonclient.grpc.aio as client_mod
        else:
            import tritonclient.http.aio as client_mod
        self.mod = client_mod
        kwargs = {"conn_limit": 256} if self.protocol == "http" else {}
        self.client = client_mod.InferenceServerClient(cmd["url"], **kwargs)
        self.headers = dict(cmd.get("headers") or {})
        if self.protocol == "http":
            # JSON body both ways: KServe wants the content type; MLServer would gzip.
            self.headers.update({"Content-Type": "application/json", "Accept-Encoding": "identity"})
        self.shape = [1, *cmd["shape"]]
        self.dtype = NP_TYPES[cmd["datatype"]]

    def make_input(self, data: np.ndarray) -> Any:
        inp = self.mod.InferInput(self.cmd["input"], self.shape, self.cmd["datatype"])
        if self.protocol == "grpc":
            inp.set_data_from_numpy(data)
        else:
            inp.set_data_from_numpy(data, binary_data=False)
        return inp

    async def call(self, inp: Any) -> Any:
        kwargs: dict[str, Any] = {"headers": self.headers}
        if self.protocol == "http":
            kwargs["outputs"] = None
        return await self.client.infer(self.cmd["model"], [inp], **kwargs)

    async def close(self) -> None:
        await self.client.close()


async def run_round(cmd: dict[str, Any]) -> dict[str, Any]:
    target = Target(cmd)
    rng_seed = int(cmd.get("seed", 0))
    fixed = bool(cmd.get("fixed", False))
    base = np.random.default_rng(rng_seed).random(target.shape, dtype=np.float32)
    fixed_input = target.make_input(base.astype(target.dtype))
    latencies: list[float] = []
    errors: list[str] = []
    outputs: dict[str, list[int]] = {}
    phase = {"measure": False, "stop": False}

    async def caller(i: int) -> None:
        rng = np.random.default_rng(rng_seed * 1000 + i + 1)
        while not phase["stop"]:
            inp = (
                fixed_input
                if fixed
                else target.make_input(rng.random(target.shape, dtype=np.float32))
            )
            t0 = time.perf_counter()
            try:
                result = await target.call(inp)
            except Exception as exc:
                if phase["measure"]:
                    errors.append(f"{type(exc).__name__}: {exc}"[:300])
                await asyncio.sleep(0.01)
                continue
            dt = (time.perf_counter() - t0) * 1e3
            if phase["measure"]:
                latencies.append(dt)
                if not outputs:
                    response = result.get_response()
                    names = [o.name if hasattr(o, "name") else o["name"] for o in _outs(response)]
                    for name in names:
                        arr = result.as_numpy(name)
                        outputs[name] = [] if arr is None else list(arr.shape)

    try:
        tasks = [asyncio.create_task(caller(i)) for i in range(int(cmd["concurrency"]))]
        await asyncio.sleep(float(cmd.get("warmup", 1.0)))
        latencies.clear()
        phase["measure"] = True
        print(json.dumps({"event": "go"}), flush=True)
        t0 = time.perf_counter()
        await asyncio.sleep(float(cmd["duration"]))
        phase["stop"] = True
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - t0
    finally:
        await target.close()
    q = np.percentile(latencies, [50, 90, 99]) if latencies else [float("nan")] * 3
    return {
        "event": "done",
        "requests": len(latencies),
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
        "elapsed": elapsed,
        "rps": len(latencies) / elapsed,
        "p50": float(q[0]),
        "p90": float(q[1]),
        "p99": float(q[2]),
        "outputs": outputs,
    }


def _outs(response: Any) -> list[Any]:
    return list(response.outputs if hasattr(response, "outputs") else response["outputs"])


def main() -> int:
    for line in sys.stdin:
        if not line.strip():
            continue
        cmd = json.loads(line)
        try:
            result = asyncio.run(run_round(cmd))
        except Exception as exc:
            result = {"event": "failed", "error": f"{type(exc).__name__}: {exc}"[:500]}
        print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
