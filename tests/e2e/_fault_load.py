"""The load of the fault matrix (test_fault_matrix.py): runs over plain gRPC, read back.

Each load thread sends one kind of run (ONNX or python, synchronous or
asynchronous) in a loop; what the API acknowledged is kept with its expected
answer, what it refused is counted by error code (and, when the gateway
answered, its message).
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import grpc
import numpy as np

from dlhub_common._proto.dlhub.v1 import dlhub_pb2_grpc, tasks_pb2, types_pb2
from dlhub_common.names import parse_ref
from dlhub_common.rpc.errors import ERROR_METADATA_KEY, error_from_rpc
from dlhub_sdk._tasks import task_outputs

from ._support import Digits

# A task's deadline, far past the test: a task the mesh lost stays unfinished
# (or, read after its deadline, fails with DEADLINE_EXCEEDED: counted as lost).
TASK_TIMEOUT_S = 300.0
SETTLE_S = 60.0  # how long the accepted tasks get, in all, to finish after the load stops


@dataclass
class Accepted:
    """A task the API acknowledged."""

    task_id: str
    phase: str
    kind: str  # "onnx" or "python"
    mode: str  # "sync" or "async"
    expected: Any  # the row's label (onnx) or the python result
    outcome: tasks_pb2.Task | None = None  # a synchronous call's answer


@dataclass
class Load:
    """What the load threads saw, by phase (the component down or last killed)."""

    phase: str = "warm-up"
    accepted: list[Accepted] = field(default_factory=list)
    refused: dict[str, dict[str, int]] = field(default_factory=dict)  # phase -> code -> count
    messages: set[str] = field(default_factory=set)  # what the gateway answered
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def refuse(self, phase: str, exc: grpc.RpcError) -> None:
        error = error_from_rpc(exc)
        # the gateway's answer, not a connection to it that failed (while it was down)
        answered = any(key == ERROR_METADATA_KEY for key, _ in exc.trailing_metadata() or ())
        with self.lock:
            codes = self.refused.setdefault(phase, {})
            codes[error.code.value] = codes.get(error.code.value, 0) + 1
            if answered:
                self.messages.add(f"{error.code.value}: {error.message}")


class Requests:
    """Run requests over plain gRPC (a fresh channel after a broken one)."""

    def __init__(
        self,
        address: str,
        token: str,
        onnx: str,
        python: str,
        onnx_inputs: list[list[types_pb2.Tensor]],
        digits: Digits,
    ) -> None:
        self.address = address
        self.metadata = (("authorization", f"Bearer {token}"),)
        self.refs = {"onnx": parse_ref(onnx), "python": parse_ref(python)}
        self.onnx_inputs = onnx_inputs
        self.digits = digits
        self.counter = iter(range(10**9))
        self.counter_lock = threading.Lock()

    def stub(self) -> tuple[grpc.Channel, dlhub_pb2_grpc.DLHubServiceStub]:
        channel = grpc.insecure_channel(self.address)
        return channel, dlhub_pb2_grpc.DLHubServiceStub(channel)

    def request(self, kind: str, mode: str) -> tuple[tasks_pb2.RunServableRequest, Any]:
        with self.counter_lock:
            n = next(self.counter)
        ref = self.refs[kind]
        request = tasks_pb2.RunServableRequest(
            servable=types_pb2.ServableRef(owner=ref.owner, name=ref.name, version=ref.version),
            wait=mode == "sync",
            timeout_s=TASK_TIMEOUT_S,
        )
        if kind == "onnx":
            row = n % len(self.onnx_inputs)
            request.inputs.extend(self.onnx_inputs[row])
            return request, int(self.digits.labels[row])
        request.inputs_json = json.dumps([str(n)])
        return request, f"done-{n}"

    def loop(self, load: Load, kind: str, mode: str, pause: float) -> None:
        channel, stub = self.stub()
        try:
            while not load.stop.is_set():
                phase = load.phase
                request, expected = self.request(kind, mode)
                try:
                    resp = stub.RunServable(
                        request, metadata=self.metadata, timeout=TASK_TIMEOUT_S + 30
                    )
                except grpc.RpcError as exc:
                    load.refuse(phase, exc)
                    channel.close()
                    channel, stub = self.stub()
                    time.sleep(0.2)
                    continue
                accepted = Accepted(resp.task.task_id, phase, kind, mode, expected)
                if mode == "sync":
                    accepted.outcome = resp.task
                with load.lock:
                    load.accepted.append(accepted)
                time.sleep(pause)
        finally:
            channel.close()

    def final(self, task_id: str, deadline: float) -> tasks_pb2.Task:
        """The task once finished, or as it is at ``deadline`` (monotonic)."""
        channel, stub = self.stub()
        try:
            while True:
                left = max(0.5, deadline - time.monotonic())
                try:
                    resp = stub.GetTask(
                        tasks_pb2.GetTaskRequest(task_id=task_id, wait=True, timeout_s=left),
                        metadata=self.metadata,
                        timeout=left + 10,
                    )
                    if resp.task.state in FINISHED or time.monotonic() > deadline:
                        return resp.task  # type: ignore[no-any-return]
                except grpc.RpcError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.5)
        finally:
            channel.close()


FINISHED = (
    tasks_pb2.TASK_STATE_SUCCEEDED,
    tasks_pb2.TASK_STATE_FAILED,
    tasks_pb2.TASK_STATE_CANCELLED,
)


def settle(requests: Requests, accepted: list[Accepted]) -> dict[str, tasks_pb2.Task]:
    """Every accepted task as it ends (asynchronous ones waited for; read back, all)."""
    deadline = time.monotonic() + SETTLE_S
    with ThreadPoolExecutor(8) as pool:
        finals = pool.map(lambda a: requests.final(a.task_id, deadline), accepted)
        return {a.task_id: task for a, task in zip(accepted, finals, strict=True)}


def correct(accepted: Accepted, task: tasks_pb2.Task) -> bool:
    out = task_outputs(task, 0)
    if accepted.kind == "python":
        return bool(out == accepted.expected)
    return bool(np.asarray(out["label"]).tolist() == [accepted.expected])
