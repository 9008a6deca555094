"""Native scikit-learn servables (type ``sklearn``) through the in-process mesh.

An estimator skl2onnx cannot convert becomes a native servable: the fitted
estimator is shipped as ``model.joblib``, the registry resolves its pinned
scikit-learn/joblib/numpy/scipy into ``environment.lock`` (never opening the
pickle), and the executor runs it in a worker process inside an environment
built from that lock, where the worker's built-in loader unpickles it.

The services of the in-process mesh share this test's process, so a guard
records every ``pickle.load(s)`` / ``joblib.load`` call made here while the
mesh publishes and runs: there must be none.

All servables here pin the same packages, so they share one environment,
built once per module (scikit-learn from the package index, or uv's cache).
"""

from __future__ import annotations

import gc
import json
import os
import pickle
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import grpc
import joblib
import numpy as np
import pytest
import sklearn
from sklearn.datasets import load_iris
from sklearn.kernel_ridge import KernelRidge
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from dlhub_common._proto.dlhub.v1 import tasks_pb2, types_pb2
from dlhub_executor.runners.python import PythonModel
from dlhub_sdk.models import NativeScikitLearnServable, ScikitLearnServable
from tests.integration.conftest import Mesh, TinyModel, running_mesh

X, Y = load_iris(return_X_y=True)
# the first environment build installs scikit-learn into a fresh venv
BUILD_TIMEOUT_S = 240.0


@pytest.fixture(scope="module")
def env_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Servable environments shared by every mesh of this module."""
    return tmp_path_factory.mktemp("sklearn-envs")


@pytest.fixture
def unpickling() -> Iterator[list[str]]:
    """Every pickle/joblib load made in this process while the mesh works."""
    calls: list[str] = []
    patched = pytest.MonkeyPatch()

    def spy(name: str, real: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            return real(*args, **kwargs)

        return wrapper

    for owner, attr in ((pickle, "load"), (pickle, "loads"), (joblib, "load")):
        patched.setattr(owner, attr, spy(f"{owner.__name__}.{attr}", getattr(owner, attr)))
    try:
        yield calls
    finally:
        patched.undo()


@pytest.fixture
async def smesh(
    tmp_path: Path, tiny: TinyModel, env_dir: Path, hermetic_env: None
) -> AsyncIterator[Mesh]:
    async with running_mesh(tmp_path / "mesh", tiny, executor_options={"env_dir": env_dir}) as m:
        yield m


def native(
    estimator: Any, name: str, tmp: Path, **kwargs: Any
) -> tuple[dict[str, Any], dict[str, bytes]]:
    servable = ScikitLearnServable(estimator, name=name, output_dir=tmp / name, **kwargs)
    assert isinstance(servable, NativeScikitLearnServable)
    servable.set_title(name).add_author("Tester, Alice")
    files = {p: src.read_bytes() for p, src in servable.files().items()}
    return servable.to_dict(), files


async def run_rows(mesh: Mesh, name: str, rows: Any) -> tasks_pb2.Task:
    response = await mesh.stub.RunServable(
        tasks_pb2.RunServableRequest(
            servable=types_pb2.ServableRef(owner="alice", name=name),
            inputs_json=json.dumps(rows),
            wait=True,
            timeout_s=BUILD_TIMEOUT_S,
        ),
        metadata=mesh.md(),
        timeout=BUILD_TIMEOUT_S + 10,
    )
    task: tasks_pb2.Task = response.task
    return task


def workers() -> list[PythonModel]:
    # type(o), not isinstance: isinstance on a dead weakref.proxy in the heap raises
    return [
        o for o in gc.get_objects() if issubclass(type(o), PythonModel) and o._worker is not None
    ]


async def test_an_unconvertible_pipeline_runs_natively_in_a_worker(
    smesh: Mesh, tmp_path: Path, env_dir: Path, unpickling: list[str]
) -> None:
    estimator = make_pipeline(StandardScaler(), KernelRidge(alpha=0.1, kernel="rbf")).fit(
        X[:, :3], X[:, 3]
    )
    metadata, files = native(estimator, "petal-width", tmp_path)
    details = metadata["servable"]["methods"]["run"]["method_details"]
    assert "KernelRidge" in details["onnx_conversion"]
    assert metadata["servable"]["dependencies"]["scikit-learn"] == sklearn.__version__

    published = await smesh.publish(metadata, files)
    assert published.servable.summary.version == 1
    rows = X[::7, :3]
    task = await run_rows(smesh, "petal-width", rows.tolist())
    assert task.state == tasks_pb2.TASK_STATE_SUCCEEDED, task.error
    assert np.allclose(json.loads(task.output_json), estimator.predict(rows))

    # the pickle was loaded in the servable's worker, in its own environment ...
    bundle_name = published.servable.summary.digest.replace(":", "-")
    (model,) = [m for m in workers() if m.bundle.name == bundle_name]
    assert model.loader == {"loader": "sklearn", "model": "model.joblib", "method": "predict"}
    worker = model._worker
    assert worker is not None
    assert worker.alive
    assert worker.pid == worker.proc.pid != os.getpid()
    assert model.interpreter.is_relative_to(env_dir)
    assert model.interpreter != Path(sys.executable)
    lock = (model.interpreter.parents[1] / "environment.lock").read_text()
    assert f"scikit-learn=={sklearn.__version__}" in lock
    # ... and never in this process, where the services run
    assert unpickling == []

    # typed input: rows of exactly 3 numbers
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await run_rows(smesh, "petal-width", [[1.0, 2.0]])
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT


async def test_predict_proba_of_a_classifier(
    smesh: Mesh, tmp_path: Path, unpickling: list[str]
) -> None:
    estimator = LogisticRegression(max_iter=1000).fit(X, Y)
    metadata, files = native(estimator, "iris-proba", tmp_path, native=True, method="predict_proba")
    await smesh.publish(metadata, files)
    task = await run_rows(smesh, "iris-proba", X[:5].tolist())
    assert task.state == tasks_pb2.TASK_STATE_SUCCEEDED, task.error
    assert np.allclose(json.loads(task.output_json), estimator.predict_proba(X[:5]))
    assert unpickling == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("no-model", "'model.joblib' is not among the uploaded artifacts"),
        ("no-sklearn", "must pin scikit-learn"),
        ("unresolvable", "cannot be resolved"),
    ],
)
async def test_bad_native_publishes_fail(
    smesh: Mesh, tmp_path: Path, change: str, problem: str
) -> None:
    metadata, files = native(KernelRidge().fit(X, Y), "broken", tmp_path)
    deps = metadata["servable"]["dependencies"]
    if change == "no-model":
        files = {"other.bin": b"x"}
        metadata["dlhub"]["files"] = {"model": None, "other": []}
    elif change == "no-sklearn":
        del deps["scikit-learn"]
    else:
        deps["scikit-learn"] = "99.0.0"
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await smesh.publish(metadata, files)
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert problem in (info.value.details() or "")
