"""gRPC for every language, against a live embedded ``dlhub up`` with the digits example.

* grpcurl (built from the Go module proxy by deploy/local/tools.py, cached)
  describes the public API and calls Search and RunServable through server
  reflection alone: no .proto file is given to it.
* The Go, TypeScript and Java smoke programs (clients/<language>/, built by
  deploy/local/clients.py) check health, search, describe, and run digits
  through dlhub.v1 and OIP ModelInfer; their labels equal the Python SDK's.
"""

from __future__ import annotations

import base64
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.datasets import load_digits

from deploy.local import clients, tools
from dlhub_sdk import DLHubClient

from ._support import USERNAME, Digits, Mesh, wait_for
from .conftest import start_dlhub_up

pytestmark = pytest.mark.e2e

NAME = "digits"
REF = f"{USERNAME}/{NAME}"
GRPCURL_TIMEOUT_S = 60.0


@pytest.fixture(scope="module")
def live(
    tmp_path_factory: pytest.TempPathFactory, digits: Digits, digits_example: Any
) -> Iterator[tuple[Mesh, int]]:
    """An embedded mesh with the example's digits published, and the SDK's label for digit 0."""
    process, mesh = start_dlhub_up(tmp_path_factory.mktemp("grpc-clients"))
    try:
        with DLHubClient(mesh.address, mesh.token) as sdk:
            sdk.publish_servable(digits_example.describe(digits.path))
            wait_for(lambda: sdk.search(NAME) or None, timeout=20.0, what="digits to be searchable")
            row = (load_digits().data[:1] / 16.0).astype(np.float32)
            label = int(np.asarray(sdk.run(REF, row)["label"]).ravel()[0])
        yield mesh, label
    finally:
        process.stop_cleanly()


def grpcurl(mesh: Mesh, *args: str, data: dict[str, Any] | None = None) -> str:
    argv = [str(tools.path("grpcurl")), "-plaintext", "-H", f"authorization: Bearer {mesh.token}"]
    if data is not None:
        argv += ["-d", json.dumps(data)]
    result = subprocess.run(
        [*argv, mesh.address, *args],
        capture_output=True,
        text=True,
        timeout=GRPCURL_TIMEOUT_S,
        check=False,
    )
    assert result.returncode == 0, f"grpcurl {' '.join(args)} failed: {result.stderr}"
    return result.stdout


@pytest.mark.timeout(600)  # the first run builds grpcurl (about a minute with a cold cache)
def test_grpcurl_describes_and_calls_through_reflection_alone(
    live: tuple[Mesh, int], tmp_path: Path
) -> None:
    mesh, sdk_label = live
    services = grpcurl(mesh, "list").split()
    assert {"dlhub.v1.DLHubService", "inference.GRPCInferenceService"} <= set(services)
    for service in services:  # every listed service resolves, with its methods
        assert "rpc " in grpcurl(mesh, "describe", service), service
    described = grpcurl(mesh, "describe", "dlhub.v1.DLHubService")
    assert (
        "rpc Search ( .dlhub.v1.SearchRequest ) returns ( .dlhub.v1.SearchResponse )" in described
    )
    assert "rpc RunServable" in described
    message = grpcurl(mesh, "describe", "dlhub.v1.RunServableRequest")
    assert "repeated .dlhub.v1.Tensor inputs = 2;" in message

    found = json.loads(grpcurl(mesh, "dlhub.v1.DLHubService/Search", data={"query": NAME}))
    assert [(h["owner"], h["name"]) for h in found["hits"]] == [(USERNAME, NAME)]

    meta = json.loads(
        grpcurl(
            mesh,
            "inference.GRPCInferenceService/ModelMetadata",
            data={"name": f"{USERNAME}.{NAME}"},
        )
    )
    pixels = (load_digits().data[:1] / 16.0).astype("<f4").tobytes()
    run = json.loads(
        grpcurl(
            mesh,
            "dlhub.v1.DLHubService/RunServable",
            data={
                "servable": {"owner": USERNAME, "name": NAME},
                "inputs": [
                    {
                        "name": meta["inputs"][0]["name"],
                        "datatype": "FP32",
                        "shape": [1, 64],
                        "data": base64.b64encode(pixels).decode(),
                    }
                ],
                "wait": True,
                "outputs": ["label"],
            },
        )
    )
    assert run["task"]["state"] == "TASK_STATE_SUCCEEDED", run
    [label] = run["task"]["outputs"]
    assert label["datatype"] == "INT64"
    assert np.frombuffer(base64.b64decode(label["data"]), "<i8").tolist() == [sdk_label]


@pytest.mark.timeout(600)  # a cold cache downloads the Go/npm/Maven dependencies
@pytest.mark.parametrize("language", clients.LANGUAGES)
def test_smoke_program_matches_the_python_sdk(live: tuple[Mesh, int], language: str) -> None:
    mesh, sdk_label = live
    command = clients.build(language)
    result = clients.smoke(command, mesh.address, mesh.token, REF)
    assert result["health"] == "SERVING"
    assert result["search"] == "1 hit(s)"
    assert result["describe"] == f'{REF} v1 "Handwritten digit classifier (8x8)"'
    assert result["dlhub.v1 label"] == str(sdk_label)
    assert result["oip label"] == str(sdk_label)
