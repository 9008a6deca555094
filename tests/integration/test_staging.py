"""Inputs and outputs by reference through the in-process mesh (docs/staging.md).

Real sources: a local HTTP file server, the test stack's S3 (moto) and the
Globus stand-in (Transfer's endpoint look-up + a collection's HTTPS access,
reached through ``GLOBUS_SDK_SERVICE_URL_TRANSFER``). The file server binds
127.0.0.1, which the mesh allows as a literal only (``staging.private_hosts``),
so ``localhost`` (a name resolving to it) stays refused.
"""

from __future__ import annotations

import io
import json
import logging
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import numpy as np
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from dlhub_common._proto.dlhub.v1 import tasks_pb2, types_pb2
from dlhub_common.adapters._s3_calls import open_client
from dlhub_common.backends import S3ObjectsConfig
from dlhub_executor.staging.cache import CACHE_HITS
from tests.conftest import Stack
from tests.integration.conftest import (
    RPC_TIMEOUT_S,
    Mesh,
    TinyModel,
    running_mesh,
    span_texts,
)
from tests.standins.files_standin import (
    FileServer,
    TransferStandin,
    running_files,
    running_transfer,
    transfer_env,
)

COLLECTION = "0c8a6a2e-8d4e-4f3b-9a51-3f6f2f3b5c11"
MAX_INPUT = 64 * 1024
X = (np.arange(8, dtype=np.float32).reshape(2, 4) - 3) / 4


def npy(array: np.ndarray[Any, Any]) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


@dataclass
class World:
    mesh: Mesh
    files: FileServer
    globus_files: FileServer
    transfer: TransferStandin
    s3: S3ObjectsConfig
    bucket: str

    async def run(self, ref: str, *, shape: list[int] | None = None, **kw: Any) -> tasks_pb2.Task:
        tensor = types_pb2.Tensor(name="X", datatype="FP32", shape=shape or [2, 4], ref=ref)
        response = await self.mesh.stub.RunServable(
            tasks_pb2.RunServableRequest(
                servable=types_pb2.ServableRef(owner="alice", name="tiny"),
                inputs=[tensor],
                wait=True,
                timeout_s=RPC_TIMEOUT_S,
                **kw,
            ),
            metadata=self.mesh.md(),
            timeout=RPC_TIMEOUT_S + 5,
        )
        task: tasks_pb2.Task = response.task
        return task

    def output(self, task: tasks_pb2.Task) -> np.ndarray[Any, Any]:
        assert task.state == tasks_pb2.TASK_STATE_SUCCEEDED, task.error.message
        y = task.outputs[0]
        return np.frombuffer(y.data, dtype=np.float32).reshape(list(y.shape))


@pytest.fixture
async def world(
    tmp_path: Path,
    tiny: TinyModel,
    hermetic_env: None,
    stack: Stack,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[World]:
    server = stack.require("s3")
    s3 = S3ObjectsConfig(
        bucket="unused",
        endpoint_url=server.info["endpoint_url"],
        access_key_id=server.info["access_key_id"],
        secret_access_key=server.info["secret_access_key"],
    )
    bucket = f"staging-{uuid.uuid4().hex[:12]}"
    async with open_client(s3) as client:
        await client.create_bucket(Bucket=bucket)
    async with (
        running_files(FileServer()) as files,
        running_files(FileServer()) as globus_files,
        running_transfer(TransferStandin()) as transfer,
    ):
        for key, value in transfer_env(transfer.url).items():
            monkeypatch.setenv(key, value)
        transfer.collections[COLLECTION] = globus_files.url
        staging = {
            "private_hosts": ["127.0.0.1"],
            "timeout_s": 1.5,
            "max_input_bytes": MAX_INPUT,
            "output_prefixes": [f"s3://{bucket}/outputs"],
            "s3": {
                "endpoint_url": s3.endpoint_url,
                "access_key_id": server.info["access_key_id"],
                "secret_access_key": server.info["secret_access_key"],
            },
        }
        async with running_mesh(tmp_path / "mesh", tiny, staging=staging) as mesh:
            globus_files.token = mesh.token  # the caller's token opens the collection
            transfer.tokens.add(mesh.token)
            await mesh.publish(TinyModel.metadata("tiny"), {"model.onnx": tiny.data})
            yield World(mesh, files, globus_files, transfer, s3, bucket)


async def test_http_reference_stages_and_a_second_run_hits_the_cache(world: World) -> None:
    world.files.files["/x.npy"] = npy(X)
    url = f"{world.files.url}/x.npy"
    first = await world.run(url)
    np.testing.assert_allclose(world.output(first), world.mesh.model.expected(X), rtol=1e-6)
    assert first.timings.staging_ms > 0
    assert first.timings.staging_cache_hits == 0
    hits = CACHE_HITS._value.get()
    second = await world.run(url)
    np.testing.assert_allclose(world.output(second), world.mesh.model.expected(X), rtol=1e-6)
    assert second.timings.staging_cache_hits == 1
    assert CACHE_HITS._value.get() == hits + 1
    assert world.files.statuses("/x.npy") == [200, 304]  # revalidated, not downloaded again
    # raw bytes read with the declared datatype and shape
    world.files.files["/x.raw"] = X.tobytes()
    raw = await world.run(f"{world.files.url}/x.raw")
    np.testing.assert_allclose(world.output(raw), world.mesh.model.expected(X), rtol=1e-6)
    # the staging time is reported apart from queue and compute time
    got = await world.mesh.stub.GetTask(
        tasks_pb2.GetTaskRequest(task_id=second.task_id), metadata=world.mesh.md()
    )
    assert got.task.timings.staging_cache_hits == 1
    assert got.task.timings.compute_ms > 0


async def test_s3_reference_and_outputs_by_reference(world: World) -> None:
    async with open_client(world.s3) as client:
        await client.put_object(Bucket=world.bucket, Key="in/x.npy", Body=npy(X))
        ref = f"s3://{world.bucket}/in/x.npy"
        first = await world.run(ref)
        np.testing.assert_allclose(world.output(first), world.mesh.model.expected(X), rtol=1e-6)
        second = await world.run(ref)
        assert second.timings.staging_cache_hits == 1
        # outputs by reference: the URL comes back, the bytes are in S3
        task = await world.run(ref, outputs_to=f"s3://{world.bucket}/outputs/run1")
        assert task.state == tasks_pb2.TASK_STATE_SUCCEEDED, task.error.message
        assert not task.outputs
        url = task.output_refs["Y"]
        assert url == f"s3://{world.bucket}/outputs/run1/{task.task_id}/Y.npy"
        body = await client.get_object(Bucket=world.bucket, Key=url.split("/", 3)[3])
        data = await body["Body"].read()
        np.testing.assert_allclose(
            np.load(io.BytesIO(data)), world.mesh.model.expected(X), rtol=1e-6
        )
        missing = await world.run(f"s3://{world.bucket}/in/none.npy")
        assert missing.error.code == "FAILED_PRECONDITION"
        assert f"s3://{world.bucket}/in/none.npy" in missing.error.message
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await world.run(ref, outputs_to="s3://elsewhere/outputs")
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "staging.output_prefixes" in (info.value.details() or "")


async def test_globus_reference_with_the_callers_token_kept_out_of_logs_and_records(
    world: World, caplog: pytest.LogCaptureFixture, spans: InMemorySpanExporter
) -> None:
    caplog.set_level(logging.DEBUG)
    spans.clear()
    world.globus_files.files["/detector/frame1.npy"] = npy(X)
    ref = f"globus://{COLLECTION}/detector/frame1.npy"
    task = await world.run(ref)
    np.testing.assert_allclose(world.output(task), world.mesh.model.expected(X), rtol=1e-6)
    token = world.mesh.token
    assert world.transfer.calls == [(f"/v0.10/endpoint/{COLLECTION}", f"Bearer {token}")]
    assert world.globus_files.requests[0][1:] == (200, f"Bearer {token}")
    assert world.files.requests == [], "the token went somewhere else"
    # a plain http reference never gets it
    world.files.files["/plain.npy"] = npy(X)
    await world.run(f"{world.files.url}/plain.npy")
    assert world.files.requests[-1][2] == ""
    missing = await world.run(f"globus://{COLLECTION}/detector/none.npy")
    assert missing.error.code == "FAILED_PRECONDITION"
    unknown = await world.run("globus://11111111-2222-3333-4444-555555555555/x.npy")
    assert "no such Globus collection" in unknown.error.message
    docs = await world.mesh.backends.documents()
    records = await docs.find("tasks")
    texts = {
        "logs": caplog.text,
        "spans": span_texts(spans),
        "records": json.dumps(records, default=str),
        "errors": missing.error.message + unknown.error.message,
    }
    for where, text in texts.items():
        assert token not in text, f"the caller's token is in the {where}"


@pytest.mark.parametrize(
    "template",
    [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/iam/",
        "http://localhost:{port}/x.npy",  # a name resolving to 127.0.0.1
        "http://[::1]:{port}/x.npy",
        "http://10.0.0.1/x.npy",
        "gopher://example.org/x",
    ],
)
async def test_disallowed_references_are_refused_before_anything_is_fetched(
    world: World, template: str
) -> None:
    world.files.files["/x.npy"] = npy(X)
    port = world.files.url.rsplit(":", 1)[1]
    before = await world.mesh.task_count()
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await world.run(template.format(port=port))
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "reference" in (info.value.details() or "")
    assert world.files.requests == [], "a refused reference was fetched"
    assert await world.mesh.task_count() == before


async def test_fetch_failures_name_the_url_without_secrets(world: World) -> None:
    base = world.files.url.replace("http://", "http://ada:hunter2@")
    missing = await world.run(f"{base}/gone.npy?X-Amz-Signature=s3cr3t")
    assert missing.state == tasks_pb2.TASK_STATE_FAILED
    assert missing.error.code == "FAILED_PRECONDITION"
    assert "/gone.npy?..." in missing.error.message
    assert "404" in missing.error.message
    for secret in ("hunter2", "s3cr3t", "ada:"):
        assert secret not in missing.error.message
    world.files.files["/big.bin"] = b"\0" * (MAX_INPUT + 1)
    big = await world.run(f"{world.files.url}/big.bin")
    assert big.error.code == "RESOURCE_EXHAUSTED"
    assert "staging.max_input_bytes" in big.error.message
    world.files.redirects["/hop"] = "http://169.254.169.254/latest/meta-data/"
    hop = await world.run(f"{world.files.url}/hop")
    assert hop.error.code == "INVALID_ARGUMENT"
    assert "link-local" in hop.error.message
    world.files.files["/slow.npy"] = npy(X)
    world.files.delay_s = 3.0
    slow = await world.run(f"{world.files.url}/slow.npy")
    assert slow.error.code == "DEADLINE_EXCEEDED"
    assert "/slow.npy" in slow.error.message


LINES = """
def count(item):
    path, words = item["file"], item["words"]
    with open(path) as f:
        return {"lines": f.read().count("\\n"), "words": len(words), "path": path}
"""


async def test_python_servable_gets_a_local_path_and_json_by_reference(
    world: World, tmp_path: Path
) -> None:
    import sys

    from dlhub_sdk.models import PythonStaticMethodServable

    module = tmp_path / "lines.py"
    module.write_text(LINES)
    model = PythonStaticMethodServable.from_function(
        module,
        "count",
        python=f"{sys.version_info[0]}.{sys.version_info[1]}",
        name="lines",
        input_type={
            "type": "dict",
            "properties": {"file": {"type": "file"}, "words": {"type": "list"}},
        },
        output_type="any",
    )
    model.set_title("lines").add_author("Tester, Alice")
    await world.mesh.publish(model.to_dict(), {"lines.py": LINES.encode()})
    world.files.files["/notes.txt"] = b"a\nb\nc\n"
    world.files.files["/words.json"] = b'["x", "y"]'
    value = {
        "file": f"{world.files.url}/notes.txt",
        "words": {"ref": f"{world.files.url}/words.json"},
    }
    response = await world.mesh.stub.RunServable(
        tasks_pb2.RunServableRequest(
            servable=types_pb2.ServableRef(owner="alice", name="lines"),
            inputs_json=json.dumps(value),
            wait=True,
            timeout_s=RPC_TIMEOUT_S,
        ),
        metadata=world.mesh.md(),
        timeout=RPC_TIMEOUT_S + 5,
    )
    task = response.task
    assert task.state == tasks_pb2.TASK_STATE_SUCCEEDED, task.error.message
    out = json.loads(task.output_json)
    assert out["lines"] == 3
    assert out["words"] == 2
    staged = Path(out["path"])
    assert staged.parent.name == "staged"  # the executor's staging cache
    assert os.stat(staged).st_mode & 0o777 == 0o600
    assert task.timings.staging_ms > 0
    # its JSON result by reference
    response = await world.mesh.stub.RunServable(
        tasks_pb2.RunServableRequest(
            servable=types_pb2.ServableRef(owner="alice", name="lines"),
            inputs_json=json.dumps(value),
            wait=True,
            timeout_s=RPC_TIMEOUT_S,
            outputs_to=f"s3://{world.bucket}/outputs/json",
        ),
        metadata=world.mesh.md(),
        timeout=RPC_TIMEOUT_S + 5,
    )
    url = response.task.output_refs["output"]
    assert url.endswith(f"/{response.task.task_id}/output.json")
    assert not response.task.output_json
    async with open_client(world.s3) as client:
        got = await client.get_object(Bucket=world.bucket, Key=url.split("/", 3)[3])
        assert json.loads(await got["Body"].read())["lines"] == 3


async def test_sdk_reference(world: World) -> None:
    import asyncio

    from dlhub_sdk import DLHubClient, Reference

    world.files.files["/x.npy"] = npy(X)
    url = f"{world.files.url}/x.npy"

    def run() -> Any:
        with DLHubClient(world.mesh.grpc_address, token=world.mesh.token) as client:
            return client.run("alice/tiny", Reference(url, shape=[2, 4]))

    got = await asyncio.to_thread(run)
    np.testing.assert_allclose(got["Y"], world.mesh.model.expected(X), rtol=1e-6)


async def test_http_json_route_takes_references_and_returns_output_urls(world: World) -> None:
    world.files.files["/h.npy"] = npy(X)
    body = {"inputs": {"X": {"ref": f"{world.files.url}/h.npy", "shape": [2, 4]}}}
    response = await world.mesh.http.post(
        "/api/v1/servables/alice/tiny/run", json=body, headers=world.mesh.headers()
    )
    assert response.status_code == 200, response.text
    got = response.json()
    np.testing.assert_allclose(
        np.array(got["outputs"][0]["data"], dtype=np.float32).reshape(2, 3),
        world.mesh.model.expected(X),
        rtol=1e-6,
    )
    assert got["timings"]["staging_ms"] > 0
    again = await world.mesh.http.post(
        "/api/v1/servables/alice/tiny/run",
        json={**body, "outputs_to": f"s3://{world.bucket}/outputs"},
        headers=world.mesh.headers(),
    )
    assert again.status_code == 200, again.text
    assert again.json()["timings"]["staging_cache_hits"] == 1
    assert again.json()["output_refs"]["Y"].startswith(f"s3://{world.bucket}/outputs/")
    refused = await world.mesh.http.post(
        "/api/v1/servables/alice/tiny/run",
        json={"inputs": {"X": {"ref": "http://169.254.169.254/latest", "shape": [2, 4]}}},
        headers=world.mesh.headers(),
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "INVALID_ARGUMENT"


async def test_a_slow_reference_holds_up_no_other_run_of_the_model(world: World) -> None:
    import asyncio

    world.files.files["/slowish.npy"] = npy(X)
    world.files.delay_s = 1.0  # under staging.timeout_s (1.5 s)
    slow = asyncio.create_task(world.run(f"{world.files.url}/slowish.npy"))
    async with asyncio.timeout(10):
        await world.files.arrived.wait()  # the executor is staging it
    t0 = asyncio.get_running_loop().time()
    inline = await world.mesh.run("tiny", {"X": X}, no_cache=True)
    inline_s = asyncio.get_running_loop().time() - t0
    assert inline.state == tasks_pb2.TASK_STATE_SUCCEEDED
    assert not slow.done(), "the inline run waited for the staging"
    assert inline_s < 0.9
    np.testing.assert_allclose(world.output(await slow), world.mesh.model.expected(X), rtol=1e-6)
