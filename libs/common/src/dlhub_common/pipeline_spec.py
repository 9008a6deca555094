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
covers its graph and every step's bytes. This module is pure: the model,
sources, graph order and cycles; edge type checks and the derived
signature are in :mod:`dlhub_common.pipeline_types`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

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
