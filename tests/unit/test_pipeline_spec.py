"""The pure pipeline logic: sources, order and cycles (pipeline_spec), edge types and the
derived signature (pipeline_types)."""

from __future__ import annotations

from typing import Any

import pytest

from dlhub_common.metadata import IOSpec, validate_metadata
from dlhub_common.pipeline_spec import (
    TENSOR_PIPELINE_RUN,
    PipelineError,
    PipelineSpec,
    describe_steps,
    order,
    run_type,
    sinks,
)
from dlhub_common.pipeline_types import StepSignature, derive, mismatch


def spec(*steps: dict[str, Any], outputs: Any = None) -> PipelineSpec:
    return PipelineSpec.model_validate({"steps": list(steps), "outputs": outputs})


def io(doc: dict[str, Any]) -> IOSpec:
    return IOSpec.model_validate(doc)


def nd(shape: list[int | None], item: str = "float32") -> dict[str, Any]:
    return {"type": "ndarray", "shape": shape, "item_type": {"type": item}}


def tensor_step(inputs: dict[str, Any], outputs: dict[str, Any]) -> StepSignature:
    return StepSignature(
        "onnx",
        io({"type": "dict", "properties": inputs}),
        io({"type": "dict", "properties": outputs}),
        True,
    )


def json_step(input_: dict[str, Any], output: dict[str, Any]) -> StepSignature:
    return StepSignature("python", io(input_), io(output), False)


DIAMOND = spec(
    {"name": "a", "servable": "o/a:1", "inputs": {"X": "$input.X"}},
    {"name": "l", "servable": "o/l:1", "inputs": {"H": "a.Y"}},
    {"name": "r", "servable": "o/r:1", "inputs": {"H": "a.Y"}},
    {"name": "s", "servable": "o/s:1", "inputs": {"A": "l.Z", "B": "r.Z"}},
)


def test_waves_run_independent_steps_together_and_sinks_are_the_last() -> None:
    assert order(DIAMOND) == [["a"], ["l", "r"], ["s"]]
    assert sinks(DIAMOND) == ["s"]


def test_a_cycle_is_named_step_by_step() -> None:
    looped = spec(
        {"name": "p", "servable": "o/p:1", "inputs": {"X": "r.Y"}},
        {"name": "q", "servable": "o/q:1", "inputs": {"X": "p.Y"}},
        {"name": "r", "servable": "o/r:1", "inputs": {"X": "q.Y"}},
    )
    with pytest.raises(PipelineError, match="cycle") as info:
        order(looped)
    assert sorted(info.value.message.split(": ")[1].split(" -> ")[:3]) == ["p", "q", "r"]
    with pytest.raises(PipelineError, match="its own output"):
        order(spec({"name": "p", "servable": "o/p:1", "inputs": {"X": "p.Y"}}))


def test_bad_specs_are_refused_by_the_model() -> None:
    with pytest.raises(ValueError, match="used twice"):
        spec(
            {"name": "a", "servable": "o/a", "inputs": "$input"},
            {"name": "a", "servable": "o/b", "inputs": "a"},
        )
    with pytest.raises(ValueError, match="step name"):
        spec({"name": "$bad", "servable": "o/a", "inputs": "$input"})


def test_a_tensor_diamond_derives_its_signature() -> None:
    signatures = {
        "a": tensor_step({"X": nd([None, 4])}, {"Y": nd([None, 3])}),
        "l": tensor_step({"H": nd([None, 3])}, {"Z": nd([None, 2])}),
        "r": tensor_step({"H": nd([None, 3])}, {"Z": nd([None, 2])}),
        "s": tensor_step({"A": nd([None, 2]), "B": nd([None, 2])}, {"S": nd([None, 2])}),
    }
    derived = derive(DIAMOND, signatures)
    assert derived.values == "tensors"
    assert derived.input.model_dump_doc() == {"type": "dict", "properties": {"X": nd([None, 4])}}
    assert derived.output.model_dump_doc() == {"type": "dict", "properties": {"S": nd([None, 2])}}
    # a datatype or a shape that does not fit, named by step and field
    signatures["l"] = tensor_step({"H": nd([None, 3], "float64")}, {"Z": nd([None, 2])})
    with pytest.raises(PipelineError, match="ndarray of FP32 given, FP64 expected") as info:
        derive(DIAMOND, signatures)
    assert (info.value.step, info.value.field) == ("l", "servable.pipeline.steps[1].inputs.H")


def test_json_steps_map_whole_values_and_dict_keys() -> None:
    numbers = {"type": "list", "item_type": {"type": "number"}}
    chain = spec(
        {"name": "d", "servable": "o/d:1", "inputs": "$input"},
        {"name": "t", "servable": "o/t:1", "inputs": {"a": "d", "b": "$input"}},
        outputs="t.sum",
    )
    signatures = {
        "d": json_step(numbers, numbers),
        "t": json_step(
            {"type": "dict", "properties": {"a": numbers, "b": numbers}},
            {"type": "dict", "properties": {"sum": {"type": "number"}}},
        ),
    }
    derived = derive(chain, signatures)
    assert derived.values == "json"
    assert derived.input.model_dump_doc() == numbers
    assert derived.output.model_dump_doc() == {"type": "number"}
    with pytest.raises(PipelineError, match="no 'total'"):
        derive(chain.model_copy(update={"outputs": "t.total"}), signatures)
    mixed = {**signatures, "t": tensor_step({"a": nd([None])}, {"sum": nd([None])})}
    with pytest.raises(PipelineError, match="mix tensor and JSON"):
        derive(chain, mixed)


def test_edge_type_rules() -> None:
    assert mismatch(io({"type": "integer"}), io({"type": "number"})) is None
    assert mismatch(io({"type": "number"}), io({"type": "integer"})) is not None
    assert mismatch(io({"type": "any"}), io({"type": "dict", "properties": {}})) is None
    assert mismatch(io({"type": "string"}), io({"type": "list"})) == "string given, list expected"
    assert mismatch(io(nd([None, 3])), io(nd([2, 3]))) is None  # a free dimension fits
    assert "shape" in (mismatch(io(nd([None, 3])), io(nd([None, 4]))) or "")
    given = io({"type": "dict", "properties": {"a": {"type": "string"}}})
    assert "'b'" in (
        mismatch(given, io({"type": "dict", "properties": {"b": {"type": "any"}}})) or ""
    )


def test_metadata_has_a_pipeline_block_exactly_for_pipelines_and_states_are_described() -> None:
    base = {
        "datacite": {"creators": [{"name": "A"}], "titles": [{"title": "t"}]},
        "dlhub": {"name": "p"},
    }
    run = {"run": {"input": {"type": "any"}, "output": {"type": "any"}}}
    with pytest.raises(Exception, match="pipeline"):
        validate_metadata({**base, "servable": {"type": "pipeline", "methods": run}})
    meta = validate_metadata(
        {**base, "servable": {"type": "pipeline", "methods": run, "pipeline": DIAMOND.model_dump()}}
    )
    assert meta.servable.pipeline is not None
    tensors = meta.servable.pipeline.model_copy(update={"values": "tensors"})
    assert run_type("pipeline", tensors) == TENSOR_PIPELINE_RUN
    assert run_type("onnx", None) == "onnx"
    described = describe_steps(
        DIAMOND,
        {
            "a": {"state": "active"},
            "l": {"state": "withdrawn", "state_reason": "x"},
            "r": None,
            "s": {"state": "deprecated"},
        },
    )
    assert [s["state"] for s in described["steps"]] == [
        "active",
        "withdrawn",
        "not found",
        "deprecated",
    ]
    assert described["steps"][1]["reason"] == "x"
    assert described["runnable"] is False
