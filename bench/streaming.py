"""Unary ModelInfer against ModelStreamInfer over the same model (digits ONNX).

Starts ``dlhub up`` (embedded, batching on, result cache off) on free ports,
publishes the digits model of bench/serving/models.py, then for each round
sends one-sample OIP requests for ``--seconds``:

* unary: C callers, each waiting for its answer before the next request;
* stream: S streams, each keeping up to ``--window`` requests in flight.

Prints requests/s, latency percentiles (send to answer) and the batch sizes
the executor formed in the round (from GetStatistics: model calls by batch
size). Usage:

    uv run --frozen python -m bench.streaming [--seconds 5] [--window 16]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import numpy as np

from bench.serving.dlhub import USER, settings_for, start_embedded
from bench.serving.models import digits_model
from dlhub_common._proto.dlhub.v1 import dlhub_pb2_grpc, tasks_pb2, types_pb2
from dlhub_common._proto.inference import open_inference_pb2 as oip
from dlhub_common._proto.inference import open_inference_pb2_grpc


@dataclass
class Round:
    mode: str
    concurrency: int
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    batches: Counter[int]

    def row(self) -> str:
        lat = sorted(self.latencies_ms) or [0.0]
        p50 = statistics.median(lat)
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        calls = sum(self.batches.values())
        mean = sum(k * v for k, v in self.batches.items()) / calls if calls else 0.0
        top = ", ".join(f"{k}:{v}" for k, v in sorted(self.batches.items())[-4:])
        return (
            f"{self.mode:<7} {self.concurrency:>4} {self.requests / self.seconds:>9.0f}"
            f" {p50:>8.2f} {p99:>8.2f} {self.errors:>6} {mean:>10.2f}  {top}"
        )


# unary 16 has as many requests in flight as one stream with the default window
ROUNDS = (("unary", 1), ("unary", 8), ("unary", 16), ("stream", 1), ("stream", 8))
HEADER = (
    f"{'mode':<7} {'conc':>4} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}"
    f" {'mean batch':>10}  largest batch sizes (size:model calls)"
)


class Bench:
    def __init__(self, address: str, token: str, model: str, input_name: str) -> None:
        self.channel = grpc.aio.insecure_channel(address)
        self.oip = open_inference_pb2_grpc.GRPCInferenceServiceStub(self.channel)
        self.dlhub = dlhub_pb2_grpc.DLHubServiceStub(self.channel)
        self.md = (("authorization", f"Bearer {token}"),)
        self.model = model
        self.input_name = input_name
        self.x = np.random.default_rng(0).random((1, 64), dtype=np.float32) * 16

    def make(self, rid: str) -> oip.ModelInferRequest:
        req = oip.ModelInferRequest(model_name=self.model, id=rid)
        req.inputs.add(name=self.input_name, datatype="FP32", shape=list(self.x.shape))
        req.raw_input_contents.append(self.x.tobytes())
        return req

    async def batch_calls(self) -> Counter[int]:
        owner, name = self.model.split(".", 1)
        resp = await self.dlhub.GetStatistics(
            tasks_pb2.GetStatisticsRequest(servable=types_pb2.ServableRef(owner=owner, name=name)),
            metadata=self.md,
        )
        out: Counter[int] = Counter()
        for m in resp.models:
            out.update({int(k): int(v) for k, v in m.batch_executions.items()})
        return out


async def main_async(args: argparse.Namespace) -> int:
    model = digits_model()
    with tempfile.TemporaryDirectory(prefix="dlhub-bench-streams-") as tmp:
        settings = settings_for(batching=True, cache=False, threads=1)
        system = start_embedded("dlhub", [model], settings, Path(tmp))
        try:
            token = system.headers["authorization"].removeprefix("Bearer ")
            bench = Bench(system.grpc, token, system.models["digits"], model.input_name)
            await measure(bench, "unary", 1, 1.0, args.window)  # warm the model up
            print(f"dlhub up (embedded), {USER}'s digits ONNX, one sample per request,")
            print(f"{args.seconds:g} s a round, stream window {args.window}\n")
            print(HEADER)
            for mode, conc in ROUNDS:
                rnd = await measure(bench, mode, conc, args.seconds, args.window)
                print(rnd.row(), flush=True)
            await bench.channel.close()
        finally:
            system.stop()
    return 0


async def measure(bench: Bench, mode: str, conc: int, seconds: float, window: int) -> Round:
    latencies: list[float] = []
    errors = 0
    end = time.perf_counter() + seconds
    before = await bench.batch_calls()
    started = time.perf_counter()

    async def unary_caller(c: int) -> None:
        nonlocal errors
        i = 0
        while time.perf_counter() < end:
            t0 = time.perf_counter()
            try:
                await bench.oip.ModelInfer(bench.make(f"{c}-{i}"), metadata=bench.md, timeout=30)
                latencies.append((time.perf_counter() - t0) * 1000)
            except grpc.aio.AioRpcError:
                errors += 1
            i += 1

    async def stream_caller(s: int) -> None:
        nonlocal errors
        slots = asyncio.Semaphore(window)
        sent_at: dict[str, float] = {}

        async def send() -> AsyncIterator[oip.ModelInferRequest]:
            i = 0
            while time.perf_counter() < end:
                await slots.acquire()
                rid = f"{s}-{i}"
                sent_at[rid] = time.perf_counter()
                yield bench.make(rid)
                i += 1

        call = bench.oip.ModelStreamInfer(send(), metadata=bench.md, timeout=seconds + 60)
        async for response in call:
            rid = response.infer_response.id
            if response.error_message:
                errors += 1
            else:
                latencies.append((time.perf_counter() - sent_at.pop(rid)) * 1000)
            slots.release()

    caller = unary_caller if mode == "unary" else stream_caller
    await asyncio.gather(*(caller(c) for c in range(conc)))
    elapsed = time.perf_counter() - started
    after = await bench.batch_calls()
    after.subtract(before)
    batches = Counter({k: v for k, v in after.items() if v > 0})
    return Round(mode, conc, len(latencies), errors, elapsed, latencies, batches)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of one round")
    parser.add_argument("--window", type=int, default=16, help="requests in flight per stream")
    return asyncio.run(main_async(parser.parse_args(argv)))


if __name__ == "__main__":
    raise SystemExit(main())
