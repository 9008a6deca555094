"""Immutable bundles (dlhub.json, environment.lock, the tar.gz download with
its Dockerfile) and publish jobs (state and log, owner only) through the mesh,
the SDK and the CLI.

No Docker daemon here: the generated Dockerfile is checked for what it must
name (the servable, its version, digest and lock), not built.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib.metadata
import io
import json
import sys
import tarfile
from pathlib import Path
from typing import Any

import grpc
import pytest

from dlhub_common._proto.dlhub.v1 import registry_pb2
from dlhub_common.errors import InvalidArgument, NotFound
from dlhub_common.metadata import canonical_json
from dlhub_common.rpc.errors import error_from_rpc
from dlhub_sdk import cli
from dlhub_sdk.client import DLHubClient

from .conftest import RPC_TIMEOUT_S, Mesh, TinyModel, running_mesh

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bundles"


async def get_job(
    mesh: Mesh, publish_id: str, *, token: Any = None
) -> registry_pb2.GetPublishJobResponse:
    resp: registry_pb2.GetPublishJobResponse = await mesh.stub.GetPublishJob(
        registry_pb2.GetPublishJobRequest(publish_id=publish_id),
        metadata=mesh.md() if token is None else mesh.md(token),
        timeout=RPC_TIMEOUT_S,
    )
    return resp


def untar(data: bytes) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar:
            assert member.isfile()
            f = tar.extractfile(member)
            assert f is not None
            out[member.name] = f.read()
    return out


# ================================================================== bundles


async def test_bundle_holds_artifacts_metadata_lock_and_a_dockerfile(
    mesh: Mesh, tiny: TinyModel
) -> None:
    await mesh.publish(tiny.metadata("tiny"), {"model.onnx": tiny.data})
    v2 = await mesh.publish(tiny.metadata("tiny"), {"model.onnx": tiny.data})
    summary = v2.servable.summary
    described = await mesh.get("tiny", 2)

    resp = await mesh.http.get(
        "/api/v1/servables/alice/tiny/bundle", params={"version": "2"}, headers=mesh.headers()
    )
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"] == "application/gzip"
    assert "alice-tiny-v2.tar.gz" in resp.headers["content-disposition"]
    files = untar(resp.content)
    root = "alice-tiny-v2"
    assert set(files) == {
        f"{root}/Dockerfile",
        f"{root}/.dockerignore",
        f"{root}/bundle/model.onnx",
        f"{root}/bundle/dlhub.json",
        f"{root}/bundle/environment.lock",
    }
    # every bundle file is byte for byte the stored artifact
    for art in described.artifacts:
        data = files[f"{root}/bundle/{art.path}"]
        assert hashlib.sha256(data).hexdigest() == art.sha256
    assert files[f"{root}/bundle/model.onnx"] == tiny.data
    # dlhub.json is the canonical stored metadata of exactly this version
    meta = json.loads(files[f"{root}/bundle/dlhub.json"])
    assert meta == json.loads(v2.servable.metadata_json)
    assert files[f"{root}/bundle/dlhub.json"] == canonical_json(meta)
    assert meta["dlhub"]["version"] == 2
    assert meta["dlhub"]["digest"] == summary.digest
    # ONNX: the lock records the runtime requirement
    lock = files[f"{root}/bundle/environment.lock"].decode()
    # onnxruntime is installed here, so the exact version is pinned
    assert f"onnxruntime=={importlib.metadata.version('onnxruntime')}" in lock.splitlines()

    dockerfile = files[f"{root}/Dockerfile"].decode()
    assert dockerfile.splitlines()[0] == "# Executor image for the DLHub servable alice/tiny:2"
    assert "FROM python:3.11-slim" in dockerfile
    assert 'org.dlhub.servable="alice/tiny"' in dockerfile
    assert 'org.dlhub.version="2"' in dockerfile
    assert f'org.dlhub.digest="{summary.digest}"' in dockerfile
    assert 'org.dlhub.lock="environment.lock"' in dockerfile
    cache = f"/opt/dlhub/cache/{summary.digest.replace(':', '-')}"
    assert f"COPY bundle/ {cache}/" in dockerfile
    assert f"-c {cache}/environment.lock" in dockerfile  # the runtime pin
    # one ONNX Runtime build, the CPU one unless built with DLHUB_ONNXRUNTIME=gpu
    assert '"dlhub-executor[${DLHUB_ONNXRUNTIME}]"' in dockerfile
    assert "ARG DLHUB_ONNXRUNTIME=cpu" in dockerfile
    assert "DLHUB_EXECUTOR_OPTIONS__CACHE_DIR=/opt/dlhub/cache" in dockerfile
    assert 'CMD ["dlhub", "serve", "executor"]' in dockerfile
    assert "!bundle/" in files[f"{root}/.dockerignore"].decode()


async def test_bundle_of_unknown_or_hidden_servable_is_not_found(
    mesh: Mesh, tiny: TinyModel
) -> None:
    await mesh.publish(tiny.metadata("private", visible_to=["alice"]), {"model.onnx": tiny.data})
    resp = await mesh.http.get("/api/v1/servables/alice/private/bundle")
    assert resp.status_code == 404
    resp = await mesh.http.get("/api/v1/servables/alice/nope/bundle", headers=mesh.headers())
    assert resp.status_code == 404
    resp = await mesh.http.get(
        "/api/v1/servables/alice/private/bundle", params={"version": "7"}, headers=mesh.headers()
    )
    assert resp.status_code == 404


async def test_registry_written_bundle_files_cannot_be_uploaded(
    mesh: Mesh, tiny: TinyModel
) -> None:
    md = tiny.metadata("sneaky")
    md["dlhub"]["files"]["other"] = ["dlhub.json"]
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await mesh.publish(md, {"model.onnx": tiny.data, "dlhub.json": b"{}"})
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "dlhub.json" in (info.value.details() or "")


async def test_sdk_and_cli_download_the_bundle(
    mesh: Mesh, tiny: TinyModel, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await mesh.publish(tiny.metadata("tiny"), {"model.onnx": tiny.data})

    def use_sdk() -> Path:
        with DLHubClient(mesh.grpc_address, mesh.token, http=mesh.http_url) as client:
            return client.download_bundle("alice/tiny", tmp_path / "sdk")

    out = await asyncio.to_thread(use_sdk)
    assert (out / "bundle" / "model.onnx").read_bytes() == tiny.data
    assert (out / "Dockerfile").read_text().startswith("# Executor image")
    assert {p.name for p in (out / "bundle").iterdir()} == {
        "model.onnx",
        "dlhub.json",
        "environment.lock",
    }

    def run_cli(*argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv))
        cap = capsys.readouterr()
        return code, cap.out, cap.err

    common = ["--address", mesh.grpc_address, "--token", mesh.token, "--http", mesh.http_url]
    code, text, err = await asyncio.to_thread(
        run_cli, "bundle", "alice/tiny:1", "--out", str(tmp_path / "cli"), "--json", *common
    )
    assert code == 0, err
    listing = json.loads(text)
    assert "Dockerfile" in listing["files"]
    assert "bundle/dlhub.json" in listing["files"]
    assert (tmp_path / "cli" / "bundle" / "model.onnx").read_bytes() == tiny.data

    # an unknown version is the gateway's NOT_FOUND, raised as NotFound
    def missing() -> None:
        with (
            DLHubClient(mesh.grpc_address, mesh.token, http=mesh.http_url) as client,
            pytest.raises(NotFound),
        ):
            client.download_bundle("alice/tiny:9", tmp_path / "none")

    await asyncio.to_thread(missing)


# ================================================================ publish jobs


async def test_successful_publish_is_a_job_with_a_log(mesh: Mesh, tiny: TinyModel) -> None:
    resp = await mesh.publish(tiny.metadata("tiny"), {"model.onnx": tiny.data})
    assert resp.publish_id.startswith("pub-")
    job = (await get_job(mesh, resp.publish_id)).job
    assert job.id == resp.publish_id
    assert job.owner == "alice"
    assert job.state == "SUCCEEDED"
    assert (job.servable.owner, job.servable.name, job.servable.version) == ("alice", "tiny", 1)
    assert job.started_at
    assert job.finished_at
    text = "\n".join(job.log)
    assert "metadata valid: alice/tiny, type onnx" in text
    assert f"received model.onnx ({len(tiny.data)} bytes" in text
    assert "ONNX model model.onnx loads" in text
    assert "runtime requirement: onnxruntime" in text
    assert f"digest {resp.servable.summary.digest}" in text
    assert job.log[-1] == "published alice/tiny:1"

    # owner only: anyone else (and anonymous callers) get NOT_FOUND
    for token in (mesh.bob_token, ""):
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await get_job(mesh, resp.publish_id, token=token)
        assert info.value.code() is grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await get_job(mesh, "pub-00000000-0000-0000-0000-000000000000")
    assert info.value.code() is grpc.StatusCode.NOT_FOUND

    http = await mesh.http.get(f"/api/v1/publish-jobs/{resp.publish_id}", headers=mesh.headers())
    assert http.status_code == 200
    body = http.json()
    assert body["state"] == "SUCCEEDED"
    assert body["servable"] == {"owner": "alice", "name": "tiny", "version": 1}
    assert body["log"] == list(job.log)
    bob = await mesh.http.get(
        f"/api/v1/publish-jobs/{resp.publish_id}", headers=mesh.headers(mesh.bob_token)
    )
    assert bob.status_code == 404
    # the HTTP publish answers with its publish id too
    posted = await mesh.publish_http(tiny.metadata("tiny"), {"model.onnx": tiny.data})
    assert posted.status_code == 201
    assert posted.json()["publish_id"].startswith("pub-")


async def test_failed_publish_raises_at_once_and_keeps_its_log(mesh: Mesh, tiny: TinyModel) -> None:
    md = tiny.metadata("broken")
    md["dlhub"]["files"]["model"] = "missing.onnx"
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await mesh.publish(md, {"model.onnx": tiny.data})
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    error = error_from_rpc(info.value)
    assert isinstance(error, InvalidArgument)
    publish_id = error.details["publish_id"]
    assert publish_id.startswith("pub-")
    job = (await get_job(mesh, publish_id)).job
    assert job.state == "FAILED"
    assert job.error_code == "INVALID_ARGUMENT"
    assert not job.HasField("servable")
    assert job.finished_at
    assert job.log[-1].startswith("failed: INVALID_ARGUMENT: dlhub.files.model 'missing.onnx'")
    assert any(line.startswith("received model.onnx") for line in job.log)


async def test_sdk_and_cli_show_publish_jobs(
    mesh: Mesh, tiny: TinyModel, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "model.onnx"
    model.write_bytes(tiny.data)
    bad = tiny.metadata("bad")
    bad["servable"]["methods"]["run"]["input"]["properties"]["X"]["shape"] = [None, 5]

    def use_sdk() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        with DLHubClient(mesh.grpc_address, mesh.token) as client:
            summary = client.publish_servable(tiny.metadata("good"), {"model.onnx": model})
            ok = client.get_publish_status(summary["publish_id"])
            with pytest.raises(InvalidArgument) as info:
                client.publish_servable(bad, {"model.onnx": model})
            failed = client.get_publish_status(info.value.details["publish_id"])
            return summary, ok, failed

    summary, ok, failed = await asyncio.to_thread(use_sdk)
    assert ok["state"] == "SUCCEEDED"
    assert ok["servable"] == {"owner": "alice", "name": "good", "version": summary["version"]}
    assert failed["state"] == "FAILED"
    assert failed["servable"] is None
    assert failed["error_code"] == "INVALID_ARGUMENT"
    assert failed["log"][-1].startswith("failed: INVALID_ARGUMENT")

    def run_cli(*argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv))
        cap = capsys.readouterr()
        return code, cap.out, cap.err

    common = ["--address", mesh.grpc_address, "--token", mesh.token]
    code, text, _ = await asyncio.to_thread(run_cli, "status", summary["publish_id"], *common)
    assert code == 0
    assert f"publish job {summary['publish_id']}: SUCCEEDED" in text
    assert "servable alice/good:1" in text
    assert "published alice/good:1" in text
    code, text, _ = await asyncio.to_thread(run_cli, "status", failed["id"], "--json", *common)
    assert code == 1  # the job failed
    assert json.loads(text)["state"] == "FAILED"
    # a failed CLI publish points at its log
    meta = tmp_path / "bad.json"
    meta.write_text(json.dumps(bad))
    code, _, err = await asyncio.to_thread(
        run_cli, "publish", "--metadata", str(meta), "--file", f"model.onnx={model}", *common
    )
    assert code == 1
    assert "its log: dlhub status pub-" in err
    # task ids keep working
    code, _, err = await asyncio.to_thread(run_cli, "status", "no-such-task", *common)
    assert code == 1
    assert "NOT_FOUND" in err


@pytest.fixture(scope="module")
def env_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("jobs-envs")


async def test_python_publish_job_logs_the_resolver_and_bundle_pre_builds_the_env(
    tmp_path: Path, tiny: TinyModel, env_dir: Path, hermetic_env: None
) -> None:
    from dlhub_sdk.models import PythonStaticMethodServable, list_of

    python = f"{sys.version_info[0]}.{sys.version_info[1]}"
    src = FIXTURES / "python-v1" / "scale.py"
    model = PythonStaticMethodServable.from_function(
        src, "predict", input_type=list_of("number"), python=python, name="scale"
    )
    model.set_title("Scale by two").add_author("Tester, Alice")
    async with running_mesh(tmp_path / "mesh", tiny, executor_options={"env_dir": env_dir}) as m:
        resp = await m.publish(model.to_dict(), {"scale.py": src.read_bytes()})
        job = (await get_job(m, resp.publish_id)).job
        assert job.state == "SUCCEEDED"
        assert f"resolving 0 dependencies for python {python}" in job.log
        bundle = await m.http.get("/api/v1/servables/alice/scale/bundle", headers=m.headers())
        assert bundle.status_code == 200
        files = untar(bundle.content)
        assert set(files) == {
            "alice-scale-v1/Dockerfile",
            "alice-scale-v1/.dockerignore",
            "alice-scale-v1/bundle/scale.py",
            "alice-scale-v1/bundle/dlhub.json",
            "alice-scale-v1/bundle/environment.lock",
        }
        dockerfile = files["alice-scale-v1/Dockerfile"].decode()
        assert "alice/scale:1" in dockerfile
        assert "build_env(Path('/opt/dlhub/envs'), '" + python + "'" in dockerfile
        assert "environment.lock').read_bytes()" in dockerfile
