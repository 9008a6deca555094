"""Shared pieces of the task-control tests: a servable we can hold, and bus observers.

The ``gate`` python servable writes its tag to a log file (so a test can
tell which runs happened), then, when given a port, connects to the test's
:class:`Gate` server, says which run it is, and waits until the test
releases it. So a test awaits "this run started" as an event and decides
when it ends: no sleeps, no guessing whether a task is queued or running.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from dlhub_common._proto.dlhub.v1 import bus_pb2, tasks_pb2, types_pb2
from dlhub_common.topics import RESULTS
from dlhub_sdk.models import PythonStaticMethodServable
from tests.integration.conftest import RPC_TIMEOUT_S, Mesh

PYTHON = f"{sys.version_info[0]}.{sys.version_info[1]}"
EVENT_TIMEOUT_S = 60.0  # the first run of the gate builds its environment

GATE = """
import socket


def gate(value):
    with open(value["log"], "a") as fh:
        fh.write(value["tag"] + "\\n")
    if value.get("port"):
        with socket.create_connection(("127.0.0.1", value["port"]), timeout=120) as conn:
            conn.sendall(value["tag"].encode() + b"\\n")
            conn.recv(1)
    return value["tag"]
"""


class Gate:
    """The server gate runs report to; each run waits until released."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.port = 0
        self._started: dict[str, asyncio.Event] = {}
        self._released: dict[str, asyncio.Event] = {}
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._connected, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        for event in self._released.values():
            event.set()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def _event(self, table: dict[str, asyncio.Event], tag: str) -> asyncio.Event:
        return table.setdefault(tag, asyncio.Event())

    async def _connected(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        tag = (await reader.readline()).decode().strip()
        self._event(self._started, tag).set()
        await self._event(self._released, tag).wait()
        writer.write(b"x")
        await writer.drain()
        writer.close()

    async def started(self, tag: str) -> None:
        async with asyncio.timeout(EVENT_TIMEOUT_S):
            await self._event(self._started, tag).wait()

    def release(self, tag: str) -> None:
        self._event(self._released, tag).set()

    def value(self, tag: str, *, hold: bool) -> dict[str, Any]:
        return {"log": str(self.log), "tag": tag, "port": self.port if hold else 0}

    def ran(self) -> list[str]:
        return self.log.read_text().split() if self.log.exists() else []


@contextlib.asynccontextmanager
async def open_gate(mesh: Mesh, tmp: Path) -> AsyncIterator[Gate]:
    """A started :class:`Gate` with the ``gate`` servable published; every held
    run is released when it closes."""
    g = Gate(tmp / "ran.log")
    await g.start()
    try:
        await publish_gate(mesh, tmp)
        yield g
    finally:
        await g.close()


async def publish_gate(mesh: Mesh, tmp: Path, name: str = "gate") -> None:
    module = tmp / "gate.py"
    module.write_text(GATE)
    model = PythonStaticMethodServable.from_function(module, "gate", python=PYTHON, name=name)
    model.set_title(f"gate {name}").add_author("Tester, Alice")
    await mesh.publish(model.to_dict(), {"gate.py": GATE.encode()})


async def run_json(
    mesh: Mesh,
    name: str,
    value: Any,
    *,
    wait: bool = False,
    timeout_s: float = RPC_TIMEOUT_S,
    md: Any = None,
    no_cache: bool = False,
) -> tasks_pb2.Task:
    response = await mesh.stub.RunServable(
        tasks_pb2.RunServableRequest(
            servable=types_pb2.ServableRef(owner="alice", name=name),
            inputs_json=json.dumps(value),
            wait=wait,
            timeout_s=timeout_s,
            no_cache=no_cache,
        ),
        metadata=md if md is not None else mesh.md(),
        timeout=timeout_s + 10,
    )
    task: tasks_pb2.Task = response.task
    return task


async def get_task(
    mesh: Mesh, task_id: str, *, wait: bool = False, timeout_s: float = 0.0, md: Any = None
) -> tasks_pb2.Task:
    response = await mesh.stub.GetTask(
        tasks_pb2.GetTaskRequest(task_id=task_id, wait=wait, timeout_s=timeout_s),
        metadata=md if md is not None else mesh.md(),
        timeout=timeout_s + 10,
    )
    task: tasks_pb2.Task = response.task
    return task


async def cancel(mesh: Mesh, task_id: str, *, md: Any = None) -> tasks_pb2.Task:
    """CancelTask as alice (or with the given gRPC metadata)."""
    response = await mesh.stub.CancelTask(
        tasks_pb2.CancelTaskRequest(task_id=task_id),
        metadata=md if md is not None else mesh.md(),
        timeout=RPC_TIMEOUT_S,
    )
    task: tasks_pb2.Task = response.task
    return task


class ResultWatch:
    """Reads dlhub.results in a group of its own: what executors actually reported."""

    def __init__(self, mesh: Mesh) -> None:
        self.mesh = mesh
        self._sub: Any = None
        self._iter: AsyncIterator[Any] | None = None

    async def __aenter__(self) -> ResultWatch:
        bus = await self.mesh.backends.bus()
        self._sub = bus.subscribe([RESULTS], "test-result-watch")
        await self._sub.start()
        self._iter = aiter(self._sub)
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._sub.close()

    async def until(self, task_id: str) -> list[bus_pb2.WorkResult]:
        """Every result reported up to and including ``task_id``'s, in order."""
        assert self._iter is not None
        seen: list[bus_pb2.WorkResult] = []
        async with asyncio.timeout(EVENT_TIMEOUT_S):
            while not any(r.task_id == task_id for r in seen):
                delivery = await anext(self._iter)
                seen.append(bus_pb2.WorkResult.FromString(delivery.value))
                await delivery.ack()
        return seen
