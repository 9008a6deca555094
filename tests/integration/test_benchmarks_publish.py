"""Publishing benchmarks: the data set and metric are checked against the declared signature."""

from __future__ import annotations

import json
from pathlib import Path

import grpc
import numpy as np
import pytest

from dlhub_common._proto.dlhub.v1 import tasks_pb2, types_pb2
from dlhub_common.codec import array_to_tensor
from dlhub_sdk._benchmarks import Benchmark
from tests.benchmark_support import benchmark_metadata, json_files, ndarray, tensor_files
from tests.integration.datacite_standin import FakeDataCite

from .conftest import RPC_TIMEOUT_S, Mesh, TinyModel, running_mesh

# DataCite's stand-in (a fake DataCite REST API that checks every payload)
from .test_datacite import datacite_settings
from .test_datacite import fake as fake

X = np.random.default_rng(0).standard_normal((10, 4)).astype(np.float32)
Y = np.random.default_rng(1).standard_normal((10, 3)).astype(np.float32)


async def rejected(mesh: Mesh, name: str, metadata: dict, files: dict[str, bytes]) -> str:
    """Publish, expect INVALID_ARGUMENT, check nothing is left; returns the message."""
    before = mesh.object_files()
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await mesh.publish(metadata, files)
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT, info.value.details()
    await mesh.assert_nothing_stored(name, before)
    return info.value.details() or ""


async def test_tensor_benchmark_publishes_and_never_runs(mesh: Mesh) -> None:
    resp = await mesh.publish(benchmark_metadata("bench"), tensor_files({"X": X}, Y))
    summary = resp.servable.summary
    assert (summary.name, summary.servable_type, summary.version) == ("bench", "benchmark", 1)
    assert summary.digest.startswith("sha256:")
    stored = json.loads(resp.servable.metadata_json)
    assert stored["servable"]["benchmark"] == {"metric": "mae", "output": "Y", "batch_size": 64}
    assert stored["dlhub"]["files"] == {"model": "inputs.npz", "other": ["references.npy"]}
    assert (await mesh.get("bench")).model_path == "inputs.npz"

    with pytest.raises(grpc.aio.AioRpcError) as info:
        await mesh.stub.RunServable(
            tasks_pb2.RunServableRequest(
                servable=types_pb2.ServableRef(owner="alice", name="bench"),
                inputs=[array_to_tensor("X", X[:2])],
                wait=True,
            ),
            metadata=mesh.md(),
            timeout=RPC_TIMEOUT_S,
        )
    assert info.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert "alice/bench:1 is a benchmark, not a model" in (info.value.details() or "")


async def test_references_must_match_the_signature(mesh: Mesh) -> None:
    msg = await rejected(
        mesh, "b-refs", benchmark_metadata("b-refs"), tensor_files({"X": X}, Y[:, :2])
    )
    assert "references.npy has shape [10, 2]" in msg
    assert "output 'Y'" in msg
    # a regression metric needs numbers
    msg = await rejected(
        mesh,
        "b-strs",
        benchmark_metadata(
            "b-strs", run_output={"type": "dict", "properties": {"Y": ndarray([None], "string")}}
        ),
        tensor_files({"X": X}, np.array(["a"] * 10)),
    )
    assert "metric mae needs numbers" in msg


async def test_inputs_must_match_the_signature(mesh: Mesh) -> None:
    msg = await rejected(mesh, "b-in", benchmark_metadata("b-in"), tensor_files({"X": X[:, :3]}, Y))
    assert "inputs.npz: input 'X' has shape [10, 3]" in msg
    msg = await rejected(
        mesh, "b-dt", benchmark_metadata("b-dt"), tensor_files({"X": X.astype(np.float64)}, Y)
    )
    assert "input 'X' is FP64, methods.run says FP32" in msg
    two = {
        "type": "dict",
        "properties": {"X": ndarray([None, 4], "float32"), "Z": ndarray([None], "int64")},
    }
    msg = await rejected(
        mesh,
        "b-name",
        benchmark_metadata("b-name", run_input=two),
        tensor_files({"X": X, "W": np.zeros(10, np.int64)}, Y),
    )
    assert "inputs.npz has no array for input 'Z'" in msg
    assert "inputs.npz: 'W' is not an input of methods.run" in msg


async def test_bad_files_are_named(mesh: Mesh) -> None:
    both = {**tensor_files({"X": X}, Y), **json_files([1], [1])}
    msg = await rejected(mesh, "b-both", benchmark_metadata("b-both"), both)
    assert "inputs.npz and references.npy (tensors) or data.json" in msg
    msg = await rejected(
        mesh,
        "b-junk",
        benchmark_metadata("b-junk"),
        {"inputs.npz": b"not a zip", "references.npy": tensor_files({}, Y)["references.npy"]},
    )
    assert "inputs.npz is not a numpy file" in msg
    short = tensor_files({"X": X}, Y[:7])
    msg = await rejected(mesh, "b-short", benchmark_metadata("b-short"), short)
    assert "7 references but input 'X' has 10 examples" in msg


async def test_unknown_metric_and_misplaced_blocks(mesh: Mesh) -> None:
    msg = await rejected(
        mesh, "b-metric", benchmark_metadata("b-metric", metric="auc"), tensor_files({"X": X}, Y)
    )
    assert "servable.benchmark.metric" in msg
    assert "unknown metric 'auc'" in msg
    msg = await rejected(
        mesh, "b-out", benchmark_metadata("b-out", output="P"), tensor_files({"X": X}, Y)
    )
    assert "benchmark.output 'P' is not an output of methods.run" in msg
    # a model with a benchmark block, a benchmark without one
    model = mesh.model.metadata("b-model")
    model["servable"]["benchmark"] = {"metric": "mae"}
    msg = await rejected(mesh, "b-model", model, {"model.onnx": mesh.model.data})
    assert "only for servables of type 'benchmark'" in msg
    bare = benchmark_metadata("b-bare")
    del bare["servable"]["benchmark"]
    msg = await rejected(mesh, "b-bare", bare, tensor_files({"X": X}, Y))
    assert "a benchmark needs servable.benchmark" in msg


async def test_json_benchmark_checks_each_value(mesh: Mesh) -> None:
    run_in = {"type": "list", "item_type": {"type": "string"}}
    run_out = {"type": "list", "item_type": {"type": "number"}}
    ok = benchmark_metadata("b-json", output=None, run_input=run_in, run_output=run_out)
    resp = await mesh.publish(ok, json_files(["NaCl", "Fe2O3"], [-1.2, -0.8]))
    assert resp.servable.summary.servable_type == "benchmark"
    assert (await mesh.get("b-json")).model_path == "data.json"
    bad = benchmark_metadata("b-json2", output=None, run_input=run_in, run_output=run_out)
    msg = await rejected(mesh, "b-json2", bad, json_files(["NaCl", 3], [-1.2, "x"]))
    assert "data.json inputs[1]: expected string, got integer" in msg
    not_list = benchmark_metadata(
        "b-json3", output=None, run_input={"type": "string"}, run_output=run_out
    )
    msg = await rejected(mesh, "b-json3", not_list, json_files(["NaCl"], [1.0]))
    assert "methods.run.input must be a list" in msg


async def test_a_benchmark_gets_a_doi_as_a_data_set(
    tmp_path: Path, tiny: TinyModel, hermetic_env: None, fake: FakeDataCite
) -> None:
    bench = Benchmark.from_arrays(
        "doi-bench", {"X": X}, Y, metric="mae", output="Y", like=tiny.metadata("tiny")
    )
    bench.set_title("A benchmark with a DOI").add_author("Bench, Betty")
    files = {p: src.read_bytes() for p, src in bench.files().items()}
    async with running_mesh(tmp_path, tiny, datacite=datacite_settings(fake)) as mesh:
        resp = await mesh.publish(bench.to_dict(), files)
    doi = resp.servable.summary.doi
    assert doi.startswith("10.12345/")
    assert fake.problems == []
    types = fake.dois[doi]["types"]
    assert (types["resourceTypeGeneral"], types["resourceType"]) == ("Dataset", "Benchmark")
