"""TensorFlow SavedModel servables through the SDK, the CLI and the in-process mesh.

Two small ``tf.Module`` SavedModels with ``tf.function`` signatures are
written once per module by a child process (``tests/fixtures/tf_savedmodels.py``)
of the SDK's own TensorFlow environment (built once with uv), which also
records TensorFlow's own answers on a fixed batch: TensorFlow is never
installed in the test environment (one process holding TensorFlow and torch
aborts, and Keras 3 imports TensorFlow whenever it is installed). One
converts with tf2onnx and runs as an ONNX servable; the other uses
``Lgamma``, which tf2onnx cannot convert: the error names the op and offers
the native path, which runs TensorFlow in the servable's isolated worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dlhub_common.errors import InvalidArgument, NotFound
from dlhub_sdk import DLHubClient
from dlhub_sdk.cli import main as cli_main
from dlhub_sdk.models import NativeTensorFlowServable, TensorFlowServable
from dlhub_sdk.models._tf_env import child_env, tensorflow_python
from tests.integration.conftest import Mesh, TinyModel, running_mesh

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "tf_savedmodels.py"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "tensorflow_iris" / "publish.py"
CLASSES = ["low", "mid", "high"]
# the SDK's TensorFlow environment (make test builds it first) and the native
# servable's environment (TensorFlow again, from uv's cache) are built on first use
pytestmark = pytest.mark.timeout(900)
# the native servable's first environment build installs TensorFlow into a venv
BUILD_TIMEOUT_S = 300.0


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("tf")
    subprocess.run(
        [tensorflow_python(), str(FIXTURE), str(folder)], env=child_env(), check=True, timeout=600
    )
    with np.load(folder / "expected.npz") as data:
        expected = {k: data[k] for k in data}
    return {"good": folder / "good", "odd": folder / "odd", **expected}


@pytest.fixture(scope="module")
def converted(saved: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The good SavedModel, converted once for the module."""
    out = tmp_path_factory.mktemp("tf-onnx")
    built = TensorFlowServable(saved["good"], name="tf-small", classes=CLASSES, output_dir=out)
    return built.set_title("A small TensorFlow model").add_author("Tester, Alice")


@pytest.fixture(scope="module")
def env_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tf-envs")


@pytest.fixture
async def tmesh(
    tmp_path: Path, tiny: TinyModel, env_dir: Path, hermetic_env: None
) -> AsyncIterator[Mesh]:
    async with running_mesh(tmp_path / "mesh", tiny, executor_options={"env_dir": env_dir}) as m:
        yield m


def test_the_conversion_reads_the_signature_and_is_checked(converted: Any) -> None:
    doc = converted.to_dict()
    run = doc["servable"]["methods"]["run"]
    assert doc["servable"]["type"] == "onnx"
    assert run["input"]["properties"]["features"]["shape"] == [None, 4]
    assert run["output"]["properties"]["probabilities"]["shape"] == [None, 3]
    details = run["method_details"]
    assert details["converted_from"] == "tensorflow_saved_model"
    assert details["signature"] == "serving_default"
    check = details["fidelity_check"]
    assert check["against"] == "tensorflow"
    assert check["max_abs_difference"] <= check["tolerance"]
    assert doc["servable"]["classes"] == CLASSES


def test_classes_that_do_not_fit_are_refused(converted: Any) -> None:
    # the check TensorFlowServable(..., classes=...) makes once converted
    with pytest.raises(InvalidArgument, match="classes lists 2 names but no output has 2"):
        converted.set_classes(["a", "b"])
    assert converted.to_dict()["servable"]["classes"] == CLASSES


async def test_converted_savedmodel_runs_equal_to_tensorflow(
    tmesh: Mesh, converted: Any, saved: dict[str, Any]
) -> None:
    x, expected = saved["features"], saved["probabilities"]
    with DLHubClient(tmesh.grpc_address, tmesh.token) as client:
        await asyncio.to_thread(client.publish_servable, converted)
        raw = await asyncio.to_thread(client.run, "alice/tf-small", x)
        rows = await asyncio.to_thread(client.run, "alice/tf-small", x, labelled=True)
    np.testing.assert_allclose(raw["probabilities"], expected, rtol=1e-5, atol=1e-6)
    for row, probs in zip(rows, expected, strict=True):
        assert list(row) == [CLASSES[i] for i in np.argsort(-probs, kind="stable")]


async def test_unconvertible_op_is_named_and_the_native_path_runs_it(
    tmesh: Mesh, saved: dict[str, Any], tmp_path: Path
) -> None:
    with pytest.raises(InvalidArgument) as refused:
        TensorFlowServable(saved["odd"], name="tf-odd")
    message = refused.value.message
    assert "Lgamma" in message
    assert "NativeTensorFlowServable" in message
    assert refused.value.details["ops"][0]["op"] == "Lgamma"
    with DLHubClient(tmesh.grpc_address, tmesh.token) as client:
        with pytest.raises(NotFound):  # nothing was stored
            await asyncio.to_thread(client.describe_servable, "alice/tf-odd")
        native = NativeTensorFlowServable(saved["odd"], name="tf-odd", output_dir=tmp_path)
        native.set_title("Lgamma of a projection").add_author("Tester, Alice")
        doc = native.to_dict()
        assert doc["servable"]["type"] == "python"
        assert "tensorflow-cpu" in doc["servable"]["dependencies"]
        assert "tensorflow" not in sys.modules  # never in this process
        await asyncio.to_thread(client.publish_servable, native)
        got = await asyncio.to_thread(
            client.run, "alice/tf-odd", saved["features"], timeout=BUILD_TIMEOUT_S
        )
    np.testing.assert_allclose(np.asarray(got), saved["value"], rtol=1e-5, atol=1e-6)


def _cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main(argv)
    return code, out.getvalue(), err.getvalue()


async def test_dlhub_publish_takes_a_savedmodel_folder(tmesh: Mesh, saved: dict[str, Any]) -> None:
    """The CLI: a folder holding saved_model.pb is converted (or, with --native,
    published as is); a failed conversion names the op and the --native flag."""
    x, expected = saved["features"], saved["probabilities"]
    argv = ["--address", tmesh.grpc_address, "--token", tmesh.token]
    code, out, err = await asyncio.to_thread(
        _cli,
        ["publish", str(saved["good"]), "--name", "tf-cli", "--classes", ",".join(CLASSES),
         "--author", "Tester, Alice", "--json", *argv],
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["name"] == "tf-cli"
    code, out, err = await asyncio.to_thread(
        _cli, ["run", "alice/tf-cli", "--inputs", json.dumps(x[:1].tolist()), "--labelled", *argv]
    )
    assert code == 0, err
    row = json.loads(out.splitlines()[0])
    assert list(row) == [CLASSES[i] for i in np.argsort(-expected[0], kind="stable")]
    assert list(row.values()) == pytest.approx(sorted(expected[0], reverse=True), abs=1e-6)

    code, out, err = await asyncio.to_thread(
        _cli, ["publish", str(saved["odd"]), "--name", "tf-cli-odd", "--author", "A", *argv]
    )
    assert code != 0
    assert "Lgamma" in err
    assert f"dlhub publish {saved['odd']} --native" in err
    with DLHubClient(tmesh.grpc_address, tmesh.token) as client, pytest.raises(NotFound):
        await asyncio.to_thread(client.describe_servable, "alice/tf-cli-odd")  # nothing stored
    code, out, err = await asyncio.to_thread(
        _cli,
        ["publish", str(saved["odd"]), "--native", "--name", "tf-cli-odd", "--author", "A",
         "--json", *argv],
    )  # fmt: skip
    assert code == 0, err
    with DLHubClient(tmesh.grpc_address, tmesh.token) as client:
        doc = await asyncio.to_thread(client.describe_servable, "alice/tf-cli-odd")
    assert doc["servable"]["type"] == "python"
    assert doc["servable"]["methods"]["run"]["method_details"]["loader"] == (
        "tensorflow_saved_model"
    )


async def test_the_tensorflow_example_runs_as_its_readme_says(tmesh: Mesh, tmp_path: Path) -> None:
    """examples/tensorflow_iris/publish.py against a mesh: trained in TensorFlow,
    converted, published, run, and equal to TensorFlow's own answers (its exit status)."""
    env = {**os.environ, "DLHUB_ADDRESS": tmesh.grpc_address, "DLHUB_TOKEN": tmesh.token}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(EXAMPLE),
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 600)
    text = out.decode()
    assert proc.returncode == 0, text + err.decode()[-2000:]
    assert "published alice/iris-tf version 1" in text
    accuracy = float(text.split("held-out accuracy ")[1].split()[0])
    assert accuracy >= 0.9
    assert '{"setosa": 0.9' in text  # the first held-out row, labelled, highest first
