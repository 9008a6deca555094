"""What a run must satisfy before it is accepted (the task manager's checks).

Every check runs before anything is stored or queued, and each failure names
the problem: a withdrawn version, the wrong kind of input for the servable
type, tensors that do not match the declared signature (names, datatypes,
shapes, and raw data that does not fit them), unknown outputs.
"""

from __future__ import annotations

from dlhub_common._proto.dlhub.v1 import types_pb2
from dlhub_common.benchmark_spec import BENCHMARK_TYPE
from dlhub_common.codec import from_raw
from dlhub_common.errors import FailedPrecondition, InvalidArgument, clip
from dlhub_common.metadata import TENSOR_SERVABLE_TYPES
from dlhub_common.records import DEPRECATED, WITHDRAWN
from dlhub_common.signature import check_inputs
from dlhub_common.typed_values import check_json
from dlhub_taskmanager.resolver import JSON_TYPES, Resolved


def check_runnable(resolved: Resolved) -> list[str]:
    """The warnings a run of this version carries (a deprecated one runs, and says so).

    Raises:
        FailedPrecondition: the version is withdrawn, or it is a benchmark.
    """
    if resolved.servable_type == BENCHMARK_TYPE:
        raise FailedPrecondition(
            f"{resolved.ref} is a benchmark, not a model: score models on it with"
            f" `dlhub benchmark run {resolved.ref}`",
            details={"servable_type": BENCHMARK_TYPE},
        )
    if resolved.state == WITHDRAWN:
        raise FailedPrecondition(
            f"{resolved.ref} is withdrawn: {resolved.state_reason}",
            details={"state": WITHDRAWN, "reason": resolved.state_reason},
        )
    if resolved.state == DEPRECATED:
        return [f"{resolved.ref} is deprecated: {resolved.state_reason}"]
    return []


def check_run_inputs(
    resolved: Resolved,
    inputs: list[types_pb2.Tensor],
    inputs_json: str,
    outputs: list[str],
) -> list[types_pb2.Tensor]:
    """Validate a run's inputs and outputs; returns the tensors to dispatch.

    A lone tensor of a single-input signature is renamed to the declared name.

    Raises:
        FailedPrecondition: the servable type cannot take this kind of input.
        InvalidArgument: inputs or outputs do not match the signature.
    """
    if resolved.servable_type in JSON_TYPES:
        if inputs:
            raise FailedPrecondition(
                f"{resolved.ref} is a {resolved.servable_type} servable: it takes one JSON"
                " value (inputs_json), not tensors; the Open Inference Protocol runs"
                " tensor servables only"
            )
        if not inputs_json:
            raise InvalidArgument(f"{resolved.ref} needs an input: set inputs_json")
        assert resolved.input_spec is not None
        check_json(resolved.input_spec, inputs_json)
        if outputs:
            raise InvalidArgument("python servables return one value; do not select outputs")
    elif resolved.servable_type not in TENSOR_SERVABLE_TYPES:
        raise FailedPrecondition(f"servable type {resolved.servable_type!r} cannot run here")
    elif inputs_json:
        raise InvalidArgument(
            f"{resolved.ref} is a tensor servable ({resolved.servable_type}):"
            " send tensors (inputs), not inputs_json"
        )
    return check_tensors(resolved, inputs, outputs)


def check_tensors(
    resolved: Resolved, inputs: list[types_pb2.Tensor], outputs: list[str]
) -> list[types_pb2.Tensor]:
    """Tensors against the signature (names, datatypes, shapes, data), and the
    requested outputs; a lone tensor of a one-input signature takes the declared name.

    Raises:
        InvalidArgument: naming the problem.
    """
    given: dict[str, tuple[str, list[int]]] = {}
    for t in inputs:
        if t.name in given:
            raise InvalidArgument(f"input {clip(t.name)} given twice")
        given[t.name] = (t.datatype, list(t.shape))
    check_inputs(resolved.inputs, given)
    for t in inputs:  # data must match shape and datatype before it is queued
        if t.ref:  # by reference (references.py): staged and checked by the executor
            if t.data:
                raise InvalidArgument(f"input {clip(t.name)}: give data or ref, not both")
            continue
        from_raw(t.datatype, list(t.shape), t.data, name=t.name)
    if len(resolved.inputs) == 1 and len(inputs) == 1 and inputs[0].name != resolved.inputs[0].name:
        renamed = types_pb2.Tensor()
        renamed.CopyFrom(inputs[0])
        renamed.name = resolved.inputs[0].name
        inputs = [renamed]
    known_outputs = {s.name for s in resolved.outputs}
    for name in outputs:
        if known_outputs and name not in known_outputs:
            raise InvalidArgument(f"unknown output {clip(name)}; outputs: {sorted(known_outputs)}")
    return inputs
