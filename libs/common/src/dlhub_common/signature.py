"""Tensor signatures derived from a servable's typed run method.

A tensor servable (ONNX today) declares ``methods.run.input`` as a ``dict`` of
named ``ndarray`` specs (or one bare ``ndarray``, whose tensor name is then
``input``). :func:`tensor_signature` turns that into named tensor specs;
:func:`check_inputs` validates a run's tensors against them before anything
reaches an executor.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dlhub_common.errors import InvalidArgument, clip
from dlhub_common.metadata import IOSpec

DEFAULT_TENSOR_NAME = "input"


@dataclass(frozen=True)
class TensorSpec:
    """Name, OIP datatype (None: any) and shape (None: any size) of one tensor."""

    name: str
    datatype: str | None
    shape: tuple[int | None, ...]

    @property
    def oip_shape(self) -> list[int]:
        return [-1 if d is None else d for d in self.shape]

    def describe(self) -> str:
        dims = ", ".join("?" if d is None else str(d) for d in self.shape)
        return f"{self.name}: {self.datatype or 'ANY'}[{dims}]"


def tensor_signature(spec: IOSpec, default_name: str = DEFAULT_TENSOR_NAME) -> list[TensorSpec]:
    """Named tensor specs of an input or output spec; [] when it is not tensor-typed."""
    if spec.type == "ndarray":
        return [TensorSpec(default_name, spec.datatype(), tuple(spec.shape or ()))]
    if spec.type == "dict" and spec.properties:
        out = []
        for name, sub in spec.properties.items():
            if sub.type != "ndarray":
                return []
            out.append(TensorSpec(name, sub.datatype(), tuple(sub.shape or ())))
        return out
    return []


def describe_signature(specs: Sequence[TensorSpec]) -> str:
    return "(" + ", ".join(s.describe() for s in specs) + ")"


def check_inputs(
    specs: Sequence[TensorSpec], given: Mapping[str, tuple[str, Sequence[int]]]
) -> None:
    """Validate tensors (name -> (datatype, shape)) against the signature.

    Raises:
        InvalidArgument: naming every problem and the expected signature.
    """
    problems: list[str] = []
    expected = {s.name: s for s in specs}
    renamed = ""
    if len(specs) == 1 and len(given) == 1:
        # One input: the caller's tensor name does not matter.
        only = next(iter(given))
        given = {specs[0].name: given[only]}
        if only != specs[0].name:
            renamed = only
    for name in expected.keys() - given.keys():
        problems.append(f"missing input {name!r}")
    for name in given.keys() - expected.keys():
        problems.append(f"unexpected input {clip(name)}")
    for name, (datatype, shape) in given.items():
        spec = expected.get(name)
        if spec is None:
            continue
        if spec.datatype is not None and datatype != spec.datatype:
            problems.append(f"input {name!r} has datatype {datatype}, expected {spec.datatype}")
        if len(shape) != len(spec.shape):
            problems.append(
                f"input {name!r} has shape {list(shape)} (rank {len(shape)}),"
                f" expected rank {len(spec.shape)} {spec.oip_shape}"
            )
        else:
            for axis, (got, want) in enumerate(zip(shape, spec.shape, strict=True)):
                if want is not None and got != want:
                    problems.append(
                        f"input {name!r} has size {got} on axis {axis}, expected {want}"
                    )
    if problems and renamed:  # the name may be the mistake: say so
        problems.insert(
            0, f"unknown input {clip(renamed)} (taken as {specs[0].name!r}, the only input)"
        )
    if problems:
        signature = describe_signature(specs)
        raise InvalidArgument(
            "; ".join(problems) + f". Expected signature {signature}",
            details={
                "problems": problems,
                "expected": [
                    {"name": s.name, "datatype": s.datatype, "shape": s.oip_shape} for s in specs
                ],
            },
        )
