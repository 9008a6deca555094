"""Publishing a pipeline: check its steps as the publisher sees them, freeze them.

Called from the publish path before the metadata is validated
(:mod:`dlhub_registry.publish`). Every step must name a servable version the
publisher may see (an invisible one reads exactly like a missing one), that
is not withdrawn and is not itself a pipeline; the graph must have no cycle
and every edge's types must match (:func:`dlhub_common.pipeline_spec.derive`).
Bare references are frozen to ``owner/name:version`` with each step's digest
and type stored beside them, so the pipeline's digest covers its graph and
the bytes of every step. ``methods.run`` is derived (or, when given,
checked against what is derived).
"""

from __future__ import annotations

import copy
from typing import Any

from dlhub_common.errors import InvalidArgument, NotFound
from dlhub_common.identity import Principal
from dlhub_common.metadata import (
    TENSOR_SERVABLE_TYPES,
    WORKER_SERVABLE_TYPES,
    IOSpec,
    validate_metadata,
)
from dlhub_common.names import Ref, parse_ref
from dlhub_common.pipeline_spec import PipelineError, PipelineSpec, Source
from dlhub_common.pipeline_types import StepSignature, derive, same_signature
from dlhub_common.ports import DocumentStore
from dlhub_common.records import WITHDRAWN, state_of
from dlhub_registry import reads
from dlhub_registry.publish_jobs import PublishJob

STEP_TYPES = TENSOR_SERVABLE_TYPES + WORKER_SERVABLE_TYPES


def is_pipeline(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and isinstance(doc.get("servable"), dict)
        and doc["servable"].get("type") == "pipeline"
    )


def _invalid(message: str, *, step: str = "", field: str = "") -> InvalidArgument:
    details = {k: v for k, v in (("step", step), ("field", field)) if v}
    return InvalidArgument(message, details=details)


def _step_ref(text: str, owner: str, *, step: str, field: str) -> Ref:
    try:
        return parse_ref(text if "/" in text or "." in text else f"{owner}/{text}")
    except InvalidArgument as exc:
        raise _invalid(f"step {step!r}: {field}: {exc.message}", step=step, field=field) from None


def _spec(doc: dict[str, Any]) -> PipelineSpec:
    raw = doc["servable"].get("pipeline")
    if raw is None:
        raise _invalid(
            "a servable of type pipeline needs servable.pipeline: {steps: [...]}",
            field="servable.pipeline",
        )
    try:
        return PipelineSpec.model_validate(raw)
    except ValueError as exc:  # pydantic's ValidationError, every problem listed
        errors: list[Any] = getattr(exc, "errors", lambda: [])()
        listing = "; ".join(
            "servable.pipeline." + ".".join(str(p) for p in e["loc"]) + ": " + e["msg"]
            for e in errors
        )
        raise _invalid(
            f"invalid servable.pipeline: {listing or exc}", field="servable.pipeline"
        ) from None


async def prepare(
    docs: DocumentStore,
    principal: Principal,
    owner: str,
    doc: dict[str, Any],
    job: PublishJob,
) -> dict[str, Any]:
    """The pipeline's metadata with its steps frozen and ``methods.run`` derived.

    Raises:
        InvalidArgument: naming the step and the field (``details.step``,
            ``details.field``) for a step that does not exist or the
            publisher may not see (the same words for both), a withdrawn
            step, a step that is a pipeline, a cycle, a type mismatch on an
            edge, or a declared ``methods.run`` that differs from the derived one.
    """
    doc = copy.deepcopy(doc)
    spec = _spec(doc)
    signatures: dict[str, StepSignature] = {}
    frozen = []
    for i, step in enumerate(spec.steps):
        field = f"servable.pipeline.steps[{i}].servable"
        ref = _step_ref(step.servable, owner, step=step.name, field=field)
        try:
            record, _versions, _latest = await reads.get(docs, principal, ref)
        except NotFound:
            raise _invalid(
                f"step {step.name!r}: {field}: no servable {ref} that you may see",
                step=step.name,
                field=field,
            ) from None
        target = f"{record['owner']}/{record['name']}:{int(record['version'])}"
        if state_of(record) == WITHDRAWN:
            raise _invalid(
                f"step {step.name!r}: {field}: {target} is withdrawn"
                f" ({record.get('state_reason', '')})",
                step=step.name,
                field=field,
            )
        metadata = validate_metadata(record["metadata"])
        kind = metadata.servable.type
        if kind not in STEP_TYPES:
            raise _invalid(
                f"step {step.name!r}: {field}: {target} is a {kind} servable; steps are"
                f" servables of type {', '.join(STEP_TYPES)}",
                step=step.name,
                field=field,
            )
        signatures[step.name] = StepSignature(
            kind, metadata.run.input, metadata.run.output, kind in TENSOR_SERVABLE_TYPES
        )
        frozen.append(
            step.model_copy(update={"servable": target, "digest": record["digest"], "type": kind})
        )
        job.line(f"step {step.name}: {target} ({kind}, {record['digest']})")
    try:
        derived = derive(spec, signatures)
    except PipelineError as exc:
        raise _invalid(exc.message, step=exc.step, field=exc.field) from None
    outputs: str | dict[str, str] = (
        derived.outputs.text
        if isinstance(derived.outputs, Source)
        else {k: v.text for k, v in derived.outputs.items()}
    )
    if spec.values is not None and spec.values != derived.values:
        raise _invalid(
            f"servable.pipeline.values: {spec.values!r} declared, but the steps take"
            f" {derived.values}",
            field="servable.pipeline.values",
        )
    stored = spec.model_copy(update={"steps": frozen, "outputs": outputs, "values": derived.values})
    doc["servable"]["pipeline"] = stored.model_dump(mode="json", exclude_none=True)
    methods = doc["servable"].setdefault("methods", {})
    run = methods.get("run") if isinstance(methods, dict) else None
    if isinstance(run, dict) and ("input" in run or "output" in run):
        for side, derived_spec in (("input", derived.input), ("output", derived.output)):
            try:
                declared = IOSpec.model_validate(run.get(side))
            except ValueError:
                raise _invalid(
                    f"methods.run.{side}: not a valid type", field=f"methods.run.{side}"
                ) from None
            if not same_signature(declared, derived_spec):
                raise _invalid(
                    f"methods.run.{side} differs from what the steps give: derived"
                    f" {derived_spec.model_dump_doc()}",
                    field=f"methods.run.{side}",
                )
    else:
        doc["servable"]["methods"] = {
            **(methods if isinstance(methods, dict) else {}),
            "run": {
                **(run if isinstance(run, dict) else {}),
                "input": derived.input.model_dump_doc(),
                "output": derived.output.model_dump_doc(),
            },
        }
    job.line(f"pipeline of {len(frozen)} steps ({derived.values}); signature derived")
    return doc
