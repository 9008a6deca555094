"""Benchmarks with python servables: a JSON regression benchmark (r2, mae) scored
on a python model, and a metric function given as a python servable.

The servables share one environment (no dependencies), built once per module
(the fixtures of test_python_servables).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import grpc
import numpy as np
import pytest
from sklearn.metrics import mean_absolute_error, median_absolute_error, r2_score

from dlhub_common._proto.dlhub.v1 import benchmarks_pb2, types_pb2
from dlhub_sdk.models import PythonStaticMethodServable, list_of
from tests.benchmark_support import benchmark_metadata, json_files

from .conftest import RPC_TIMEOUT_S, Mesh, TinyModel

# the python-servable mesh, its environments shared by this module's tests
from .test_python_servables import env_dir as env_dir
from .test_python_servables import pmesh as pmesh

PYTHON = f"{sys.version_info[0]}.{sys.version_info[1]}"
MODELS = """
def linear(rows):
    return [2.0 * a - b + 0.5 for a, b in rows]


def rough(rows):
    return [round(2.0 * a - b) for a, b in rows]


def median_abs_error(payload):
    errors = sorted(abs(r - p) for r, p in zip(payload["references"], payload["predictions"]))
    n = len(errors)
    return errors[n // 2] if n % 2 else (errors[n // 2 - 1] + errors[n // 2]) / 2


def not_a_number(payload):
    return "high"
"""
ROWS = np.random.default_rng(3).uniform(-2, 2, (40, 2)).round(3)
TRUTH = (2.0 * ROWS[:, 0] - ROWS[:, 1] + np.random.default_rng(4).normal(0, 0.3, 40)).round(4)
ROW_TYPE = list_of(list_of("number"))
VALUE_TYPE = list_of("number")


def function(tmp: Path, name: str, func: str, input_type: Any, output_type: Any, **kw: Any):
    module = tmp / "models.py"
    module.write_text(MODELS)
    model = PythonStaticMethodServable.from_function(
        module, func, input_type=input_type, output_type=output_type, python=PYTHON, name=name
    )
    model.set_title(f"{func} ({name})").add_author("Tester, Alice")
    doc = model.to_dict()
    doc["dlhub"].update(kw)
    return doc, {"models.py": MODELS.encode()}


def json_bench(name: str, **kw: Any) -> dict[str, Any]:
    return benchmark_metadata(
        name,
        output=None,
        run_input=ROW_TYPE,
        run_output=VALUE_TYPE,
        **kw,
    )


async def score(mesh: Mesh, bench: str, servable: str) -> benchmarks_pb2.ScoreOutcome:
    resp = await mesh.stub.ScoreBenchmark(
        benchmarks_pb2.ScoreBenchmarkRequest(
            benchmark=types_pb2.ServableRef(owner="alice", name=bench),
            servable=types_pb2.ServableRef(owner="alice", name=servable),
            timeout_s=60,
        ),
        metadata=mesh.md(),
        timeout=RPC_TIMEOUT_S + 40,
    )
    (outcome,) = resp.outcomes
    return outcome


async def test_json_regression_and_metric_servable(pmesh: Mesh, tmp_path: Path) -> None:
    for name, func in (("linear", "linear"), ("rough", "rough")):
        await pmesh.publish(*function(tmp_path, name, func, ROW_TYPE, VALUE_TYPE))
    await pmesh.publish(
        *function(
            tmp_path,
            "median-ae",
            "median_abs_error",
            {"type": "dict", "properties": {"references": VALUE_TYPE, "predictions": VALUE_TYPE}},
            "number",
        )
    )
    data = json_files(ROWS.tolist(), TRUTH.tolist())
    await pmesh.publish(json_bench("r2", metric="r2", batch_size=16), data)
    await pmesh.publish(json_bench("mae", metric="mae", batch_size=7), data)
    # a bare metric servable name is frozen to the version it resolves to
    resp = await pmesh.publish(
        json_bench("median", metric={"servable": "alice/median-ae", "higher_is_better": False}),
        data,
    )
    stored = json.loads(resp.servable.metadata_json)["servable"]["benchmark"]["metric"]
    assert stored == {"servable": "alice/median-ae:1", "higher_is_better": False}

    rows = ROWS.tolist()
    predicted = {
        "linear": [2.0 * a - b + 0.5 for a, b in rows],
        "rough": [float(round(2.0 * a - b)) for a, b in rows],
    }
    for name in ("linear", "rough"):
        r2 = await score(pmesh, "r2", name)
        assert r2.score.value == pytest.approx(r2_score(TRUTH, predicted[name]), rel=1e-9)
        assert r2.score.examples == len(TRUTH)
        mae = await score(pmesh, "mae", name)
        assert mae.score.value == pytest.approx(
            mean_absolute_error(TRUTH, predicted[name]), rel=1e-9
        )
        median = await score(pmesh, "median", name)
        assert median.score.metric == "alice/median-ae:1"
        assert median.score.value == pytest.approx(
            median_absolute_error(TRUTH, predicted[name]), rel=1e-9
        )

    board = await pmesh.stub.GetLeaderboard(
        benchmarks_pb2.GetLeaderboardRequest(
            benchmark=types_pb2.ServableRef(owner="alice", name="median")
        ),
        metadata=pmesh.md(),
        timeout=RPC_TIMEOUT_S,
    )
    assert not board.higher_is_better
    values = [e.value for e in board.entries]
    assert values == sorted(values)
    assert len(values) == 2


async def test_metric_servable_must_be_a_visible_python_servable(
    pmesh: Mesh, tmp_path: Path, tiny: TinyModel
) -> None:
    await pmesh.publish(tiny.metadata("tiny"), {"model.onnx": tiny.data})
    await pmesh.publish(
        *function(tmp_path, "bobs-metric", "median_abs_error", "any", "number", visible_to=["bob"]),
        token=pmesh.bob_token,
    )
    await pmesh.publish(*function(tmp_path, "bad-metric", "not_a_number", "any", "any"))
    await pmesh.publish(*function(tmp_path, "linear", "linear", ROW_TYPE, VALUE_TYPE))
    data = json_files(ROWS.tolist(), TRUTH.tolist())
    for metric, words in (
        ({"servable": "alice/tiny", "higher_is_better": True}, "is a onnx servable"),
        ({"servable": "bob/bobs-metric", "higher_is_better": True}, "not a servable you may see"),
        ({"servable": "alice/nothing:3", "higher_is_better": True}, "not a servable you may see"),
        ({"servable": "alice/linear"}, "higher_is_better"),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await pmesh.publish(json_bench("m", metric=metric), data)
        assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
        assert words in (info.value.details() or "")
    # a metric function that returns no number fails the score, naming it
    await pmesh.publish(
        json_bench("bad", metric={"servable": "alice/bad-metric", "higher_is_better": True}),
        data,
    )
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await score(pmesh, "bad", "linear")
    assert "the metric servable alice/bad-metric:1 returned str, not a number" in (
        info.value.details() or ""
    )
    assert await (await pmesh.backends.documents()).count("benchmark_scores") == 0
