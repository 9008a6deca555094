"""Retraining end to end, embedded (``dlhub up``) and distributed (one ``dlhub
serve`` per service over Kafka, MongoDB, OpenSearch and S3): the glass example
with its recipe; a new CSV under its data prefix (a local folder embedded, a
bucket of the stack's S3 distributed); ``dlhub retrain`` (the SDK) starts the
job in the registry process, which trains, scores and publishes version 2."""

from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path
from typing import Any

from dlhub_common.adapters._s3_calls import open_client
from dlhub_common.backends import S3ObjectsConfig
from dlhub_sdk.client import DLHubClient

from ._support import Mesh

GLASS = Path(__file__).resolve().parents[2] / "examples" / "glass"


def _glass() -> tuple[Any, Any]:
    sys.path.insert(0, str(GLASS))
    try:
        import publish
        import retrain_data
    finally:
        sys.path.remove(str(GLASS))
    return publish, retrain_data


async def _s3_prefix(stack: Any, data: bytes) -> str:
    info = stack.require("s3").info
    s3 = S3ObjectsConfig(
        bucket="unused",
        endpoint_url=info["endpoint_url"],
        access_key_id=info["access_key_id"],
        secret_access_key=info["secret_access_key"],
    )
    bucket = f"e2e-retrain-{uuid.uuid4().hex[:10]}"
    async with open_client(s3) as client:
        await client.create_bucket(Bucket=bucket)
        await client.put_object(Bucket=bucket, Key="inbox/measured.csv", Body=data)
    return f"s3://{bucket}/inbox/"


def test_a_retrain_publishes_the_better_version(mesh: Mesh, tmp_path: Path, request: Any) -> None:
    publish, retrain_data = _glass()
    measured = retrain_data.measured(11)
    if mesh.mode == "distributed":
        prefix = asyncio.run(_s3_prefix(request.getfixturevalue("stack"), measured))
    else:
        inbox = tmp_path / "inbox"
        inbox.mkdir()
        (inbox / "measured.csv").write_bytes(measured)
        prefix = f"{inbox}/"
    bench_file = tmp_path / "data.json"
    bench_file.write_bytes(publish.benchmark_files()[publish.BENCHMARK_FILE])
    bench_name = f"glass-heldout-{mesh.mode}"
    with DLHubClient(mesh.address, mesh.token) as client:
        bench = client.publish_servable(
            publish.benchmark_metadata(bench_name), {publish.BENCHMARK_FILE: bench_file}
        )
        model = publish.build_retrainable(
            prefix, f"{mesh.username}/{bench_name}:{bench['version']}"
        )
        model.set_name(f"glass-retrain-{mesh.mode}")
        first = client.publish_servable(model)
        ref = f"{first['owner']}/{first['name']}"
        started = client.retrain(ref)
        job = client.wait_retrain_job(started["id"], timeout_s=50)
        assert job["state"] == "SUCCEEDED", (job["error"], job["traceback"], job["log"])
        assert job["data"]["objects"] == ["measured.csv"]
        assert job["score"]["candidate"] < job["score"]["previous"]
        assert job["version"] == first["version"] + 1
        latest = client.describe_servable(ref)
        assert latest["servable"]["training"]["lineage"]["job"] == job["id"]
        assert latest["dlhub"]["version"] == job["version"]
