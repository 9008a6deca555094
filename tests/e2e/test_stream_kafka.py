"""A stream binding on the real Kafka broker, with `dlhub serve` processes.

Registry, task manager (which runs the stream bindings), gateway and an
executor run as processes. Frames come from a plain Kafka producer
(kafka-python, not our SDK) and results are read back with a plain Kafka
consumer: every frame is tagged, keyed by its frame id, in order; a poison
frame goes to ``<topic>.dlq`` with its reason and the frames after it are still
tagged; the executor is frozen (SIGSTOP) while the rest of the frames stream
to it, then SIGKILLed and a new one started: every frame that was in flight
is re-processed, none is lost, results keep the frames' order, and a frame
that ran twice carries the same frame id.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import time
import uuid
from collections.abc import Iterator
from typing import Any

import grpc
import numpy as np
import pytest
from grpc_health.v1 import health_pb2
from kafka import KafkaConsumer, KafkaProducer  # type: ignore[import-untyped]
from kafka.admin import KafkaAdminClient, NewTopic  # type: ignore[import-untyped]

from dlhub_common._proto.dlhub.v1 import dlhub_pb2_grpc, registry_pb2, types_pb2
from dlhub_common.accounts import LocalAccounts
from tests.tiny_onnx import tiny_onnx

from ._support import (
    START_DEADLINE_S,
    USERNAME,
    ManagedProcess,
    free_port,
    health_status,
    serve,
    wait_for,
)

SERVING = health_pb2.HealthCheckResponse.SERVING
W = (np.arange(12, dtype=np.float32).reshape(4, 3) / 10 - 0.5).astype(np.float32)
B = np.array([0.5, -1.0, 2.0], dtype=np.float32)
FRAMES = 60
POISON = 7
WARM = 12  # frames before the executor is frozen and killed (the poison frame among them)


def _metadata(name: str) -> dict[str, Any]:
    def nd(shape: list[int | None]) -> dict[str, Any]:
        return {"type": "ndarray", "shape": shape, "item_type": {"type": "float32"}}

    return {
        "datacite": {"creators": [{"name": "Tester, Alice"}], "titles": [{"title": name}]},
        "dlhub": {"name": name, "visible_to": ["public"], "files": {"model": "model.onnx"}},
        "servable": {
            "type": "onnx",
            "classes": ["a", "b", "c"],
            "batching": {"max_batch_size": 8, "max_queue_delay_ms": 5},
            "methods": {
                "run": {
                    "input": {"type": "dict", "properties": {"X": nd([None, 4])}},
                    "output": {"type": "dict", "properties": {"Y": nd([None, 3])}},
                }
            },
        },
    }


@pytest.fixture(scope="module")
def plane(tmp_path_factory: pytest.TempPathFactory, stack: Any) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("streams")
    shared = root / "shared"
    shared.mkdir()
    kafka = stack.require("kafka")
    tokens = root / "tokens.json"
    token = LocalAccounts(tokens).ensure_user(USERNAME)
    prefix = f"streams-{uuid.uuid4().hex[:8]}-"
    ports = {"registry": free_port(), "taskmanager": free_port()}
    grpc_port = free_port()
    env = {
        **kafka.env,
        "DLHUB_BUS__TOPIC_PREFIX": prefix,
        "DLHUB_BUS__NUM_PARTITIONS": "1",
        "DLHUB_DOCUMENTS__PATH": str(shared / "documents.sqlite3"),
        "DLHUB_SEARCH__PATH": str(shared / "search.sqlite3"),
        "DLHUB_OBJECTS__ROOT": str(shared / "objects"),
        "DLHUB_TOKENS_FILE": str(tokens),
        "DLHUB_REGISTRY__PORT": str(ports["registry"]),
        "DLHUB_SEARCH_SERVICE__PORT": str(free_port()),
        "DLHUB_TASKMANAGER__PORT": str(ports["taskmanager"]),
        "DLHUB_GATEWAY__GRPC_PORT": str(grpc_port),
        "DLHUB_GATEWAY__HTTP_PORT": str(free_port()),
        "DLHUB_EXECUTOR_OPTIONS__INTRA_OP_THREADS": "1",
        "DLHUB_CACHE__ENABLED": "false",
        "DLHUB_STREAMS__POLL_S": "0.5",
        "DLHUB_STREAMS__RUN_TIMEOUT_S": "20",
        "DLHUB_STREAMS__RETRY_S": "0.5",
    }
    procs = {n: serve(n, env, root) for n in ("registry", "taskmanager", "gateway")}
    try:
        targets = [f"127.0.0.1:{p}" for p in ports.values()] + [f"127.0.0.1:{grpc_port}"]

        def ready() -> bool:
            for proc in procs.values():
                proc.check_alive()
            return all(health_status(t) == SERVING for t in targets)

        wait_for(ready, timeout=START_DEADLINE_S, what="every `dlhub serve` to be SERVING")
        yield {
            "root": root,
            "env": env,
            "token": token,
            "grpc": f"127.0.0.1:{grpc_port}",
            "bootstrap": kafka.env["DLHUB_BUS__BOOTSTRAP_SERVERS"],
            "prefix": prefix,
        }
    finally:
        for proc in reversed(list(procs.values())):
            if proc.proc.poll() is None:
                proc.stop()


def _executor(plane: dict[str, Any], label: str) -> ManagedProcess:
    env = {**plane["env"], "DLHUB_EXECUTOR__PORT": str(free_port())}
    return serve("executor", env, plane["root"], label=label)


def _frame(i: int) -> np.ndarray[Any, Any]:
    return np.linspace(-1, 1, 4, dtype=np.float32) * (i + 1) / 10


@pytest.mark.timeout(180)
def test_kafka_binding_poison_frame_and_executor_restart(plane: dict[str, Any]) -> None:
    md = (("authorization", f"Bearer {plane['token']}"),)
    name = f"tiny-{uuid.uuid4().hex[:6]}"
    data = tiny_onnx(W, B)
    prefix, bootstrap = plane["prefix"], plane["bootstrap"]
    topic, output = "detector.frames", "detector.tags"
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics([NewTopic(prefix + topic, num_partitions=1, replication_factor=1)])
    admin.close()
    executor = _executor(plane, "executor-1")
    with grpc.insecure_channel(plane["grpc"]) as channel:
        stub = dlhub_pb2_grpc.DLHubServiceStub(channel)
        header = registry_pb2.PublishHeader(
            metadata_json=json.dumps(_metadata(name)),
            artifacts=[
                registry_pb2.ArtifactInfo(
                    path="model.onnx", size=len(data), sha256=hashlib.sha256(data).hexdigest()
                )
            ],
        )
        stub.PublishServable(
            iter(
                [
                    registry_pb2.PublishServableRequest(header=header),
                    registry_pb2.PublishServableRequest(
                        chunk=registry_pb2.ArtifactChunk(path="model.onnx", data=data)
                    ),
                ]
            ),
            metadata=md,
            timeout=60,
        )
        binding = stub.CreateBinding(
            registry_pb2.CreateBindingRequest(
                topic=topic,
                servable=types_pb2.ServableRef(owner=USERNAME, name=name),
                output_topic=output,
            ),
            metadata=md,
            timeout=30,
        ).binding
        assert binding.dead_letter_topic == f"{topic}.dlq"
        listed = stub.ListBindings(registry_pb2.ListBindingsRequest(), metadata=md, timeout=30)
        assert [b.id for b in listed.bindings] == [binding.id]

    consumer = KafkaConsumer(
        prefix + output,
        prefix + binding.dead_letter_topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        metadata_max_age_ms=500,
    )
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=2)
    results: list[Any] = []
    dead: list[Any] = []

    def drain() -> None:
        for batch in consumer.poll(timeout_ms=100).values():
            for message in batch:
                (dead if message.topic.endswith(".dlq") else results).append(message)

    def send(i: int) -> None:
        frame = _frame(i)
        value = b"\x01\x02\x03" if i == POISON else frame.tobytes()
        producer.send(
            prefix + topic,
            value=value,
            key=f"frame-{i}".encode(),
            headers=[("frame-id", f"frame-{i}".encode()), ("dtype", b"float32"), ("shape", b"4")],
        )

    try:
        for i in range(WARM):  # the model is loaded and the stream runs
            send(i)
        producer.flush()

        def seen(count: int) -> bool:
            drain()
            return len(results) >= count

        wait_for(lambda: seen(WARM - 1), timeout=60, what=f"{WARM - 1} results")
        # Freeze the executor, stream the rest to it, then kill it: every
        # later frame is in flight at the kill (its work item taken, no result).
        os.kill(executor.proc.pid, signal.SIGSTOP)
        for i in range(WARM, FRAMES):
            send(i)
        producer.flush()
        time.sleep(1.5)
        drain()
        assert len(results) == WARM - 1, "a frame finished on the frozen executor"
        executor.proc.kill()
        executor.proc.wait(10)
        executor = _executor(plane, "executor-2")
        wait_for(lambda: seen(FRAMES - 1), timeout=90, what="every frame's result")
        time.sleep(0.5)
        drain()
    finally:
        producer.close()
        consumer.close()
        executor.stop()

    ids = [m.key.decode() for m in results]
    expected = [f"frame-{i}" for i in range(FRAMES) if i != POISON]
    assert set(ids) == set(expected), "a frame was lost"
    first_seen = list(dict.fromkeys(ids))
    assert first_seen == expected, "results out of order"
    for m in results:
        i = int(m.key.decode().split("-")[1])
        headers = dict(m.headers)
        assert headers["frame-id"] == m.key
        assert headers["dlhub-servable"] == f"{USERNAME}/{name}:1".encode()
        assert headers["dlhub-digest"].startswith(b"sha256:")
        body = json.loads(m.value)
        y = np.asarray(body["outputs"]["Y"], dtype=np.float32)[0]
        np.testing.assert_allclose(y, _frame(i) @ W + B, rtol=1e-5)
        assert list(body["tags"]) == sorted(body["tags"], key=lambda t: -body["tags"][t])
    assert [m.key for m in dead] == [f"frame-{POISON}".encode()]
    reason = dict(dead[0].headers)["dlhub-error-reason"].decode()
    assert "payload of 3 bytes does not match shape [4] of float32 (16 bytes)" in reason
    assert dead[0].value == b"\x01\x02\x03"
