"""Pipelines: a servable of type ``pipeline`` whose run is a graph of servables.

``servable.pipeline`` (docs/pipelines.md)::

    {"steps": [{"name": "parse", "servable": "alice/parse:1", "inputs": "$input"},
               {"name": "featurize", "servable": "alice/featurize:1", "inputs": "parse"}],
     "outputs": null}

Sources (what a step input is mapped from):

* ``$input``: the pipeline's whole input (JSON pipelines);
* ``$input.<key>``: one key of the pipeline's input (a named tensor of a
  tensor pipeline, a dict key of a JSON one);
* ``<step>``: a step's whole output (JSON steps);
* ``<step>.<key>``: one named output tensor, or one dict key of a JSON output.

A step's ``inputs`` is a source (its whole input; JSON steps) or a mapping
``{<step input>: <source>}`` (the tensors of a tensor step, the keys of a
JSON step's dict input). Every step of one pipeline is a tensor servable
(ONNX, torch) or every step takes one JSON value (python, sklearn):
``values`` says which (derived at publish).

At publish each ``servable`` is frozen to ``owner/name:version`` and its
``digest`` and ``type`` are stored beside it, so the pipeline's own digest
covers its graph and every step's bytes. This module is pure: graph order,
cycles, signature derivation and edge type checks over step signatures the
caller supplies.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

if TYPE_CHECKING:
    from dlhub_common.metadata import IOSpec

INPUT = "$input"
STEP_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}\Z")
MAX_STEPS = 64
TENSORS, JSON = "tensors", "json"


class PipelineError(ValueError):
    """A bad pipeline: ``step`` and ``field`` name where (for the error's details)."""

    def __init__(self, message: str, *, step: str = "", field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.step = step
        self.field = field

    @property
    def details(self) -> dict[str, str]:
        return {k: v for k, v in (("step", self.step), ("field", self.field)) if v}


class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class PipelineStep(_Block):
    """One step: a servable and where each of its inputs comes from."""

    name: str = Field(description="The step's id, unique in the pipeline")
    servable: str = Field(
        description="owner/name:version; a bare owner/name or name is frozen at publish"
    )
    inputs: str | dict[str, str] = Field(
        description="A source for the whole input, or {step input: source}"
    )
    # frozen at publish (part of the stored metadata and the pipeline's digest)
    digest: str | None = None
    type: str | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not STEP_NAME_RE.match(value):
            raise ValueError(
                "a step name is 1-64 letters, digits, '_' or '-', starting with a letter or '_'"
            )
        return value

    @field_validator("inputs")
    @classmethod
    def _inputs(cls, value: str | dict[str, str]) -> str | dict[str, str]:
        if isinstance(value, dict) and not value:
            raise ValueError("map at least one input, or give one source for the whole input")
        return value


class PipelineSpec(_Block):
    """``servable.pipeline``: the steps, optional output mapping, and the value kind."""

    steps: list[PipelineStep] = Field(min_length=1, max_length=MAX_STEPS)
    outputs: str | dict[str, str] | None = Field(
        None, description="Default: the outputs of the steps nobody else reads"
    )
    values: Literal["tensors", "json"] | None = Field(
        None, description="Derived at publish: tensor steps or JSON steps"
    )

    @field_validator("steps")
    @classmethod
    def _unique(cls, value: list[PipelineStep]) -> list[PipelineStep]:
        seen: set[str] = set()
        for step in value:
            if step.name in seen:
                raise ValueError(f"step name {step.name!r} is used twice")
            seen.add(step.name)
        return value

    def step(self, name: str) -> PipelineStep:
        return next(s for s in self.steps if s.name == name)


# ---------------------------------------------------------------- sources


@dataclass(frozen=True)
class Source:
    """Where a value comes from: the pipeline input or a step's output, maybe one key."""

    step: str  # "" = the pipeline's input
    key: str  # "" = the whole value

    @property
    def text(self) -> str:
        base = INPUT if not self.step else self.step
        return f"{base}.{self.key}" if self.key else base


def parse_source(text: str, steps: Mapping[str, Any], *, step: str, field: str) -> Source:
    """``$input[.key]`` or ``<step>[.key]``.

    Raises:
        PipelineError: not a source, or a step that does not exist.
    """
    if not isinstance(text, str) or not text:
        raise PipelineError(f"step {step!r}: {field}: empty source", step=step, field=field)
    head, _, key = text.partition(".")
    if head == INPUT:
        return Source("", key)
    if head not in steps:
        raise PipelineError(
            f"step {step!r}: {field}: {text!r} names no step and is not $input"
            f" (steps: {sorted(steps)})",
            step=step,
            field=field,
        )
    if head == step:
        raise PipelineError(
            f"step {step!r}: {field}: a step cannot read its own output (cycle {step} -> {step})",
            step=step,
            field=field,
        )
    return Source(head, key)


def step_sources(spec: PipelineSpec) -> dict[str, dict[str, Source]]:
    """step -> {step input key ("" for the whole input): source}."""
    names = {s.name: s for s in spec.steps}
    out: dict[str, dict[str, Source]] = {}
    for i, s in enumerate(spec.steps):
        field = f"servable.pipeline.steps[{i}].inputs"
        if isinstance(s.inputs, str):
            out[s.name] = {"": parse_source(s.inputs, names, step=s.name, field=field)}
        else:
            out[s.name] = {
                k: parse_source(v, names, step=s.name, field=f"{field}.{k}")
                for k, v in s.inputs.items()
            }
    return out


def order(spec: PipelineSpec) -> list[list[str]]:
    """The steps in waves: each wave depends only on earlier ones.

    Raises:
        PipelineError: a cycle, named step by step (``a -> b -> a``).
    """
    sources = step_sources(spec)
    deps = {n: {src.step for src in m.values() if src.step} for n, m in sources.items()}
    state: dict[str, int] = {}  # 1 = on the path, 2 = done
    path: list[str] = []

    def visit(n: str) -> None:
        state[n] = 1
        path.append(n)
        for d in sorted(deps[n]):
            if state.get(d) == 1:
                cycle = [*path[path.index(d) :], d]
                raise PipelineError(
                    f"the pipeline has a cycle: {' -> '.join(reversed(cycle))}",
                    step=d,
                    field="servable.pipeline.steps",
                )
            if d not in state:
                visit(d)
        path.pop()
        state[n] = 2

    for s in spec.steps:
        if s.name not in state:
            visit(s.name)
    level: dict[str, int] = {}
    remaining = [s.name for s in spec.steps]
    while remaining:
        for n in list(remaining):
            if all(d in level for d in deps[n]):
                level[n] = 1 + max((level[d] for d in deps[n]), default=-1)
                remaining.remove(n)
    waves: list[list[str]] = [[] for _ in range(max(level.values()) + 1)]
    for s in spec.steps:
        waves[level[s.name]].append(s.name)
    return waves


def sinks(spec: PipelineSpec) -> list[str]:
    """Steps whose output no other step reads (the last steps)."""
    read = {src.step for m in step_sources(spec).values() for src in m.values()}
    return [s.name for s in spec.steps if s.name not in read]


def output_sources(spec: PipelineSpec) -> dict[str, Source] | Source:
    """The pipeline's outputs: a whole value (one Source) or {output name: Source}.

    Tensor pipelines name each output; by default every output of every last
    step (keys filled in by :func:`derive`). JSON pipelines return the last
    step's whole value, or ``{step: value}`` when several steps are last.
    """
    names = {s.name: s for s in spec.steps}
    field = "servable.pipeline.outputs"
    if isinstance(spec.outputs, str):
        return parse_source(spec.outputs, names, step="", field=field)
    if isinstance(spec.outputs, dict):
        return {
            k: parse_source(v, names, step="", field=f"{field}.{k}")
            for k, v in spec.outputs.items()
        }
    last = sinks(spec)
    if spec.values == JSON and len(last) == 1:
        return Source(last[0], "")
    return {n: Source(n, "") for n in last}


# ---------------------------------------------------------------- types


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
    from dlhub_common.metadata import IOSpec

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
    from dlhub_common.metadata import IOSpec

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


def describe_steps(
    spec: PipelineSpec, found: Mapping[str, Mapping[str, Any] | None]
) -> dict[str, Any]:
    """A pipeline's steps as a caller sees them now: each step's lifecycle state.

    Args:
        spec: the stored pipeline.
        found: step name -> the step version's summary (``state``,
            ``state_reason``) as the caller may see it, or None (not visible).

    Returns:
        ``{"steps": [...], "runnable": bool}``; a step is ``withdrawn`` (runs
        fail naming it), ``deprecated`` (runs warn), ``active``, or
        ``not found`` (the caller may not see it).
    """
    steps = []
    for s in spec.steps:
        summary = found.get(s.name)
        state = "not found" if summary is None else (summary.get("state") or "active")
        entry: dict[str, Any] = {
            "name": s.name,
            "servable": s.servable,
            "type": s.type,
            "digest": s.digest,
            "inputs": s.inputs,
            "state": state,
        }
        if summary is not None and summary.get("state_reason"):
            entry["reason"] = summary["state_reason"]
        steps.append(entry)
    runnable = all(e["state"] in ("active", "deprecated") for e in steps)
    return {"steps": steps, "runnable": runnable}


# How clients tell a pipeline of tensor servables (runs take tensors) from
# one of JSON steps: the "run type" of a servable is its type, except these.
TENSOR_PIPELINE_RUN = "pipeline:tensors"


def run_type(servable_type: str, pipeline: PipelineSpec | None) -> str:
    """The servable type, or :data:`TENSOR_PIPELINE_RUN` for a tensor pipeline."""
    if pipeline is not None and pipeline.values == TENSORS:
        return TENSOR_PIPELINE_RUN
    return servable_type
