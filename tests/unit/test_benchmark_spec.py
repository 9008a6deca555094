"""The benchmark block, its data-set checks and the "fits" rule (pure functions)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from dlhub_common.benchmark_data import BenchmarkData
from dlhub_common.benchmark_spec import BenchmarkSpec, check_data
from dlhub_common.errors import InvalidArgument
from dlhub_common.metadata import Metadata, validate_metadata
from dlhub_taskmanager.benchmarks.fit import fit_problems
from tests.benchmark_support import benchmark_metadata, ndarray

SCORES = {"type": "dict", "properties": {"probs": ndarray([None, 10], "float32")}}
PIXELS = {"type": "dict", "properties": {"X": ndarray([None, 64], "float32")}}


def bench(**kw: Any) -> Metadata:
    return validate_metadata(benchmark_metadata("b", **kw))


def tensor(x: np.ndarray, refs: np.ndarray) -> BenchmarkData:
    return BenchmarkData("tensor", {"X": x}, refs)


X = np.zeros((6, 64), np.float32)
PY = {"python": {"method_details": {"module": "m.py", "function": "f"}}}
LABELS = np.arange(6) % 3


def test_class_labels_fit_class_scores_only_for_classification() -> None:
    ok = bench(metric="accuracy", output="probs", run_input=PIXELS, run_output=SCORES)
    assert ok.servable.benchmark is not None
    check_data(ok.servable.benchmark, ok.run, tensor(X, LABELS))  # labels of [n, 10] scores
    check_data(ok.servable.benchmark, ok.run, tensor(X, np.zeros((6, 10), np.float32)))
    mae = bench(metric="mae", output="probs", run_input=PIXELS, run_output=SCORES)
    assert mae.servable.benchmark is not None
    with pytest.raises(InvalidArgument, match=r"references must be \['n', 10\]") as info:
        check_data(mae.servable.benchmark, mae.run, tensor(X, LABELS))
    assert info.value.details["field"] == "references.npy"


def test_a_fixed_batch_axis_must_match_the_batch_size() -> None:
    fixed = {"type": "dict", "properties": {"X": ndarray([4, 64], "float32")}}
    meta = bench(metric="accuracy", output="probs", run_input=fixed, run_output=SCORES)
    assert meta.servable.benchmark is not None
    with pytest.raises(InvalidArgument, match="axis 0 is fixed at 4"):
        check_data(meta.servable.benchmark, meta.run, tensor(X, LABELS))
    meta = bench(
        metric="accuracy", output="probs", run_input=fixed, run_output=SCORES, batch_size=3
    )
    assert meta.servable.benchmark is not None
    with pytest.raises(InvalidArgument, match="axis 0 is fixed at 4"):
        check_data(meta.servable.benchmark, meta.run, tensor(X, LABELS))


def model(run_input: dict[str, Any], run_output: dict[str, Any], kind: str = "onnx") -> Metadata:
    return validate_metadata(
        {
            "datacite": {"creators": [{"name": "A"}], "titles": [{"title": "m"}]},
            "dlhub": {"name": "m"},
            "servable": {
                "type": kind,
                "methods": {"run": {"input": run_input, "output": run_output, **PY.get(kind, {})}},
                **({"python": "3.11"} if kind == "python" else {}),
            },
        }
    )


def fits(b: Metadata, m: Metadata, data: BenchmarkData) -> list[str]:
    spec = b.servable.benchmark
    assert isinstance(spec, BenchmarkSpec)
    return fit_problems(spec, b, m, data)[0]


def test_fits() -> None:
    b = bench(metric="accuracy", output="probs", run_input=PIXELS, run_output=SCORES)
    data = tensor(X, LABELS)
    # one input: its name does not matter; outputs: the same family of datatype
    renamed = {"type": "dict", "properties": {"pixels": ndarray([None, 64], "float32")}}
    doubles = {"type": "dict", "properties": {"probs": ndarray([None, 10], "float64")}}
    problems, names, output = fit_problems(
        b.servable.benchmark,
        b,
        model(renamed, doubles),
        data,  # type: ignore[arg-type]
    )
    assert (problems, names, output) == ([], {"X": "pixels"}, "probs")
    ints = {"type": "dict", "properties": {"probs": ndarray([None, 10], "int64")}}
    assert fits(b, model(PIXELS, ints), data) == [
        "output 'probs' is INT64, the benchmark compares FP32"
    ]
    f64 = {"type": "dict", "properties": {"X": ndarray([None, 64], "float64")}}
    assert fits(b, model(f64, SCORES), data) == ["input 'X' is FP64, the benchmark sends FP32"]
    five = {"type": "dict", "properties": {"probs": ndarray([None, 5], "float32")}}
    assert "has shape [-1, 5]" in fits(b, model(PIXELS, five), data)[0]
    listed = {"type": "list", "item_type": {"type": "number"}}
    assert fits(b, model(listed, listed, "python"), data) == [
        "a python servable takes JSON; this benchmark sends tensors"
    ]


def test_json_fits_check_every_example() -> None:
    strings = {"type": "list", "item_type": {"type": "string"}}
    numbers = {"type": "list", "item_type": {"type": "number"}}
    b = bench(metric="mae", output=None, run_input=strings, run_output=numbers)
    data = BenchmarkData("json", ["NaCl", "Fe2O3"], [1.0, 2.0])
    assert fits(b, model(strings, numbers, "python"), data) == []
    assert fits(b, model({"type": "any"}, {"type": "any"}, "python"), data) == []
    ints = {"type": "list", "item_type": {"type": "integer"}}
    assert fits(b, model(ints, numbers, "python"), data) == [
        "input item type does not take the data: example 0: expected integer, got string"
    ]
    assert "takes tensors" in fits(b, model(PIXELS, SCORES), data)[0]


def test_json_fits_take_arrays_with_a_batch_axis() -> None:
    """A native scikit-learn servable (or a pipeline ending in one) declares
    ndarray rows in and one prediction per row out: a JSON benchmark's list of
    examples is such an array, and its predictions come back as one."""
    rows = {"type": "ndarray", "shape": [None, 2], "item_type": {"type": "float64"}}
    column = {"type": "ndarray", "shape": [None], "item_type": {"type": "float64"}}
    strings = {"type": "list", "item_type": {"type": "string"}}
    numbers = {"type": "list", "item_type": {"type": "number"}}
    b = bench(metric="mae", output=None, run_input=rows, run_output=numbers)
    data = BenchmarkData("json", [[0.5, 0.5], [1.0, 0.0]], [1.0, 2.0])
    assert fits(b, model(rows, column, "python"), data) == []
    assert fits(b, model(strings, column, "python"), data)[0].startswith(
        "input item type does not take the data: example 0"
    )
    three = {"type": "ndarray", "shape": [None, 3], "item_type": {"type": "float64"}}
    assert fits(b, model(three, column, "python"), data)[0].startswith(
        "input does not take the data: examples"
    )
    fixed = {"type": "ndarray", "shape": [2], "item_type": {"type": "float64"}}
    assert fits(b, model(rows, fixed, "python"), data) == [
        "output is ndarray; the benchmark expects a list of predictions"
    ]
