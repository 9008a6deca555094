"""What the retrain tests share: the glass example's servables, calls, waits."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

from dlhub_common._proto.dlhub.v1 import registry_pb2, types_pb2
from tests.integration.conftest import RPC_TIMEOUT_S, Mesh

GLASS = Path(__file__).resolve().parents[2] / "examples" / "glass"
TERMINAL = ("SUCCEEDED", "REJECTED", "FAILED")


def glass_modules() -> Any:
    """The example's modules: (glass, publish, retrain_data, train)."""
    sys.path.insert(0, str(GLASS))
    # another example's "publish" may be imported already: these are glass's
    for name in ("glass", "publish", "retrain_data", "train"):
        module = sys.modules.get(name)
        if module is not None and Path(getattr(module, "__file__", "") or "").parent != GLASS:
            del sys.modules[name]
    try:
        import glass
        import publish
        import retrain_data
        import train
    finally:
        sys.path.remove(str(GLASS))
    return glass, publish, retrain_data, train


def ref(name: str, owner: str = "alice") -> types_pb2.ServableRef:
    return types_pb2.ServableRef(owner=owner, name=name)


async def retrain(
    mesh: Mesh, name: str, *, token: Any = None, owner: str = "alice"
) -> registry_pb2.RetrainServableResponse:
    response: registry_pb2.RetrainServableResponse = await mesh.stub.RetrainServable(
        registry_pb2.RetrainServableRequest(servable=ref(name, owner)),
        metadata=mesh.md(mesh.token if token is None else token),
        timeout=RPC_TIMEOUT_S,
    )
    return response


async def jobs(
    mesh: Mesh, name: str, *, token: Any = None, owner: str = "alice"
) -> list[registry_pb2.RetrainJob]:
    response = await mesh.stub.ListRetrainJobs(
        registry_pb2.ListRetrainJobsRequest(servable=ref(name, owner)),
        metadata=mesh.md(mesh.token if token is None else token),
        timeout=RPC_TIMEOUT_S,
    )
    return list(response.jobs)


async def get_job(mesh: Mesh, job_id: str, *, token: Any = None) -> registry_pb2.RetrainJob:
    response = await mesh.stub.GetRetrainJob(
        registry_pb2.GetRetrainJobRequest(job_id=job_id),
        metadata=mesh.md(mesh.token if token is None else token),
        timeout=RPC_TIMEOUT_S,
    )
    job: registry_pb2.RetrainJob = response.job
    return job


async def finished_jobs(
    mesh: Mesh, name: str, count: int, timeout_s: float = 60.0
) -> list[registry_pb2.RetrainJob]:
    """Wait until ``count`` jobs of ``name`` have ended and none runs; oldest first."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = await jobs(mesh, name)
        done = [j for j in found if j.state in TERMINAL]
        if len(done) >= count and len(done) == len(found):
            return done[::-1]  # the list is newest first
        assert time.monotonic() < deadline, f"jobs of {name}: {[(j.id, j.state) for j in found]}"
        await asyncio.sleep(0.1)


async def versions(mesh: Mesh, name: str) -> list[int]:
    response = await mesh.stub.ListVersions(
        registry_pb2.ListVersionsRequest(owner="alice", name=name),
        metadata=mesh.md(),
        timeout=RPC_TIMEOUT_S,
    )
    return [int(v.version) for v in response.versions]
