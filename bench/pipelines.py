"""What a pipeline costs over calling its steps by hand, in one process.

Starts the whole mesh in this process (``embedded_mesh``, as ``dlhub up``
does), publishes small ONNX steps and two pipelines over them, then times,
side by side, over gRPC ``RunServable`` (synchronous, ``no_cache``):

* ``seq``: a -> b, against the client calling a, then b with a's output;
* ``dag``: a -> (left, right) -> sum, against the client calling a, then
  left and right concurrently, then sum;
* the same pipelines answered from each step's result cache (no executor).

Prints latency percentiles (ms) and the pipeline/by-hand ratio. Usage:

    uv run --frozen python bench/pipelines.py [--calls 200]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.integration._pipelines import (  # noqa: E402
    DAG,
    SEQ,
    Linear,
    onnx_metadata,
    pipeline_metadata,
)
from tests.tiny_onnx import add_onnx  # noqa: E402


async def timed(fn: Callable[[], Awaitable[Any]], calls: int, warmup: int = 20) -> list[float]:
    for _ in range(warmup):
        await fn()
    out = []
    for _ in range(calls):
        t0 = time.perf_counter()
        await fn()
        out.append((time.perf_counter() - t0) * 1e3)
    return out


def row(name: str, ms: list[float], base: list[float] | None) -> str:
    q = statistics.quantiles(ms, n=100)
    p50, p90, p99 = statistics.median(ms), q[89], q[98]
    ratio = f"{p50 / statistics.median(base):.2f}" if base else "-"
    return f"| {name:34} | {p50:7.2f} | {p90:7.2f} | {p99:7.2f} | {ratio:>5} |"


async def main(calls: int) -> int:
    import grpc

    import dlhub_gateway.main as gateway_m
    from dlhub_common._proto.dlhub.v1 import dlhub_pb2_grpc, tasks_pb2, types_pb2
    from dlhub_common.codec import array_to_tensor
    from dlhub_common.settings import Settings
    from dlhub_sdk import DLHubClient
    from dlhub_server.mesh import embedded_mesh

    tmp = Path(tempfile.mkdtemp(prefix="dlhub-bench-pipelines-"))
    settings = Settings(
        data_dir=tmp,
        tokens_file=tmp / "tokens.json",
        gateway={"host": "127.0.0.1", "http_port": 0, "grpc_port": 0},
        executor_options={"intra_op_threads": 1},
        log_level="WARNING",
    )
    a, b, c = Linear(4, 3, 1, "X", "Y"), Linear(3, 2, 2, "H", "Z"), Linear(3, 2, 3, "H", "Z")
    async with embedded_mesh(settings) as (_backends, gateway):
        token = gateway_m.tokens_for(settings).ensure_user("alice")
        md = (("authorization", f"Bearer {token}"),)
        channel = grpc.aio.insecure_channel(f"127.0.0.1:{gateway.grpc_port}")
        stub = dlhub_pb2_grpc.DLHubServiceStub(channel)

        client = DLHubClient(f"127.0.0.1:{gateway.grpc_port}", token)

        async def publish(meta: dict[str, Any], files: dict[str, bytes]) -> None:
            local = {}
            for path, data in files.items():
                (tmp / path).write_bytes(data)
                local[path] = tmp / path
            await asyncio.to_thread(client.publish_servable, meta, local)

        for model, name in ((a, "lin-a"), (b, "lin-b"), (c, "lin-c")):
            await publish(model.metadata(name), {"model.onnx": model.data})
        add = onnx_metadata("add2", {"A": [None, 2], "B": [None, 2]}, {"S": [None, 2]})
        await publish(add, {"model.onnx": add_onnx(2)})
        for name, steps in (("seq", SEQ), ("dag", DAG)):
            await asyncio.to_thread(client.publish_pipeline, pipeline_metadata(name, steps))
        client.close()

        x = np.random.default_rng(0).normal(size=(1, 4)).astype(np.float32)

        async def run(name: str, tensors: list[Any], *, cache: bool = False) -> Any:
            resp = await stub.RunServable(
                tasks_pb2.RunServableRequest(
                    servable=types_pb2.ServableRef(owner="alice", name=name),
                    inputs=tensors,
                    wait=True,
                    timeout_s=30,
                    no_cache=not cache,
                ),
                metadata=md,
                timeout=40,
            )
            assert resp.task.state == tasks_pb2.TASK_STATE_SUCCEEDED, resp.task.error.message
            return {t.name: t for t in resp.task.outputs}

        def named(t: Any, name: str) -> Any:
            out = types_pb2.Tensor()
            out.CopyFrom(t)
            out.name = name
            return out

        xin = [array_to_tensor("X", x)]

        async def seq_by_hand() -> None:
            y = (await run("lin-a", xin))["Y"]
            await run("lin-b", [named(y, "H")])

        async def dag_by_hand() -> None:
            y = named((await run("lin-a", xin))["Y"], "H")
            left, right = await asyncio.gather(run("lin-b", [y]), run("lin-c", [y]))
            await run("add2", [named(left["Z"], "A"), named(right["Z"], "B")])

        results: dict[str, list[float]] = {}
        # interleaved rounds, so a noisy moment hurts both sides alike
        for _ in range(2):
            for label, fn in (
                ("seq by hand (2 calls)", seq_by_hand),
                ("seq pipeline", lambda: run("seq", xin)),
                ("dag by hand (4 calls, 2 at once)", dag_by_hand),
                ("dag pipeline", lambda: run("dag", xin)),
                ("seq pipeline, steps cached", lambda: run("seq", xin, cache=True)),
                ("dag pipeline, steps cached", lambda: run("dag", xin, cache=True)),
            ):
                results.setdefault(label, []).extend(await timed(fn, calls // 2))
        await channel.close()
    base = {
        "seq pipeline": results["seq by hand (2 calls)"],
        "dag pipeline": results["dag by hand (4 calls, 2 at once)"],
    }
    print(f"pipelines vs steps by hand, {calls} calls each, in-process mesh, batch 1")
    print("| run                                |  p50 ms |  p90 ms |  p99 ms | ratio |")
    print("|------------------------------------|--------:|--------:|--------:|------:|")
    for label, ms in results.items():
        print(row(label, ms, base.get(label)))
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200)
    sys.exit(asyncio.run(main(parser.parse_args().calls)))
