"""Accepting a pipeline run: its plan, its input, and every step as the caller sees it.

Everything here happens before a pipeline task exists (runner.py): a bad
input, a step the caller may not see (NOT_FOUND, as for that servable) or a
withdrawn step (FAILED_PRECONDITION naming it) refuses the run outright.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dlhub_common._proto.dlhub.v1 import types_pb2
from dlhub_common.errors import FailedPrecondition, InvalidArgument, NotFound
from dlhub_common.names import Ref
from dlhub_common.pipeline_spec import TENSORS, PipelineSpec, Source, parse_source, step_sources
from dlhub_common.typed_values import check_json
from dlhub_taskmanager.pipelines.steps import step_ref
from dlhub_taskmanager.pipelines.values import Value
from dlhub_taskmanager.resolver import Resolved
from dlhub_taskmanager.run_checks import check_runnable, check_tensors

if TYPE_CHECKING:
    from dlhub_taskmanager.core import TaskManager


@dataclass(frozen=True)
class Plan:
    """What one pipeline digest needs at run time (immutable, like the digest)."""

    spec: PipelineSpec
    tensors: bool
    sources: dict[str, dict[str, Source]]
    deps: dict[str, set[str]]
    outputs: Source | dict[str, Source]


def plan_of(spec: PipelineSpec) -> Plan:
    sources = step_sources(spec)
    names = {s.name: s for s in spec.steps}
    field = "servable.pipeline.outputs"
    outputs: Source | dict[str, Source]
    if isinstance(spec.outputs, dict):
        outputs = {k: parse_source(v, names, step="", field=field) for k, v in spec.outputs.items()}
    else:
        outputs = parse_source(spec.outputs or "", names, step="", field=field)
    return Plan(
        spec=spec,
        tensors=spec.values == TENSORS,
        sources=sources,
        deps={n: {s.step for s in m.values() if s.step} for n, m in sources.items()},
        outputs=outputs,
    )


def check_input(
    resolved: Resolved,
    plan: Plan,
    inputs: list[types_pb2.Tensor],
    inputs_json: str,
    outputs: list[str],
    outputs_to: str,
) -> Value:
    """The pipeline's input, checked against its signature (tensors renamed as for any run).

    Raises:
        FailedPrecondition: tensors for a JSON pipeline.
        InvalidArgument: inputs or outputs that do not match the signature.
    """
    if outputs_to:
        raise InvalidArgument("a pipeline's outputs cannot be written by reference (outputs_to)")
    if not plan.tensors:
        if inputs:
            raise FailedPrecondition(
                f"{resolved.ref} is a pipeline of JSON-valued servables: it takes one JSON"
                " value (inputs_json), not tensors"
            )
        if not inputs_json:
            raise InvalidArgument(f"{resolved.ref} needs an input: set inputs_json")
        if outputs:
            raise InvalidArgument("a JSON pipeline returns one value; do not select outputs")
        assert resolved.input_spec is not None
        return check_json(resolved.input_spec, inputs_json)
    if inputs_json:
        raise InvalidArgument(
            f"{resolved.ref} is a pipeline of tensor servables: send tensors, not inputs_json"
        )
    return check_tensors(resolved, inputs, outputs)


async def resolve_steps(
    core: TaskManager, resolved: Resolved, spec: PipelineSpec
) -> tuple[dict[str, Ref], list[str]]:
    """Every step as the current caller may see it: (step -> version, warnings).

    Raises:
        NotFound: a step the caller may not see (the words of a missing servable).
        FailedPrecondition: a withdrawn step, or one whose bytes changed.
    """
    refs: dict[str, Ref] = {}
    warnings: list[str] = []
    for step in spec.steps:
        ref = step_ref(step.servable)
        try:
            step_resolved = await core.resolve(ref)
        except NotFound:
            raise NotFound(
                f"{resolved.ref}: step {step.name!r}: servable {ref} not found",
                details={"step": step.name},
            ) from None
        try:
            warnings += check_runnable(step_resolved)
        except FailedPrecondition as exc:
            raise FailedPrecondition(
                f"{resolved.ref}: step {step.name!r}: {exc.message}",
                details={**exc.details, "step": step.name},
            ) from None
        if step.digest and step_resolved.digest != step.digest:
            raise FailedPrecondition(
                f"{resolved.ref}: step {step.name!r}: {ref} is not the version it was"
                " published with",
                details={"step": step.name},
            )
        refs[step.name] = step_resolved.ref
    return refs, warnings
