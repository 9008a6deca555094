"""Retraining the metallic-glass example when a new CSV lands in its S3 prefix.

The real S3 of the test stack (moto) holds the data prefix; the watcher of
the registry notices the new object, the job trains in the servable's own
environment, scores the current version and the candidate on the held-out
benchmark (MAE), and publishes the candidate as version 2 with its lineage.
Noisy data gives a worse candidate, which is kept as REJECTED.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dlhub_common import metrics
from dlhub_common._proto.dlhub.v1 import tasks_pb2, types_pb2
from dlhub_common.adapters._s3_calls import open_client
from dlhub_common.backends import S3ObjectsConfig
from tests.conftest import Stack
from tests.integration._retrain import finished_jobs, glass_modules, versions
from tests.integration.conftest import RPC_TIMEOUT_S, Mesh, TinyModel, running_mesh


@dataclass
class World:
    mesh: Mesh
    s3: S3ObjectsConfig
    bucket: str
    base: Path  # the example folder's files, as published in version 1

    async def put(self, key: str, data: bytes) -> None:
        async with open_client(self.s3) as client:
            await client.put_object(Bucket=self.bucket, Key=key, Body=data)


@pytest.fixture
async def world(
    tmp_path: Path, tiny: TinyModel, hermetic_env: None, stack: Stack
) -> AsyncIterator[World]:
    server = stack.require("s3")
    s3 = S3ObjectsConfig(
        bucket="unused",
        endpoint_url=server.info["endpoint_url"],
        access_key_id=server.info["access_key_id"],
        secret_access_key=server.info["secret_access_key"],
    )
    bucket = f"retrain-{uuid.uuid4().hex[:12]}"
    async with open_client(s3) as client:
        await client.create_bucket(Bucket=bucket)
    _glass, publish, _data, _train = glass_modules()
    staging = {
        "s3": {
            "endpoint_url": s3.endpoint_url,
            "access_key_id": server.info["access_key_id"],
            "secret_access_key": server.info["secret_access_key"],
        }
    }
    async with running_mesh(
        tmp_path / "mesh",
        tiny,
        staging=staging,
        retrain={"poll_interval_s": 0.3},
        executor_options={"env_dir": tmp_path / "envs"},
    ) as mesh:
        await mesh.publish(publish.benchmark_metadata(), publish.benchmark_files())
        model = publish.build_retrainable(f"s3://{bucket}/glass/", "alice/glass-heldout:1")
        files = {p: src.read_bytes() for p, src in model.files().items()}
        await mesh.publish(model.to_dict(), files)
        base = tmp_path / "base"
        base.mkdir()
        for p, data in files.items():
            (base / p).write_bytes(data)
        yield World(mesh, s3, bucket, base)


def _load_glass(folder: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"glass_{uuid.uuid4().hex}", folder / "glass.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _by_hand(world: World, tmp: Path, new_csv: bytes) -> tuple[float, float, Any]:
    """(MAE of version 1, MAE of the candidate, the candidate's module), computed here."""
    _glass, _publish, retrain_data, train = glass_modules()
    inputs, references = retrain_data.benchmark()
    data, previous, candidate = tmp / "data", tmp / "previous", tmp / "candidate"
    data.mkdir(parents=True)
    (data / "new.csv").write_bytes(new_csv)
    shutil.copytree(world.base, previous)
    out = Path(train.train(str(data), str(previous)))
    shutil.copytree(world.base, candidate)
    shutil.copyfile(out / "glass_data.csv", candidate / "glass_data.csv")
    old, new = _load_glass(world.base), _load_glass(candidate)
    return (
        metrics.compute("mae", references, [old.predict(x) for x in inputs]),
        metrics.compute("mae", references, [new.predict(x) for x in inputs]),
        new,
    )


async def _run(mesh: Mesh, version: int, value: Any) -> Any:
    resp = await mesh.stub.RunServable(
        tasks_pb2.RunServableRequest(
            servable=types_pb2.ServableRef(owner="alice", name="glass", version=version),
            inputs_json=json.dumps(value),
            wait=True,
            timeout_s=RPC_TIMEOUT_S,
        ),
        metadata=mesh.md(),
        timeout=RPC_TIMEOUT_S + 5,
    )
    assert resp.task.state == tasks_pb2.TASK_STATE_SUCCEEDED, resp.task.error
    return json.loads(resp.task.output_json)


async def test_new_csv_in_s3_publishes_a_better_version_and_noise_is_rejected(
    world: World, tmp_path: Path
) -> None:
    _glass, _publish, retrain_data, _train = glass_modules()
    measured = retrain_data.measured(11)
    await world.put("glass/measured-1.csv", measured)
    (job,) = await finished_jobs(world.mesh, "glass", 1)
    assert job.state == "SUCCEEDED", (job.error, job.traceback, list(job.log))
    assert (job.trigger, job.base_version, job.version) == ("objects", 1, 2)
    assert list(job.data_objects) == ["measured-1.csv"]
    sha = hashlib.sha256(measured).hexdigest()
    digest = "sha256:" + hashlib.sha256(f"measured-1.csv\0{sha}\n".encode()).hexdigest()
    assert job.data_digest == digest

    # the scores are the MAE computed here with the example's own code
    old_mae, new_mae, candidate = _by_hand(world, tmp_path / "hand", measured)
    assert job.metric == "mae"
    assert job.previous_score == pytest.approx(old_mae, abs=1e-12)
    assert job.score == pytest.approx(new_mae, abs=1e-12)
    assert new_mae < old_mae
    trained = (tmp_path / "hand" / "candidate" / "glass_data.csv").read_bytes()
    files = {f.path: (f.size, f.sha256) for f in job.candidate}
    assert sorted(files) == ["glass.py", "glass_data.csv", "train.py"]
    assert files["glass_data.csv"] == (len(trained), hashlib.sha256(trained).hexdigest())

    # version 2 records its lineage and runs the retrained model
    assert await versions(world.mesh, "glass") == [1, 2]
    v2 = json.loads((await world.mesh.get("glass", 2)).servable.metadata_json)
    assert {
        "relatedIdentifier": "urn:dlhub:alice/glass:1",
        "relatedIdentifierType": "URN",
        "relationType": "IsDerivedFrom",
    } in v2["datacite"]["relatedIdentifiers"]
    lineage = v2["servable"]["training"]["lineage"]
    assert lineage == {
        "derived_from": "alice/glass:1",
        "data_digest": digest,
        "job": job.id,
        "benchmark": "alice/glass-heldout:1",
        "metric": "mae",
        "score": job.score,
        "previous_score": job.previous_score,
    }
    alloy = ["V", "Co", "Zr"]
    assert await _run(world.mesh, 2, alloy) == candidate.predict(alloy)

    # data that makes the model worse: scored, kept as a rejected candidate
    before = world.mesh.object_files()
    await world.put("glass/noisy.csv", retrain_data.noise(12))
    _first, second = await finished_jobs(world.mesh, "glass", 2)
    assert second.state == "REJECTED", (second.error, list(second.log))
    assert second.base_version == 2
    assert list(second.data_objects) == ["noisy.csv"]
    kept = {f.path: f.sha256 for f in second.candidate}  # the rejected candidate, described
    assert kept["glass_data.csv"] != files["glass_data.csv"][1]
    assert second.score > second.previous_score == pytest.approx(job.score, abs=1e-12)
    assert second.reason.startswith("rejected: candidate mae")
    assert "no worse than the current version" in second.reason
    assert await versions(world.mesh, "glass") == [1, 2]
    assert world.mesh.object_files() == before, "a rejected candidate left objects behind"
