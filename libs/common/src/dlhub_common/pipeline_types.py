"""Pipelines: edge type checks and the derived run signature (docs/pipelines.md).

:func:`derive` checks every edge of a pipeline against its steps'
signatures and derives the pipeline's ``methods.run``; the graph itself
(sources, order, cycles) is :mod:`dlhub_common.pipeline_spec`. Pure: the
caller supplies each step's signature (:class:`StepSignature`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dlhub_common.metadata import IOSpec
from dlhub_common.pipeline_spec import (
    JSON,
    TENSORS,
    PipelineError,
    PipelineSpec,
    Source,
    order,
    output_sources,
    step_sources,
)


def _strip(spec: IOSpec) -> dict[str, Any]:
    doc = spec.model_dump_doc()

    def walk(d: Any) -> Any:
        if isinstance(d, dict):
            return {k: walk(v) for k, v in d.items() if k != "description"}
        return d

    return walk(doc)  # type: ignore[no-any-return]


def _rank_ok(a: list[int | None] | None, b: list[int | None] | None) -> bool:
    if a is None or b is None:
        return True
    return len(a) == len(b) and all(
        x is None or y is None or x == y for x, y in zip(a, b, strict=True)
    )


def mismatch(given: IOSpec, wanted: IOSpec) -> str | None:
    """Why a value of type ``given`` cannot feed an input of type ``wanted`` (None: it can)."""
    if "any" in (given.type, wanted.type):
        return None
    numeric = {"number", "integer", "float"}
    if given.type in numeric and wanted.type in numeric:
        return (
            None
            if not (wanted.type == "integer" and given.type != "integer")
            else (f"{given.type} given, integer expected")
        )
    arrays = {"list", "ndarray"}
    if given.type in arrays and wanted.type in arrays:
        if given.type == wanted.type == "ndarray":
            if given.datatype() and wanted.datatype() and given.datatype() != wanted.datatype():
                return f"ndarray of {given.datatype()} given, {wanted.datatype()} expected"
            if not _rank_ok(given.shape, wanted.shape):
                return f"shape {given.shape} given, {wanted.shape} expected"
            return None
        if given.item_type is not None and wanted.item_type is not None:
            inner = mismatch(given.item_type, wanted.item_type)
            if inner and given.type == wanted.type == "list":
                return f"list items: {inner}"
        return None
    if given.type == wanted.type == "dict":
        have = given.properties or {}
        for key, sub in (wanted.properties or {}).items():
            if key not in have:
                return f"dict without key {key!r}"
            inner = mismatch(have[key], sub)
            if inner:
                return f"key {key!r}: {inner}"
        return None
    if given.type == wanted.type:
        return None
    return f"{given.type} given, {wanted.type} expected"


@dataclass(frozen=True)
class StepSignature:
    """What publish knows of one step's servable."""

    servable_type: str
    input: IOSpec
    output: IOSpec
    tensors: bool


def _key_spec(spec: IOSpec, key: str, *, what: str, step: str, field: str) -> IOSpec:
    """The spec of ``key`` inside ``spec`` (a dict's property, a named tensor)."""
    if spec.type == "any":
        return IOSpec(type="any")
    if spec.type == "dict" and spec.properties is not None:
        if key not in spec.properties:
            raise PipelineError(
                f"step {step!r}: {field}: {what} has no {key!r} (it has {sorted(spec.properties)})",
                step=step,
                field=field,
            )
        return spec.properties[key]
    if spec.type == "ndarray":  # one bare tensor: any one name reaches it
        return spec
    raise PipelineError(
        f"step {step!r}: {field}: {what} is a {spec.type}, it has no key {key!r}",
        step=step,
        field=field,
    )


@dataclass(frozen=True)
class Derived:
    """A checked pipeline: its run signature and value kind."""

    values: str
    input: IOSpec
    output: IOSpec
    outputs: dict[str, Source] | Source


def derive(spec: PipelineSpec, signatures: Mapping[str, StepSignature]) -> Derived:
    """Check every edge and derive the pipeline's ``methods.run``.

    Args:
        spec: the pipeline (graph only; steps are looked up by name).
        signatures: step name -> its servable's signature.

    Raises:
        PipelineError: a cycle, an unknown source, mixed tensor and JSON
            steps, a key that does not exist, or a type mismatch on an edge,
            naming the step and the field.
    """
    order(spec)  # cycles first
    kinds = {signatures[s.name].tensors for s in spec.steps}
    if len(kinds) > 1:
        first = next(s for s in spec.steps if signatures[s.name].tensors)
        other = next(s for s in spec.steps if not signatures[s.name].tensors)
        raise PipelineError(
            f"steps {first.name!r} ({signatures[first.name].servable_type}) and {other.name!r}"
            f" ({signatures[other.name].servable_type}) mix tensor and JSON servables; a"
            " pipeline's steps are all tensor servables or all JSON-valued ones",
            step=other.name,
            field="servable.pipeline.steps",
        )
    tensors = kinds == {True}
    values = TENSORS if tensors else JSON
    pipeline_inputs: dict[str, tuple[IOSpec, str]] = {}  # key -> (spec, first reader)
    whole_input: tuple[IOSpec, str] | None = None
    for i, (name, mapping) in enumerate(step_sources(spec).items()):
        sig = signatures[name]
        field = f"servable.pipeline.steps[{i}].inputs"
        if tensors and "" in mapping:
            raise PipelineError(
                f"step {name!r}: {field}: a tensor step maps each input tensor by name,"
                " e.g. {'X': '$input.X'}",
                step=name,
                field=field,
            )
        for key, src in mapping.items():
            where = f"{field}.{key}" if key else field
            wanted = (
                _key_spec(sig.input, key, what="its input", step=name, field=where)
                if key
                else sig.input
            )
            if not src.step:  # the pipeline's input
                if tensors and not src.key:
                    raise PipelineError(
                        f"step {name!r}: {where}: name the pipeline input tensor: $input.<name>",
                        step=name,
                        field=where,
                    )
                if src.key:
                    if whole_input is not None:
                        raise PipelineError(
                            f"step {name!r}: {where}: use either $input or $input.<key> throughout",
                            step=name,
                            field=where,
                        )
                    seen = pipeline_inputs.get(src.key)
                    if seen is not None:
                        problem = mismatch(seen[0], wanted) or mismatch(wanted, seen[0])
                        if problem:
                            raise PipelineError(
                                f"step {name!r}: {where}: $input.{src.key} also feeds step"
                                f" {seen[1]!r} with another type: {problem}",
                                step=name,
                                field=where,
                            )
                    else:
                        pipeline_inputs[src.key] = (wanted, name)
                else:
                    if pipeline_inputs:
                        raise PipelineError(
                            f"step {name!r}: {where}: use either $input or $input.<key> throughout",
                            step=name,
                            field=where,
                        )
                    if whole_input is None:
                        whole_input = (wanted, name)
                    else:
                        problem = mismatch(whole_input[0], wanted) or mismatch(
                            wanted, whole_input[0]
                        )
                        if problem:
                            raise PipelineError(
                                f"step {name!r}: {where}: $input also feeds step"
                                f" {whole_input[1]!r} with another type: {problem}",
                                step=name,
                                field=where,
                            )
                continue
            given = _given(src, signatures, tensors, step=name, field=where)
            problem = mismatch(given, wanted)
            if problem:
                raise PipelineError(
                    f"step {name!r}: {where}: type mismatch on the edge {src.text} -> {name}"
                    f"{'.' + key if key else ''}: {problem}",
                    step=name,
                    field=where,
                )
    if whole_input is not None:
        pipeline_input = whole_input[0]
    elif pipeline_inputs:
        pipeline_input = IOSpec(
            type="dict", properties={k: v for k, (v, _) in pipeline_inputs.items()}
        )
    else:
        raise PipelineError(
            "no step reads the pipeline's input ($input)", field="servable.pipeline.steps"
        )
    spec_values = spec.model_copy(update={"values": values})
    outs = output_sources(spec_values)
    if isinstance(outs, Source):
        if tensors:
            raise PipelineError(
                "servable.pipeline.outputs: a tensor pipeline names its outputs:"
                " {name: '<step>.<output>'}",
                field="servable.pipeline.outputs",
            )
        output = _given(outs, signatures, tensors, step="", field="servable.pipeline.outputs")
    else:
        if tensors and spec.outputs is None:
            outs = _tensor_outputs(outs, signatures)
        props: dict[str, IOSpec] = {}
        for key, src in outs.items():
            props[key] = _given(
                src, signatures, tensors, step="", field=f"servable.pipeline.outputs.{key}"
            )
        output = IOSpec(type="dict", properties=props)
    return Derived(values, pipeline_input, output, outs)


def _tensor_outputs(
    outs: Mapping[str, Source], signatures: Mapping[str, StepSignature]
) -> dict[str, Source]:
    """Every output tensor of the last steps, by its own name."""
    from dlhub_common.signature import tensor_signature

    named: dict[str, Source] = {}
    for step in outs:
        for t in tensor_signature(signatures[step].output, default_name="output"):
            if t.name in named:
                raise PipelineError(
                    f"steps {named[t.name].step!r} and {step!r} both output {t.name!r}:"
                    " name the pipeline's outputs in servable.pipeline.outputs",
                    step=step,
                    field="servable.pipeline.outputs",
                )
            named[t.name] = Source(step, t.name)
    return named


def _given(
    src: Source, signatures: Mapping[str, StepSignature], tensors: bool, *, step: str, field: str
) -> IOSpec:
    sig = signatures[src.step]
    if tensors and not src.key:
        raise PipelineError(
            f"step {step or '(outputs)'!r}: {field}: name the output tensor: {src.step}.<name>",
            step=step or src.step,
            field=field,
        )
    if not src.key:
        return sig.output
    return _key_spec(
        sig.output,
        src.key,
        what=f"the output of step {src.step!r}",
        step=step or src.step,
        field=field,
    )


def same_signature(given: IOSpec, derived: IOSpec) -> bool:
    """A declared ``methods.run`` side equals the derived one (descriptions aside)."""
    return _strip(given) == _strip(derived)
