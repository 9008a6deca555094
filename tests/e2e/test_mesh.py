"""The embedded mesh end to end: every public door against onnxruntime's answers.

One ``dlhub up`` subprocess serves the whole module (see conftest.py). Each
door publishes its own servable (``digits-cli``, ``digits-sdk``,
``digits-http``, ...) so the tests do not depend on one another's order;
every inference result is compared with onnxruntime run directly on the same
model file.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import httpx
import numpy as np
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from dlhub_common.errors import FailedPrecondition, InvalidArgument, NotFound, Unauthenticated
from dlhub_sdk import DLHubClient, TaskFuture
from dlhub_sdk.models import OnnxServable

from ._support import (
    SERVICES,
    USERNAME,
    CliResult,
    Digits,
    ManagedProcess,
    Mesh,
    clean_env,
    free_port,
    health_status,
    wait_for,
)

pytestmark = pytest.mark.e2e

HERE = Path(__file__).resolve().parent
INDEX_DEADLINE_S = 20.0  # search indexing is asynchronous
SERVING = health_pb2.HealthCheckResponse.SERVING
GATEWAY_SERVICES = {
    "dlhub.v1.DLHubService",
    "inference.GRPCInferenceService",
    "grpc.health.v1.Health",
}
BATCH = 16  # held-out rows sent through the slower doors (CLI, HTTP JSON)

Cli = Callable[..., CliResult]


def assert_matches(outputs: dict[str, Any], expected: dict[str, np.ndarray]) -> None:
    """Outputs of a DLHub run equal onnxruntime's: labels exactly, probabilities closely."""
    assert set(outputs) >= {"label", "probabilities"}, outputs.keys()
    label = np.asarray(outputs["label"])
    probs = np.asarray(outputs["probabilities"], dtype=np.float32)
    assert label.shape == expected["label"].shape
    np.testing.assert_array_equal(label, expected["label"])
    assert probs.shape == expected["probabilities"].shape
    np.testing.assert_allclose(probs, expected["probabilities"], rtol=1e-5, atol=1e-6)


def oip_outputs(tensors: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    """OIP JSON output tensors as arrays shaped by their ``shape``."""
    return {t["name"]: np.asarray(t["data"]).reshape(t["shape"]) for t in tensors}


def search_until(find: Callable[[], list[dict[str, Any]]], name: str) -> dict[str, Any]:
    """Poll a search until it returns ``name`` (indexing is asynchronous)."""

    def probe() -> dict[str, Any] | None:
        return next((h for h in find() if h["name"] == name), None)

    return wait_for(probe, timeout=INDEX_DEADLINE_S, interval=0.2, what=f"{name} to be indexed")


def assert_digits_signature(metadata: dict[str, Any], input_name: str) -> None:
    """The ONNX-derived signature of the digits model, as the registry stores it."""
    run = metadata["servable"]["methods"]["run"]
    assert metadata["servable"]["type"] == "onnx"
    assert list(run["input"]["properties"]) == [input_name]
    spec = run["input"]["properties"][input_name]
    assert spec["type"] == "ndarray"
    assert spec["item_type"]["type"] == "float32"
    assert spec["shape"] == [None, 64]
    outputs = run["output"]["properties"]
    assert outputs["label"]["item_type"]["type"] == "int64"
    assert outputs["label"]["shape"] == [None]
    assert outputs["probabilities"]["item_type"]["type"] == "float32"
    assert outputs["probabilities"]["shape"] == [None, 10]


def builder(digits: Digits, name: str, title: str) -> OnnxServable:
    return (
        OnnxServable(digits.path, name=name)
        .set_title(title)
        .add_author("Ada Lovelace", "Analytical Engines")
        .set_abstract("Logistic regression on 8x8 digits, exported to ONNX.")
        .set_domains(["machine learning", "computer vision"])
    )


@pytest.fixture(scope="module")
def sdk(mesh: Mesh) -> Iterator[DLHubClient]:
    with DLHubClient(mesh.address, mesh.token) as client:
        yield client


@pytest.fixture
def http(mesh: Mesh) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=mesh.http, timeout=60.0) as client:
        yield client


# ------------------------------------------------------------------ process and gRPC plumbing


def test_mesh_started_on_requested_ports(mesh: Mesh) -> None:
    """Embedded: client.json names the ports we picked, the user and a token.
    Distributed: every service answers SERVING on the port it was given."""
    assert mesh.address == f"127.0.0.1:{mesh.grpc_port}"
    assert mesh.http == f"http://127.0.0.1:{mesh.http_port}"
    assert mesh.username == USERNAME
    assert mesh.token
    if mesh.mode == "embedded":
        mode = (mesh.data_dir / "client.json").stat().st_mode & 0o777
        assert mode == 0o600, oct(mode)  # it holds a token
    else:
        assert len(mesh.service_ports) == 4
        for name, port in mesh.service_ports:
            assert health_status(f"127.0.0.1:{port}") == SERVING, name


def test_health_serving_for_every_service(mesh: Mesh) -> None:
    for service in ("", "dlhub.v1.DLHubService", "inference.GRPCInferenceService"):
        assert health_status(mesh.address, service) == SERVING, service
    with grpc.insecure_channel(mesh.address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        with pytest.raises(grpc.RpcError) as info:
            stub.Check(health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=5)
    assert info.value.code() == grpc.StatusCode.NOT_FOUND


def list_services(address: str) -> set[str]:
    with grpc.insecure_channel(address) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        request = reflection_pb2.ServerReflectionRequest(list_services="*")
        responses = list(stub.ServerReflectionInfo(iter([request]), timeout=10))
    assert len(responses) == 1
    return {s.name for s in responses[0].list_services_response.service}


def test_reflection_lists_gateway_services(mesh: Mesh) -> None:
    services = list_services(mesh.address)
    assert services >= GATEWAY_SERVICES, services


# ------------------------------------------------------------------ the CLI


@pytest.fixture(scope="module")
def cli_published(cli: Cli, digits: Digits) -> dict[str, Any]:
    summary: dict[str, Any] = cli(
        "publish",
        str(digits.path),
        "--name",
        "digits-cli",
        "--title",
        "Handwritten digits via the command line",
        "--author",
        "Grace Hopper; Navy",
        "--domain",
        "machine learning",
        "--description",
        "Published by the e2e suite through `dlhub publish`.",
    ).json()
    return summary


def test_cli_publish(cli_published: dict[str, Any]) -> None:
    assert cli_published["owner"] == USERNAME
    assert cli_published["name"] == "digits-cli"
    assert cli_published["version"] == 1
    assert cli_published["servable_type"] == "onnx"
    assert cli_published["authors"] == ["Grace Hopper"]
    assert cli_published["domains"] == ["machine learning"]
    assert cli_published["digest"].startswith("sha256:")


def test_cli_search_finds_it(cli: Cli, cli_published: dict[str, Any]) -> None:
    hit = search_until(
        lambda: cli("search", "command", "line", "--owner", USERNAME).json()["hits"],
        "digits-cli",
    )
    assert hit["version"] == 1
    assert hit["title"] == "Handwritten digits via the command line"
    # filters apply: no hit for another owner, and a domain filter keeps it
    assert cli("search", "command", "line", "--owner", "someone-else").json()["total"] == 0
    page = cli("search", "--domain", "machine learning", "--owner", USERNAME, "--facets").json()
    assert "digits-cli" in {h["name"] for h in page["hits"]}
    assert page["facets"]["owner"][USERNAME] == page["total"]
    assert page["facets"]["domains"]["machine learning"] == page["total"]


def test_cli_describe_has_onnx_signature(
    cli: Cli, cli_published: dict[str, Any], digits: Digits
) -> None:
    meta = cli("describe", f"{USERNAME}/digits-cli").json()
    assert_digits_signature(meta, digits.input_name)
    assert meta["versions"] == [1]
    assert meta["dlhub"]["name"] == "digits-cli"
    assert meta["datacite"]["creators"][0]["name"] == "Grace Hopper"
    assert meta["datacite"]["creators"][0]["affiliation"] == ["Navy"]


def test_cli_servables_lists_it(cli: Cli, cli_published: dict[str, Any]) -> None:
    rows = cli("servables", "--owner", USERNAME).json()
    row = next(r for r in rows if r["name"] == "digits-cli")
    assert row["version"] == 1
    assert row["digest"] == cli_published["digest"]


def test_cli_run_matches_onnxruntime(
    cli: Cli, cli_published: dict[str, Any], digits: Digits
) -> None:
    x = digits.x_test[:BATCH]
    outputs = cli("run", f"{USERNAME}/digits-cli", "--inputs", json.dumps(x.tolist())).json()
    assert_matches(outputs, digits.reference(x))


def test_cli_run_async_then_status(cli: Cli, cli_published: dict[str, Any], digits: Digits) -> None:
    x = digits.x_test[BATCH : 2 * BATCH]
    started = cli("run", f"{USERNAME}/digits-cli", "--async", "--inputs", json.dumps(x.tolist()))
    task_id = started.json()["task_id"]
    assert task_id

    def finished() -> dict[str, Any] | None:
        status: dict[str, Any] = cli("status", task_id, "--result").json()
        return status if status["state"] in ("SUCCEEDED", "FAILED") else None

    status = wait_for(finished, timeout=30, interval=0.2, what=f"task {task_id}")
    assert status["state"] == "SUCCEEDED", status
    assert status["task_id"] == task_id
    assert status["servable"] == f"{USERNAME}/digits-cli:1"
    assert_matches(status["outputs"], digits.reference(x))


def test_cli_errors_exit_1_with_json_error(cli: Cli) -> None:
    result = cli("describe", f"{USERNAME}/no-such-model", check=False)
    assert result.returncode == 1
    error = json.loads(result.stderr)["error"]
    assert error["code"] == "NOT_FOUND"
    assert "no-such-model" in error["message"]


# ------------------------------------------------------------------ the SDK


@pytest.fixture(scope="module")
def sdk_published(sdk: DLHubClient, digits: Digits) -> dict[str, Any]:
    return sdk.publish_servable(builder(digits, "digits-sdk", "Handwritten digits from the SDK"))


def test_sdk_publish_search_describe_list(
    sdk: DLHubClient, sdk_published: dict[str, Any], digits: Digits
) -> None:
    assert sdk_published["owner"] == USERNAME
    assert (sdk_published["name"], sdk_published["version"]) == ("digits-sdk", 1)
    hit = search_until(lambda: sdk.search("SDK", owner=USERNAME), "digits-sdk")
    assert hit["digest"] == sdk_published["digest"]
    assert hit["authors"] == ["Ada Lovelace"]
    meta = sdk.describe_servable(f"{USERNAME}/digits-sdk")
    assert_digits_signature(meta, digits.input_name)
    assert meta["dlhub"]["files"]["model"] == digits.path.name
    names = {(s["owner"], s["name"]) for s in sdk.get_servables()}
    assert (USERNAME, "digits-sdk") in names


def test_sdk_run_matches_onnxruntime(
    sdk: DLHubClient, sdk_published: dict[str, Any], digits: Digits
) -> None:
    """Every held-out digit: same labels as onnxruntime, same probabilities."""
    outputs = sdk.run(f"{USERNAME}/digits-sdk", digits.x_test)
    assert isinstance(outputs, dict)
    assert outputs["label"].dtype == np.int64
    assert outputs["probabilities"].dtype == np.float32
    np.testing.assert_array_equal(outputs["label"], digits.labels)
    np.testing.assert_allclose(outputs["probabilities"], digits.probabilities, rtol=1e-5, atol=1e-6)
    # and the served model really classifies digits
    assert (outputs["label"] == digits.y_test).mean() > 0.9
    # lists are converted to the declared float32 as well
    listed = sdk.run(f"{USERNAME}/digits-sdk", digits.x_test[:4].tolist())
    assert isinstance(listed, dict)
    assert_matches(listed, digits.reference(digits.x_test[:4]))


def test_sdk_run_async_status_and_result(
    sdk: DLHubClient, sdk_published: dict[str, Any], digits: Digits
) -> None:
    x = digits.x_test[:32]
    future = sdk.run(f"{USERNAME}/digits-sdk", x, asynchronous=True)
    assert isinstance(future, TaskFuture)
    assert_matches(future.result(timeout=30), digits.reference(x))
    status = sdk.get_task_status(future.task_id)
    assert status["state"] == "SUCCEEDED"
    assert status["task_id"] == future.task_id
    assert status["servable"] == f"{USERNAME}/digits-sdk:1"
    assert status["completed_at"]
    assert_matches(sdk.get_result(future.task_id), digits.reference(x))


def test_sdk_second_publish_is_version_2(sdk: DLHubClient, digits: Digits) -> None:
    name = "digits-versions"
    first = sdk.publish_servable(builder(digits, name, "Versioned digits, first"))
    second = sdk.publish_servable(builder(digits, name, "Versioned digits, second"))
    assert (first["version"], second["version"]) == (1, 2)
    latest = sdk.describe_servable(f"{USERNAME}/{name}")
    assert latest["datacite"]["titles"][0]["title"] == "Versioned digits, second"
    assert latest["versions"] == [1, 2]
    v1 = sdk.describe_servable(f"{USERNAME}/{name}", version=1)
    assert v1["datacite"]["titles"][0]["title"] == "Versioned digits, first"
    assert sdk.describe_servable(f"{USERNAME}/{name}:2")["datacite"]["titles"][0]["title"] == (
        "Versioned digits, second"
    )
    rows = [s for s in sdk.get_servables(owner=USERNAME) if s["name"] == name]
    assert [r["version"] for r in rows] == [2]
    all_rows = [
        s for s in sdk.get_servables(owner=USERNAME, all_versions=True) if s["name"] == name
    ]
    assert sorted(r["version"] for r in all_rows) == [1, 2]
    # a pinned version runs
    x = digits.x_test[:4]
    pinned = sdk.run(f"{USERNAME}/{name}", x, version=1)
    assert isinstance(pinned, dict)
    assert_matches(pinned, digits.reference(x))


def test_sdk_and_cli_version_lifecycle(sdk: DLHubClient, cli: Cli, digits: Digits) -> None:
    """Deprecate v1, withdraw v2: the name runs v1 with a DeprecationWarning; v2 never runs."""
    ref = f"{USERNAME}/digits-lifecycle"
    for title in ("Lifecycle digits, first", "Lifecycle digits, second"):
        sdk.publish_servable(builder(digits, "digits-lifecycle", title))
    assert sdk.deprecate_servable(ref, "superseded", version=1)["state"] == "deprecated"
    withdrawn = cli("withdraw", ref, "--reason", "bad export").json()
    assert (withdrawn["version"], withdrawn["state"]) == (2, "withdrawn")
    rows = cli("versions", ref).json()
    assert [(r["version"], r["state"], r["latest"]) for r in rows] == [
        (1, "deprecated", True),
        (2, "withdrawn", False),
    ]
    x = digits.x_test[:4]
    with pytest.warns(DeprecationWarning, match="superseded"):
        outputs = sdk.run(ref, x)
    assert isinstance(outputs, dict)
    assert_matches(outputs, digits.reference(x))
    with pytest.raises(FailedPrecondition, match="withdrawn: bad export"):
        sdk.run(ref, x, version=2)
    assert sdk.describe_servable(ref, version=2)["state"] == "withdrawn"


def test_sdk_errors(sdk: DLHubClient, mesh: Mesh, sdk_published: dict[str, Any]) -> None:
    with pytest.raises(NotFound):
        sdk.describe_servable(f"{USERNAME}/no-such-model")
    with pytest.raises(InvalidArgument, match="64"):
        sdk.run(f"{USERNAME}/digits-sdk", np.zeros((2, 10), dtype=np.float32))
    with DLHubClient(mesh.address, "not-a-token") as bad, pytest.raises(Unauthenticated):
        bad.get_servables()


def test_sdk_publish_needs_a_token(mesh: Mesh, digits: Digits) -> None:
    with DLHubClient(mesh.address, None) as anonymous:
        with pytest.raises(Unauthenticated):
            anonymous.publish_servable(builder(digits, "digits-anon", "Anonymous"))
        # anonymous reads of public servables are allowed
        assert isinstance(anonymous.get_servables(), list)


# ------------------------------------------------------------------ scikit-learn


@pytest.fixture(scope="module")
def sklearn_iris() -> tuple[Any, Any, np.ndarray]:
    """examples/sklearn/iris.py as a module, its fitted forest and held-out rows."""
    import importlib.util

    script = HERE.parents[1] / "examples" / "sklearn" / "iris.py"
    spec = importlib.util.spec_from_file_location("dlhub_example_iris", script)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model, x_test, _ = module.train()
    return module, model, x_test


def test_sklearn_publish_and_run_matches_the_estimator(
    sdk: DLHubClient, sklearn_iris: tuple[Any, Any, np.ndarray]
) -> None:
    """A fitted estimator published through the SDK runs on the mesh and answers like itself."""
    example, model, x_test = sklearn_iris
    summary = sdk.publish_servable(example.describe(model, x_test, name="iris-sklearn"))
    assert (summary["name"], summary["servable_type"]) == ("iris-sklearn", "onnx")
    ref = f"{USERNAME}/iris-sklearn"
    meta = sdk.describe_servable(ref)
    details = meta["servable"]["methods"]["run"]["method_details"]
    assert details["converted_from"] == "scikit-learn"
    assert details["estimator"] == "sklearn.ensemble.RandomForestClassifier"
    assert {"scikit-learn", "skl2onnx", "onnxruntime"} <= set(meta["servable"]["dependencies"])
    assert meta["servable"]["methods"]["run"]["input"]["properties"]["X"]["shape"] == [None, 4]
    outputs = sdk.run(ref, x_test)
    assert isinstance(outputs, dict)
    np.testing.assert_array_equal(outputs["label"], model.predict(x_test))
    np.testing.assert_allclose(outputs["probabilities"], model.predict_proba(x_test), atol=1e-5)


def test_torchscript_publish_and_run_matches_torch(
    sdk: DLHubClient, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A PyTorch module published as TorchScript through the SDK answers like itself."""
    import torch

    from dlhub_sdk.models import TorchServable

    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))
    servable = (
        TorchServable(
            module,
            torch.randn(3, 4),
            "tiny-torch",
            input_names=["x"],
            output_names=["y"],
            output_dir=tmp_path_factory.mktemp("torch"),
        )
        .set_title("Tiny TorchScript model")
        .add_author("Ada Lovelace", "Analytical Engines")
    )
    summary = sdk.publish_servable(servable)
    assert (summary["name"], summary["servable_type"]) == ("tiny-torch", "torchscript")
    x = np.random.default_rng(3).standard_normal((5, 4)).astype(np.float32)
    outputs = sdk.run(f"{USERNAME}/tiny-torch", x)
    assert isinstance(outputs, dict)
    assert list(outputs) == ["y"]
    np.testing.assert_allclose(outputs["y"], servable.predict(x)["y"], rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------ HTTP/JSON


def test_http_ops_endpoints(http: httpx.Client, mesh: Mesh, sdk: DLHubClient) -> None:
    sdk.whoami()  # one gRPC call, so the RPC histogram has a sample whatever ran before
    assert http.get("/healthz").json() == {"status": "ok"}
    assert http.get("/api/v1/whoami").json() == {
        "username": None,
        "anonymous": True,
        "groups": [],
    }
    me = http.get("/api/v1/whoami", headers=mesh.auth_headers).json()
    assert me == {"username": USERNAME, "anonymous": False, "groups": []}
    spec = http.get("/openapi.json").json()
    paths = set(spec["paths"])
    assert {
        "/api/v1/search",
        "/api/v1/servables",
        "/api/v1/servables/{owner}/{name}",
        "/api/v1/servables/{owner}/{name}/run",
        "/api/v1/tasks/{task_id}",
    } <= paths
    assert any(p.startswith("/v2/models") for p in paths)
    page = http.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<title>DLHub</title>" in page.text
    metrics = http.get("/metrics")
    assert metrics.status_code == 200
    names = {line.split("{")[0].split(" ")[0] for line in metrics.text.splitlines()}
    assert "dlhub_http_requests_total" in names
    assert any(n.startswith("dlhub_rpc_seconds") for n in names)


@pytest.fixture(scope="module")
def http_published(mesh: Mesh, digits: Digits) -> dict[str, Any]:
    metadata = builder(digits, "digits-http", "Handwritten digits over HTTP").to_dict()
    with httpx.Client(base_url=mesh.http, timeout=60.0) as client:
        resp = client.post(
            "/api/v1/servables",
            headers=mesh.auth_headers,
            data={"metadata": json.dumps(metadata)},
            files=[("files", (digits.path.name, digits.path.read_bytes(), "application/x-onnx"))],
        )
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


def test_http_publish_multipart(http_published: dict[str, Any], digits: Digits) -> None:
    summary = http_published["summary"]
    assert (summary["owner"], summary["name"], summary["version"]) == (USERNAME, "digits-http", 1)
    assert_digits_signature(http_published["metadata"], digits.input_name)


def test_http_download_artifact(
    mesh: Mesh, http: httpx.Client, http_published: dict[str, Any], digits: Digits
) -> None:
    """Embedded: the gateway streams the bytes. Distributed (S3): a 307 to a presigned URL."""
    url = f"/api/v1/servables/{USERNAME}/digits-http/files/{digits.path.name}"
    first = http.get(url, follow_redirects=False)
    if mesh.mode == "distributed":
        assert first.status_code == 307, first.text
        assert "X-Amz-Signature=" in first.headers["location"]
        body = httpx.get(first.headers["location"], timeout=30).content  # no credentials
    else:
        assert first.status_code == 200, first.text
        assert first.headers["x-dlhub-sha256"] == hashlib.sha256(body := first.content).hexdigest()
    assert body == digits.path.read_bytes()
    missing = http.get(f"/api/v1/servables/{USERNAME}/digits-http/files/nope.onnx")
    assert missing.status_code == 404
    assert digits.path.name in missing.json()["error"]


def test_http_publish_needs_a_token(http: httpx.Client, digits: Digits) -> None:
    metadata = builder(digits, "digits-nobody", "Nobody").to_dict()
    files = [("files", (digits.path.name, digits.path.read_bytes(), "application/x-onnx"))]
    resp = http.post("/api/v1/servables", data={"metadata": json.dumps(metadata)}, files=files)
    assert resp.status_code == 401, resp.text
    assert resp.json()["code"] == "UNAUTHENTICATED"
    resp = http.post(
        "/api/v1/servables",
        headers={"authorization": "Bearer wrong"},
        data={"metadata": json.dumps(metadata)},
        files=files,
    )
    assert resp.status_code == 401, resp.text


def test_http_search_and_describe(
    http: httpx.Client, http_published: dict[str, Any], digits: Digits
) -> None:
    def find() -> list[dict[str, Any]]:
        resp = http.get("/api/v1/search", params={"q": "digits", "owner": USERNAME})
        assert resp.status_code == 200, resp.text
        hits: list[dict[str, Any]] = resp.json()["hits"]
        return hits

    hit = search_until(find, "digits-http")
    assert hit["digest"] == http_published["summary"]["digest"]
    resp = http.get(f"/api/v1/servables/{USERNAME}/digits-http")
    assert resp.status_code == 200
    body = resp.json()
    assert body["summary"]["version"] == 1
    assert body["versions"] == [1]
    assert_digits_signature(body["metadata"], digits.input_name)
    missing = http.get(f"/api/v1/servables/{USERNAME}/no-such-model")
    assert missing.status_code == 404
    assert missing.json()["code"] == "NOT_FOUND"


def test_http_run_sync(http: httpx.Client, http_published: dict[str, Any], digits: Digits) -> None:
    x = digits.x_test[:BATCH]
    resp = http.post(f"/api/v1/servables/{USERNAME}/digits-http/run", json={"inputs": x.tolist()})
    assert resp.status_code == 200, resp.text
    task = resp.json()
    assert task["state"] == "SUCCEEDED"
    outputs = oip_outputs(task["outputs"])
    assert {t["name"]: t["datatype"] for t in task["outputs"]} == {
        "label": "INT64",
        "probabilities": "FP32",
    }
    assert_matches(outputs, digits.reference(x))


def test_http_run_rejects_wrong_shape(http: httpx.Client, http_published: dict[str, Any]) -> None:
    resp = http.post(f"/api/v1/servables/{USERNAME}/digits-http/run", json={"inputs": [[0.0] * 10]})
    assert resp.status_code == 400, resp.text
    assert resp.json()["code"] == "INVALID_ARGUMENT"


def test_http_run_async_then_wait(
    http: httpx.Client, http_published: dict[str, Any], digits: Digits
) -> None:
    x = digits.x_test[BATCH : 2 * BATCH]
    resp = http.post(
        f"/api/v1/servables/{USERNAME}/digits-http/run",
        json={"inputs": x.tolist(), "asynchronous": True},
    )
    assert resp.status_code in (200, 202), resp.text
    task_id = resp.json()["task_id"]
    done = http.get(f"/api/v1/tasks/{task_id}", params={"wait": "true", "timeout_s": 30})
    assert done.status_code == 200, done.text
    task = done.json()
    assert task["state"] == "SUCCEEDED", task
    assert task["task_id"] == task_id
    assert_matches(oip_outputs(task["outputs"]), digits.reference(x))


def test_oip_rest_metadata_and_infer(
    http: httpx.Client, http_published: dict[str, Any], digits: Digits
) -> None:
    model = f"{USERNAME}.digits-http"
    meta = http.get(f"/v2/models/{model}").json()
    assert meta["name"] == model
    assert meta["versions"] == ["1"]
    assert meta["platform"] == "onnxruntime_onnx"
    assert meta["inputs"] == [{"name": digits.input_name, "datatype": "FP32", "shape": [-1, 64]}]
    assert {o["name"]: (o["datatype"], o["shape"]) for o in meta["outputs"]} == {
        "label": ("INT64", [-1]),
        "probabilities": ("FP32", [-1, 10]),
    }
    assert http.get(f"/v2/models/{model}/ready").json() == {"ready": True}
    assert http.get(f"/v2/models/{USERNAME}.no-such-model/ready").status_code == 404
    x = digits.x_test[:BATCH]
    body = {
        "id": "e2e-rest",
        "inputs": [
            {
                "name": digits.input_name,
                "datatype": "FP32",
                "shape": list(x.shape),
                "data": x.ravel().tolist(),
            }
        ],
    }
    resp = http.post(f"/v2/models/{model}/infer", json=body)
    assert resp.status_code == 200, resp.text
    result = resp.json()
    assert (result["model_name"], result["model_version"], result["id"]) == (
        model,
        "1",
        "e2e-rest",
    )
    assert_matches(oip_outputs(result["outputs"]), digits.reference(x))
    # only the output asked for
    body["outputs"] = [{"name": "label"}]
    only = http.post(f"/v2/models/{model}/infer", json=body).json()
    assert [o["name"] for o in only["outputs"]] == ["label"]
    np.testing.assert_array_equal(
        oip_outputs(only["outputs"])["label"], digits.reference(x)["label"]
    )


def test_oip_rest_versioned_routes(
    http: httpx.Client, http_published: dict[str, Any], digits: Digits
) -> None:
    model = f"{USERNAME}.digits-http"
    x = digits.x_test[:4]
    meta = http.get(f"/v2/models/{model}/versions/1")
    assert meta.status_code == 200, meta.text
    assert meta.json()["name"] == model
    ready = http.get(f"/v2/models/{model}/versions/1/ready")
    assert ready.status_code == 200, ready.text
    assert http.get(f"/v2/models/{model}/versions/9/ready").status_code == 404
    body = {
        "inputs": [
            {
                "name": digits.input_name,
                "datatype": "FP32",
                "shape": list(x.shape),
                "data": x.ravel().tolist(),
            }
        ]
    }
    resp = http.post(f"/v2/models/{model}/versions/1/infer", json=body)
    assert resp.status_code == 200, resp.text
    assert resp.json()["model_version"] == "1"
    assert_matches(oip_outputs(resp.json()["outputs"]), digits.reference(x))


# ------------------------------------------------------------------ tritonclient


def triton(mode: str, url: str, model: str, x: np.ndarray, digits: Digits, tmp: Path) -> Any:
    """Run _triton_client.py in a child process (see its docstring) and parse its JSON."""
    path = tmp / f"inputs-{mode}.npy"
    name = digits.input_name
    np.save(path, x)
    proc = subprocess.run(
        [sys.executable, str(HERE / "_triton_client.py"), mode, url, model, str(path), name],
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_env(),
        check=False,
    )
    assert proc.returncode == 0, f"tritonclient {mode} failed:\n{proc.stdout}\n{proc.stderr}"
    return json.loads(proc.stdout)


def test_tritonclient_grpc(
    mesh: Mesh, http_published: dict[str, Any], digits: Digits, tmp_path: Path
) -> None:
    model = f"{USERNAME}.digits-http"
    x = digits.x_test[:64]
    out = triton("grpc", mesh.address, model, x, digits, tmp_path)
    assert out["server_live"] is True
    assert out["server_ready"] is True
    assert out["model_ready"] is True
    assert out["missing_model_ready"] is False
    meta = out["metadata"]
    assert meta["name"] == model
    assert meta["platform"] == "onnxruntime_onnx"
    # proto JSON spells int64 as strings
    assert meta["inputs"] == [
        {"name": digits.input_name, "datatype": "FP32", "shape": ["-1", "64"]}
    ]
    assert (out["response_model_name"], out["response_model_version"]) == (model, "1")
    assert out["response_id"] == "e2e-grpc"
    assert out["label_dtype"] == "int64"
    assert (out["model_v1_ready"], out["model_v9_ready"]) == (True, False)
    assert out["metadata_v1_versions"] == ["1"]
    assert (out["pinned_version"], out["pinned_outputs"]) == ("1", ["label"])
    np.testing.assert_array_equal(out["pinned_label"], digits.reference(x)["label"])
    assert out["bad_shape_error"] is not None
    assert out["bad_shape_error"]["status"] == "StatusCode.INVALID_ARGUMENT"
    assert "64" in out["bad_shape_error"]["message"]
    assert out["probabilities_dtype"] == "float32"
    assert_matches(out, digits.reference(x))


def test_tritonclient_http(
    mesh: Mesh, http_published: dict[str, Any], digits: Digits, tmp_path: Path
) -> None:
    model = f"{USERNAME}.digits-http"
    x = digits.x_test[:64]
    url = mesh.http.removeprefix("http://")
    out = triton("http", url, model, x, digits, tmp_path)
    assert (out["server_live"], out["server_ready"], out["model_ready"]) == (True, True, True)
    assert out["server_metadata"]["name"] == "dlhub"
    assert out["metadata"]["name"] == model
    assert out["metadata"]["inputs"][0]["shape"] == [-1, 64]
    assert out["response_model_name"] == model
    assert_matches(out, digits.reference(x))
    # Triton's binary tensor data extension is advertised and works with the
    # client's defaults (binary input, binary outputs).
    assert "binary_tensor_data" in out["server_metadata"]["extensions"]
    assert out["binary_error"] is None, out["binary_error"]
    assert_matches(out["binary"], digits.reference(x))


# ------------------------------------------------------------------ one service alone


def test_serve_registry_standalone(tmp_path: Path) -> None:
    """``dlhub serve registry`` binds its port, reports SERVING, reflects, exits 0 on SIGTERM."""
    port = free_port()
    address = f"127.0.0.1:{port}"
    env = clean_env(DLHUB_REGISTRY__PORT=str(port))
    argv = [
        sys.executable,
        "-m",
        "dlhub_sdk.cli",
        "serve",
        "registry",
        "--data-dir",
        str(tmp_path / "data"),
    ]
    process = ManagedProcess("dlhub serve registry", argv, env, tmp_path, tmp_path / "reg.log")
    try:

        def serving() -> bool:
            process.check_alive()
            return health_status(address) == SERVING

        wait_for(serving, timeout=60, what="the registry to serve")
        assert health_status(address, "dlhub.v1.RegistryService") == SERVING
        services = list_services(address)
        assert {"dlhub.v1.RegistryService", "grpc.health.v1.Health"} <= services, services
        assert "dlhub.v1.DLHubService" not in services
    finally:
        process.stop_cleanly()
    assert f"serving gRPC on {address}" in (tmp_path / "reg.log").read_text()


# ------------------------------------------------------------------ python servables


def test_python_servable_glass_example(sdk: DLHubClient, cli: Cli, http: httpx.Client) -> None:
    """examples/glass: published by the SDK, run by the SDK, the CLI and HTTP/JSON."""
    glass_dir = HERE.parents[1] / "examples" / "glass"
    modules = {}
    for name in ("glass", "publish"):  # the function (for the expected answer), the builder
        spec = importlib.util.spec_from_file_location(
            f"glass_example_{name}", glass_dir / f"{name}.py"
        )
        assert spec is not None
        assert spec.loader is not None
        modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(modules[name])
    glass = modules["glass"]
    published = sdk.publish_servable(modules["publish"].build())
    ref = f"{published['owner']}/{published['name']}"
    expected = glass.predict(["V", "Co", "Zr"])
    assert sdk.run(ref, ["V", "Co", "Zr"]) == expected
    assert cli("run", ref, "--inputs", '["V","Co","Zr"]').json() == expected
    resp = http.post(f"/api/v1/servables/{ref}/run", json={"inputs": ["V", "Co", "Zr"]})
    assert resp.status_code == 200, resp.text
    assert resp.json()["output"] == expected
    # the original DLHub call shape, {"data": [...]}, is accepted too
    original = cli("run", ref, "--inputs", '{"data": ["V","Co","Zr"]}').json()
    assert original == expected
    # its input is typed "any" (two shapes), so the function itself names a bad input
    bad = cli("run", ref, "--inputs", '["V", 3]', check=False)
    assert bad.returncode == 1
    assert "element symbols must be a list of strings" in bad.stderr


# ------------------------------------------------------------ every kind through `dlhub publish`


def run_three_ways(
    sdk: DLHubClient, cli: Cli, http: httpx.Client, ref: str, inputs: Any
) -> tuple[Any, Any, dict[str, Any]]:
    """``inputs`` run through the CLI, the SDK and plain HTTP/JSON; their three answers."""
    by_cli = cli("run", ref, "--inputs", json.dumps(inputs)).json()
    by_sdk = sdk.run(ref, inputs)
    resp = http.post(f"/api/v1/servables/{ref}/run", json={"inputs": inputs})
    assert resp.status_code == 200, resp.text
    task: dict[str, Any] = resp.json()
    assert task["state"] == "SUCCEEDED", task
    return by_cli, by_sdk, task


def test_cli_publish_sklearn_runs_like_the_estimator(
    sdk: DLHubClient,
    cli: Cli,
    http: httpx.Client,
    sklearn_iris: tuple[Any, Any, np.ndarray],
    tmp_path: Path,
) -> None:
    """`dlhub publish iris.joblib`: the CLI, the SDK and HTTP answer like model.predict."""
    import joblib  # type: ignore[import-untyped]

    _, model, x_test = sklearn_iris
    joblib.dump(model, tmp_path / "iris.joblib")
    np.save(tmp_path / "sample.npy", x_test)
    summary = cli(
        "publish",
        str(tmp_path / "iris.joblib"),
        "--name",
        "iris-cli",
        "--sample-input",
        str(tmp_path / "sample.npy"),
        "--author",
        "Ronald Fisher; Rothamsted",
    ).json()
    assert (summary["name"], summary["version"]) == ("iris-cli", 1)
    x = x_test[:BATCH]
    by_cli, by_sdk, task = run_three_ways(sdk, cli, http, f"{USERNAME}/iris-cli", x.tolist())
    by_http = oip_outputs(task["outputs"])
    for outputs in (by_cli, by_sdk, by_http):
        np.testing.assert_array_equal(np.asarray(outputs["label"]), model.predict(x))
        np.testing.assert_allclose(
            np.asarray(outputs["probabilities"]), model.predict_proba(x), atol=1e-5
        )


def test_cli_publish_torchscript_runs_like_the_module(
    sdk: DLHubClient, cli: Cli, http: httpx.Client, tmp_path: Path
) -> None:
    """`dlhub publish cnn.pt --input-shape 1,1,8,8`: every door answers like the module."""
    import torch

    torch.manual_seed(0)
    module = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.Flatten(),
        torch.nn.Linear(4 * 8 * 8, 10),
    ).eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.jit is deprecated in favour of torch.export
        torch.jit.save(torch.jit.trace(module, torch.zeros(2, 1, 8, 8)), str(tmp_path / "cnn.pt"))
    summary = cli(
        "publish",
        str(tmp_path / "cnn.pt"),
        "--name",
        "cnn-cli",
        "--input-shape",
        "1,1,8,8",
        "--input-name",
        "image",
        "--output-name",
        "logits",
        "--author",
        "Yann LeCun; NYU",
    ).json()
    assert (summary["name"], summary["servable_type"]) == ("cnn-cli", "torchscript")
    ref = f"{USERNAME}/cnn-cli"
    signature = sdk.describe_servable(ref)["servable"]["methods"]["run"]
    assert signature["input"]["properties"]["image"]["shape"] == [None, 1, 8, 8]
    x = np.random.default_rng(5).random((3, 1, 8, 8), dtype=np.float32)
    with torch.inference_mode():
        expected = module(torch.from_numpy(x)).numpy()
    by_cli, by_sdk, task = run_three_ways(sdk, cli, http, ref, x.tolist())
    for outputs in (by_cli, by_sdk, oip_outputs(task["outputs"])):
        assert list(outputs) == ["logits"]
        np.testing.assert_allclose(np.asarray(outputs["logits"]), expected, rtol=1e-5, atol=1e-5)


def test_cli_publish_python_function_runs_like_the_function(
    sdk: DLHubClient, cli: Cli, http: httpx.Client
) -> None:
    """`dlhub publish glass.py --type python --function predict`: every door answers like it."""
    glass_dir = HERE.parents[1] / "examples" / "glass"
    spec = importlib.util.spec_from_file_location("glass_example_cli", glass_dir / "glass.py")
    assert spec is not None
    assert spec.loader is not None
    glass = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(glass)
    summary = cli(
        "publish",
        str(glass_dir / "glass.py"),
        "--type",
        "python",
        "--function",
        "predict",
        "--name",
        "glass-cli",
        "--input-type",
        '{"type": "list", "item_type": {"type": "string"}}',
        "--output-type",
        '{"type": "number"}',
        "--file",
        str(glass_dir / "glass_data.csv"),
        "--author",
        "Ward, Logan; Argonne National Laboratory",
    ).json()
    assert (summary["name"], summary["servable_type"]) == ("glass-cli", "python")
    alloy = ["Cu", "Zr", "Al"]
    expected = glass.predict(alloy)
    by_cli, by_sdk, task = run_three_ways(sdk, cli, http, f"{USERNAME}/glass-cli", alloy)
    assert by_cli == by_sdk == task["output"] == expected


# ------------------------------------------------------------------ metrics


def test_every_process_serves_its_own_metrics(
    mesh: Mesh, sdk: DLHubClient, sdk_published: dict[str, Any], digits: Digits
) -> None:
    """`dlhub up` serves one /metrics; in distributed mode each `dlhub serve` its own."""
    from prometheus_client.parser import text_string_to_metric_families

    servable = f"{USERNAME}/digits-sdk"
    sdk.run(servable, digits.x_test[:2])  # one run and one search, counted where they happened
    sdk.search("digits")
    samples: dict[str, list[Any]] = {}
    for name, port in mesh.metrics_ports:
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
        got = [s for f in text_string_to_metric_families(text) for s in f.samples]
        assert any(s.name.startswith("dlhub_") for s in got), name
        samples[name] = got

    def has(process: str, sample: str, **labels: str) -> bool:
        return any(
            s.name == sample and s.value > 0 and labels.items() <= s.labels.items()
            for s in samples[process]
        )

    # per service: what only that process can have counted
    where = (
        {name: "mesh" for name in SERVICES}
        if mesh.mode == "embedded"
        else {name: name for name in SERVICES}
    )
    assert set(samples) == set(where.values())
    assert has(where["taskmanager"], "dlhub_runs_total", servable=servable, outcome="ok")
    assert has(where["executor"], "dlhub_model_loads_total", servable=servable, outcome="ok")
    assert has(where["registry"], "dlhub_servables_published_total", outcome="ok")
    assert any(
        s.name == "dlhub_rpc_seconds_count" and s.labels.get("method", "").endswith("/Search")
        for s in samples[where["search"]]
    )
    assert has(
        where["gateway"], "dlhub_rpc_seconds_count", method="/dlhub.v1.DLHubService/RunServable"
    )
    if mesh.mode == "distributed":  # and nothing of the others' work
        assert not has("registry", "dlhub_runs_total", servable=servable, outcome="ok")
        assert not has("gateway", "dlhub_model_loads_total", servable=servable, outcome="ok")
