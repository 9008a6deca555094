"""Overload: many callers sending large inputs to an embedded mesh.

32 clients of two users submit asynchronous runs with a 1 MiB input each, as
fast as they are accepted, for LOAD_S seconds, to a model that takes tens of
milliseconds per run: far more is offered than the executor can run.
Admission (settings ``tasks.*``) must refuse the excess with
RESOURCE_EXHAUSTED and a retry hint, naming the limit; the mesh's memory
must stay bounded by the in-flight byte limits; every accepted task must
finish with the right result.

The test prints RSS before, at the peak and after, and the refusals.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter
from pathlib import Path

import grpc
import numpy as np
import pytest

from dlhub_common._proto.dlhub.v1 import dlhub_pb2_grpc, tasks_pb2, types_pb2
from dlhub_common.accounts import LocalAccounts
from dlhub_common.codec import array_to_tensor
from dlhub_common.rpc.errors import ERROR_METADATA_KEY, RETRY_AFTER_KEY
from dlhub_common.settings import MiB
from dlhub_sdk import DLHubClient
from tests.slow_onnx import HEAVY_WIDTH, heavy_loop_metadata, heavy_loop_onnx

from ._support import USERNAME
from .conftest import start_dlhub_up

pytestmark = pytest.mark.e2e

CLIENTS = 32
LOAD_S = 15.0
STEPS = 10_000  # tens of milliseconds per run
PER_CALLER = 24 * MiB  # one user reaches this limit
TOTAL = 40 * MiB  # the other reaches this one
# What the mesh may grow by under this load. Measured here: about 270 MiB
# (2 cores; the inputs admission lets in, the requests being received and
# refused, copies on the way to the model, and glibc's per-thread arenas,
# about 80 MiB of it), flat from the first seconds on. Before input bytes
# were admitted, a flood like this grew RSS from 207 to 990 MiB in 60 s
# (issue #8). That it stops growing is the second-half assertion below.
GROWTH_BOUND = 384 * MiB


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and its descendants."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


class RssSampler:
    """The peak RSS of a process tree, and of each half of the time it watched."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.samples.append((time.monotonic(), _tree_rss(self.pid)))

    @property
    def peak(self) -> int:
        return max(rss for _, rss in self.samples)

    def peaks_by_half(self, start: float, end: float) -> tuple[int, int]:
        middle = (start + end) / 2
        first = [rss for t, rss in self.samples if start <= t < middle]
        second = [rss for t, rss in self.samples if middle <= t <= end]
        return max(first), max(second)


async def _flood(address: str, tokens: list[str]) -> tuple[list[tuple[str, str]], Counter[str]]:
    """CLIENTS clients for LOAD_S seconds; returns (token, task id) accepted and refusals."""
    x = np.random.default_rng(0).random((1, HEAVY_WIDTH), dtype=np.float32)
    request = tasks_pb2.RunServableRequest(
        servable=types_pb2.ServableRef(owner=USERNAME, name="heavy"),
        inputs=[
            array_to_tensor("steps", np.array([STEPS], dtype=np.int64)),
            array_to_tensor("X", x),
        ],
        wait=False,
    )
    accepted: list[tuple[str, str]] = []
    refused: Counter[str] = Counter()
    end = time.monotonic() + LOAD_S
    async with grpc.aio.insecure_channel(
        address, options=[("grpc.max_send_message_length", 8 * MiB)]
    ) as channel:
        stub = dlhub_pb2_grpc.DLHubServiceStub(channel)

        async def client(token: str) -> None:
            md = (("authorization", f"Bearer {token}"),)
            while time.monotonic() < end:
                try:
                    response = await stub.RunServable(request, metadata=md, timeout=30)
                except grpc.aio.AioRpcError as exc:
                    refusal = exc
                else:
                    accepted.append((token, response.task.task_id))
                    continue
                assert refusal.code() is grpc.StatusCode.RESOURCE_EXHAUSTED, refusal.details()
                trailers = dict(refusal.trailing_metadata() or ())
                error = json.loads(trailers[ERROR_METADATA_KEY])
                assert float(trailers[RETRY_AFTER_KEY]) >= 1
                assert "settings tasks." in error["message"], error
                refused[error["details"]["scope"]] += 1
                await asyncio.sleep(0.05)  # an impatient client: back at once

        await asyncio.gather(*(client(tokens[i % len(tokens)]) for i in range(CLIENTS)))
    return accepted, refused


def test_a_flood_of_large_inputs_is_refused_and_memory_stays_bounded(tmp_path: Path) -> None:
    process, mesh = start_dlhub_up(
        tmp_path,
        DLHUB_TASKS__MAX_INFLIGHT_BYTES=str(TOTAL),
        DLHUB_TASKS__MAX_INFLIGHT_BYTES_PER_CALLER=str(PER_CALLER),
        DLHUB_CACHE__ENABLED="false",
    )
    try:
        other = LocalAccounts(mesh.data_dir / "tokens.json").ensure_user("other-tester")
        model = tmp_path / "heavy.onnx"
        model.write_bytes(heavy_loop_onnx())
        with DLHubClient(mesh.address, token=mesh.token, timeout=60) as client:
            client.publish_servable(heavy_loop_metadata("heavy"), {"model.onnx": model})
            x = np.zeros((1, HEAVY_WIDTH), dtype=np.float32)
            warm = client.run(f"{USERNAME}/heavy", {"steps": np.array([1]), "X": x})
            assert warm["Y"].tolist() == [1.0]
        before = _tree_rss(process.proc.pid)
        with RssSampler(process.proc.pid) as rss:
            start = time.monotonic()
            accepted, refused = asyncio.run(_flood(mesh.address, [mesh.token, other]))
            end = time.monotonic()
            results = _finish(mesh.address, accepted)
        first_half, second_half = rss.peaks_by_half(start, end)
        after = _tree_rss(process.proc.pid)
        print(
            f"\n{CLIENTS} clients x 1 MiB inputs for {LOAD_S:.0f} s:"
            f" accepted {len(accepted)}, refused {sum(refused.values())} {dict(refused)}\n"
            f"RSS before {before / MiB:.0f} MiB, peak {rss.peak / MiB:.0f} MiB,"
            f" after {after / MiB:.0f} MiB (bound on growth {GROWTH_BOUND / MiB:.0f} MiB);"
            f" peak in the first half of the load {first_half / MiB:.0f} MiB,"
            f" in the second {second_half / MiB:.0f} MiB"
        )
        assert accepted
        assert refused["caller_bytes"] > 0, refused
        assert refused["total_bytes"] > 0, refused
        assert results == Counter({float(STEPS): len(accepted)})  # every accepted task ran
        assert rss.peak - before < GROWTH_BOUND
        # bounded, not merely slow: little growth once the limits are reached.
        # Allocator fragmentation on a loaded CI machine reached +81 MiB once,
        # so the margin is 128 MiB; the unbounded flood of issue #8 grew about
        # 100 MiB per 7.5 s half, so this check alone is now a weak one, and
        # GROWTH_BOUND above is the firm bound.
        assert second_half < first_half + 128 * MiB
    finally:
        process.stop_cleanly()


def _finish(address: str, accepted: list[tuple[str, str]]) -> Counter[float]:
    """Wait for every accepted task; the count of each result value."""

    async def wait_all() -> Counter[float]:
        values: Counter[float] = Counter()
        async with grpc.aio.insecure_channel(address) as channel:
            stub = dlhub_pb2_grpc.DLHubServiceStub(channel)
            slots = asyncio.Semaphore(16)

            async def one(token: str, task_id: str) -> None:
                async with slots:
                    response = await stub.GetTask(
                        tasks_pb2.GetTaskRequest(task_id=task_id, wait=True, timeout_s=120),
                        metadata=(("authorization", f"Bearer {token}"),),
                        timeout=130,
                    )
                task = response.task
                assert task.state == tasks_pb2.TASK_STATE_SUCCEEDED, task
                [y] = [t for t in task.outputs if t.name == "Y"]
                values[float(np.frombuffer(y.data, dtype=np.float32)[0])] += 1

            await asyncio.gather(*(one(token, task_id) for token, task_id in accepted))
        return values

    return asyncio.run(wait_all())
