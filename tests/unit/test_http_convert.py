"""The gateway's JSON views of results: standard JSON whatever a model returned."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dlhub_common._proto.dlhub.v1 import tasks_pb2
from dlhub_common.codec import array_to_tensor
from dlhub_common.errors import InvalidArgument
from dlhub_common.metadata import IOSpec
from dlhub_common.typed_values import check_json
from dlhub_gateway.http.convert import task_json


def test_python_servable_results_with_nan_are_standard_json() -> None:
    task = tasks_pb2.Task(
        task_id="t",
        state=tasks_pb2.TASK_STATE_SUCCEEDED,
        output_json='{"mean": NaN, "range": [-Infinity, Infinity], "n": 3}',
    )
    out = json.loads(json.dumps(task_json(task), allow_nan=False))
    assert out["output"] == {"mean": "NaN", "range": ["-Infinity", "Infinity"], "n": 3}


def test_tensor_results_with_nan_are_standard_json() -> None:
    y = np.array([[np.nan, np.inf, -np.inf, 1.5]], np.float32)
    task = tasks_pb2.Task(
        task_id="t", state=tasks_pb2.TASK_STATE_SUCCEEDED, outputs=[array_to_tensor("Y", y)]
    )
    [out] = json.loads(json.dumps(task_json(task), allow_nan=False))["outputs"]
    assert out == {
        "name": "Y",
        "datatype": "FP32",
        "shape": [1, 4],
        "data": ["NaN", "Infinity", "-Infinity", 1.5],
    }


def test_json_inputs_nested_past_the_limit_are_refused() -> None:
    deep = "[" * 500 + "]" * 500  # parses (below the recursion limit), deeper than allowed
    with pytest.raises(InvalidArgument, match="nested deeper than 64 levels"):
        check_json(IOSpec(type="any"), deep)
