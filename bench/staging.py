"""Inputs by reference: what staging costs, and what the staging cache saves.

Runs the embedded mesh in this process with a summing ONNX model (X float32
[N, 4] -> Y [1, 4]) and a local HTTP file server, and for each payload size
compares a run with the tensor inline (gRPC bytes), a first run by
reference (download: a cache miss) and repeated runs by reference (ETag
revalidation: a cache hit). Prints a table of medians.

    uv run --frozen python -m bench.staging [--sizes 65536,1048576,16777216] [--reps 5]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import grpc
import numpy as np
from onnx import TensorProto, helper

import dlhub_gateway.main as gateway_m
from dlhub_common._proto.dlhub.v1 import dlhub_pb2_grpc, registry_pb2, tasks_pb2, types_pb2
from dlhub_common.codec import array_to_tensor
from dlhub_common.rpc.server import channel_options
from dlhub_common.settings import MiB, Settings
from dlhub_server.mesh import embedded_mesh
from tests.standins.files_standin import FileServer, running_files


def summing_model() -> bytes:
    graph = helper.make_graph(
        [helper.make_node("ReduceSum", ["X", "axes"], ["Y"], keepdims=1)],
        "sum",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [1, 4])],
        initializer=[helper.make_tensor("axes", TensorProto.INT64, [1], [0])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model.SerializeToString()


def metadata() -> dict[str, Any]:
    def nd(shape: list[int | None]) -> dict[str, Any]:
        return {"type": "ndarray", "shape": shape, "item_type": {"type": "float32"}}

    return {
        "datacite": {
            "creators": [{"name": "Bench, B"}],
            "titles": [{"title": "sum"}],
            "descriptions": [{"description": "staging bench"}],
        },
        "dlhub": {
            "name": "sum",
            "domains": ["bench"],
            "visible_to": ["public"],
            "files": {"model": "model.onnx"},
        },
        "servable": {
            "type": "onnx",
            "methods": {
                "run": {
                    "input": {"type": "dict", "properties": {"X": nd([None, 4])}},
                    "output": {"type": "dict", "properties": {"Y": nd([1, 4])}},
                }
            },
        },
    }


async def main(sizes: list[int], reps: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp),
            tokens_file=Path(tmp) / "tokens.json",
            gateway={"host": "127.0.0.1", "http_port": 0, "grpc_port": 0},
            executor_options={"intra_op_threads": 1},
            staging={"private_hosts": ["127.0.0.1"], "max_input_bytes": 256 * MiB},
            cache={"enabled": False},
        )
        async with (
            embedded_mesh(settings) as (_backends, gateway),
            running_files(FileServer()) as files,
        ):
            token = gateway_m.tokens_for(settings).ensure_user("alice")
            md = (("authorization", f"Bearer {token}"),)
            channel = grpc.aio.insecure_channel(
                f"127.0.0.1:{gateway.grpc_port}", options=channel_options(256 * MiB)
            )
            stub = dlhub_pb2_grpc.DLHubServiceStub(channel)
            model = summing_model()
            header = registry_pb2.PublishHeader(
                metadata_json=json.dumps(metadata()),
                artifacts=[
                    registry_pb2.ArtifactInfo(
                        path="model.onnx", size=len(model), sha256=hashlib.sha256(model).hexdigest()
                    )
                ],
            )
            await stub.PublishServable(
                iter(
                    [
                        registry_pb2.PublishServableRequest(header=header),
                        registry_pb2.PublishServableRequest(
                            chunk=registry_pb2.ArtifactChunk(path="model.onnx", data=model)
                        ),
                    ]
                ),
                metadata=md,
            )

            async def run(tensor: types_pb2.Tensor) -> tuple[float, tasks_pb2.Task]:
                t0 = time.perf_counter()
                resp = await stub.RunServable(
                    tasks_pb2.RunServableRequest(
                        servable=types_pb2.ServableRef(owner="alice", name="sum"),
                        inputs=[tensor],
                        wait=True,
                        timeout_s=60,
                    ),
                    metadata=md,
                )
                assert resp.task.state == tasks_pb2.TASK_STATE_SUCCEEDED, resp.task.error.message
                return (time.perf_counter() - t0) * 1e3, resp.task

            rows = []
            for size in sizes:
                n = max(1, size // 16)
                x = np.random.default_rng(0).random((n, 4), dtype=np.float32)
                buf = io.BytesIO()
                np.save(buf, x)
                inline = [await run(array_to_tensor("X", x)) for _ in range(reps)]
                miss, hit = [], []
                for rep in range(reps):
                    path = f"/x{size}-{rep}.npy"  # a fresh URL: a cache miss
                    files.files[path] = buf.getvalue()
                    ref = types_pb2.Tensor(
                        name="X", datatype="FP32", shape=[n, 4], ref=f"{files.url}{path}"
                    )
                    miss.append(await run(ref))
                    hit.append(await run(ref))
                    assert hit[-1][1].timings.staging_cache_hits == 1
                med = statistics.median
                rows.append(
                    (
                        len(buf.getvalue()),
                        med(t for t, _ in inline),
                        med(t for t, _ in miss),
                        med(k.timings.staging_ms for _, k in miss),
                        med(t for t, _ in hit),
                        med(k.timings.staging_ms for _, k in hit),
                        med(k.timings.compute_ms for _, k in hit),
                    )
                )
            await channel.close()
    print(
        "| payload | inline run ms | by ref, miss: run ms | staging ms | by ref, hit: run ms"
        " | staging ms | compute ms |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r[0] / 1024:.0f} KiB | {r[1]:.2f} | {r[2]:.2f} | {r[3]:.2f} | {r[4]:.2f}"
            f" | {r[5]:.2f} | {r[6]:.2f} |"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="65536,1048576,16777216")
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main([int(s) for s in args.sizes.split(",")], args.reps))
