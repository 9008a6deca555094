"""Upgrade safety: versions published by older DLHub releases still run.

The fixture bundles (tests/fixtures/bundles/, see its README) are records and
artifacts exactly as older registries stored them. They are written straight
into the embedded DocumentStore and ObjectStore, as if this DLHub had just
been upgraded over that data, and must still describe and run. A record that
claims an interface version this executor does not know is refused with
FAILED_PRECONDITION and a message that says why.
"""

from __future__ import annotations

import copy
import io
import json
import sys
import tarfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dlhub_common._proto.dlhub.v1 import tasks_pb2, types_pb2
from dlhub_common.codec import tensor_to_array
from dlhub_common.metadata import compute_digest
from dlhub_common.records import SERVABLES, record_id
from dlhub_registry.core import HEADS

from .conftest import RPC_TIMEOUT_S, Mesh, TinyModel, running_mesh

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bundles"


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def install_fixture(
    mesh: Mesh, folder: str, *, name: str | None = None, **changes: Any
) -> dict[str, Any]:
    """Store one fixture bundle the way an older registry did: its artifacts
    in the object store, its record and head pointer in the document store."""
    record: dict[str, Any] = json.loads((FIXTURES / folder / "record.json").read_text())
    record.update(changes)
    if name is not None:
        record = copy.deepcopy(record)
        record["name"] = record["metadata"]["dlhub"]["name"] = name
    objects = await mesh.backends.objects()
    for art in record["artifacts"]:
        data = (FIXTURES / folder / art["path"]).read_bytes()
        info = await objects.put(_chunks(data), expected_sha256=art["sha256"])
        assert info.key == art["key"], "the object keys of an older release must still match"
    docs = await mesh.backends.documents()
    owner, rname, version = record["owner"], record["name"], int(record["version"])
    await docs.insert(SERVABLES, record_id(owner, rname, version), record)
    await docs.put(
        HEADS,
        f"{owner}/{rname}",
        {"owner": owner, "name": rname, "version": version, "published_at": record["published_at"]},
    )
    return record


def test_fixture_records_predate_the_new_fields() -> None:
    """Guard the fixtures themselves: they must stay what old releases wrote."""
    onnx = json.loads((FIXTURES / "onnx-v0" / "record.json").read_text())
    for field in ("interface_version", "state", "doi", "doi_error", "state_reason"):
        assert field not in onnx
    assert [a["path"] for a in onnx["artifacts"]] == ["model.onnx"]
    python = json.loads((FIXTURES / "python-v1" / "record.json").read_text())
    assert "interface_version" not in python
    assert (
        python["metadata"]["servable"]["methods"]["run"]["method_details"]["interface_version"] == 1
    )
    assert "dlhub.json" not in {a["path"] for a in python["artifacts"]}
    # their digests still verify under the current digest function
    for rec in (onnx, python):
        artifacts = {a["path"]: a["sha256"] for a in rec["artifacts"]}
        assert compute_digest(rec["metadata"], artifacts) == rec["digest"]


async def test_onnx_record_of_the_previous_release_describes_and_runs(
    mesh: Mesh,
) -> None:
    record = await install_fixture(mesh, "onnx-v0")
    described = await mesh.get("legacy")
    summary = described.servable.summary
    assert (summary.owner, summary.name, summary.version) == ("alice", "legacy", 1)
    assert summary.state == "active"  # no state field: active
    assert summary.doi == ""
    assert summary.digest == record["digest"]
    assert described.interface_version == 1  # none recorded: version 1
    assert [a.path for a in described.artifacts] == ["model.onnx"]

    # weights of the fixture model (tests/fixtures/bundles/onnx-v0): W = arange(12)/10, B
    w = np.arange(12, dtype=np.float32).reshape(4, 3) / 10
    b = np.array([0.5, -0.5, 1.0], dtype=np.float32)
    x = np.random.default_rng(3).normal(size=(5, 4)).astype(np.float32)
    task = await mesh.run("legacy", {"X": x})
    assert task.state == tasks_pb2.TASK_STATE_SUCCEEDED, task.error.message
    (out,) = task.outputs
    np.testing.assert_allclose(tensor_to_array(out), x @ w + b, rtol=1e-5, atol=1e-5)

    # the bundle of an old version is served too (without dlhub.json: it predates it)
    resp = await mesh.http.get("/api/v1/servables/alice/legacy/bundle", headers=mesh.headers())
    assert resp.status_code == 200
    assert resp.headers["x-dlhub-digest"] == record["digest"]
    with tarfile.open(fileobj=io.BytesIO(resp.content), mode="r:gz") as tar:
        names = set(tar.getnames())
    assert names == {
        "alice-legacy-v1/Dockerfile",
        "alice-legacy-v1/.dockerignore",
        "alice-legacy-v1/bundle/model.onnx",
    }


@pytest.fixture(scope="module")
def env_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("compat-envs")


async def test_python_bundle_with_interface_v1_still_runs(
    tmp_path: Path, tiny: TinyModel, env_dir: Path, hermetic_env: None
) -> None:
    record = json.loads((FIXTURES / "python-v1" / "record.json").read_text())
    python = record["metadata"]["servable"]["python"]
    if python != f"{sys.version_info[0]}.{sys.version_info[1]}":
        pytest.skip(f"the fixture needs python {python} (uv finds the interpreter)")
    async with running_mesh(tmp_path / "mesh", tiny, executor_options={"env_dir": env_dir}) as mesh:
        await install_fixture(mesh, "python-v1")
        described = await mesh.get("scale")
        assert described.servable.summary.servable_type == "python"
        assert described.interface_version == 1
        response = await mesh.stub.RunServable(
            tasks_pb2.RunServableRequest(
                servable=types_pb2.ServableRef(owner="alice", name="scale"),
                inputs_json=json.dumps([1, 2.5, -3]),
                wait=True,
                timeout_s=RPC_TIMEOUT_S,
            ),
            metadata=mesh.md(),
            timeout=RPC_TIMEOUT_S + 5,
        )
        task = response.task
        assert task.state == tasks_pb2.TASK_STATE_SUCCEEDED, task.error.message
        assert json.loads(task.output_json) == [2, 5.0, -6]


async def test_unknown_future_interface_version_is_refused_clearly(mesh: Mesh) -> None:
    await install_fixture(mesh, "onnx-v0", name="future", interface_version=99)
    described = await mesh.get("future")
    assert described.interface_version == 99  # describing still works
    x = np.zeros((1, 4), dtype=np.float32)
    # the executor refuses it before downloading or loading anything
    task = await mesh.run("future", {"X": x})
    assert task.state == tasks_pb2.TASK_STATE_FAILED
    assert task.error.code == "FAILED_PRECONDITION"
    message = task.error.message
    details = json.loads(task.error.details_json)
    assert details["interface_version"] == 99
    assert details["supported_interface_versions"] == [1]
    assert "interface version 99" in message
    assert "supports [1]" in message
