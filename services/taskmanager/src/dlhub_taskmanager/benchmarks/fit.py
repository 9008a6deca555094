"""Whether a servable's signature fits a benchmark's (docs/benchmarks.md, "Fits").

A servable fits a benchmark when the benchmark's data set can be sent to it
as it is and the compared output comes back:

* tensor data sets: the servable takes tensors (its input is an ndarray or
  a dict of them, and it is not a python or sklearn servable); it takes the same
  input names (a single-input signature matches whatever its one input is
  called, as runs do); each input has the benchmark's datatype (exactly: the
  tensors are sent as stored) and a shape of the same rank whose fixed sizes
  agree, with a batch axis that takes ``batch_size`` examples; the compared
  output is present with a datatype of the same family (integers, floats,
  booleans, strings) and agreeing fixed sizes after the batch axis;
* JSON data sets: the servable takes one JSON value (it is not an onnx or
  torch servable: python, sklearn, and types added later); its input is a
  list (or ``any``) whose item type every example's input fits, or an
  ndarray with a batch axis that takes the examples as rows; its output is a
  list (or ``any``), of dicts holding the compared field when the benchmark
  names one, or an ndarray with a batch axis (one prediction per example).
"""

from __future__ import annotations

from typing import Any

from dlhub_common.benchmark_data import BenchmarkData
from dlhub_common.benchmark_spec import BENCHMARK_TYPE, BenchmarkSpec, compared_output
from dlhub_common.metadata import TENSOR_SERVABLE_TYPES, WORKER_SERVABLE_TYPES, Metadata
from dlhub_common.signature import TensorSpec, tensor_signature
from dlhub_common.typed_values import problems_of

_FAMILIES = {
    "BOOL": "bool",
    "BYTES": "bytes",
    **{f"INT{b}": "int" for b in (8, 16, 32, 64)},
    **{f"UINT{b}": "int" for b in (8, 16, 32, 64)},
    **{t: "float" for t in ("FP16", "FP32", "FP64", "BF16")},
}


def _dims_agree(bench: tuple[int | None, ...], model: tuple[int | None, ...]) -> bool:
    return len(bench) == len(model) and all(
        b is None or m is None or b == m for b, m in zip(bench, model, strict=True)
    )


def _input_problems(
    bench: list[TensorSpec], model: list[TensorSpec], batch_size: int
) -> tuple[list[str], dict[str, str]]:
    """Problems, and the benchmark input name -> the model's input name."""
    if len(bench) == 1 and len(model) == 1:
        names = {bench[0].name: model[0].name}
    else:
        names = {b.name: b.name for b in bench}
        have = {m.name for m in model}
        want = set(names)
        if have != want:
            return [f"inputs {sorted(have)}, the benchmark sends {sorted(want)}"], {}
    problems = []
    by_name = {m.name: m for m in model}
    for b in bench:
        m = by_name[names[b.name]]
        if b.datatype and m.datatype and b.datatype != m.datatype:
            problems.append(f"input {m.name!r} is {m.datatype}, the benchmark sends {b.datatype}")
        if len(b.shape) != len(m.shape) or not _dims_agree(b.shape[1:], m.shape[1:]):
            problems.append(
                f"input {m.name!r} has shape {m.oip_shape}, the benchmark sends {b.oip_shape}"
            )
        elif m.shape and m.shape[0] is not None and m.shape[0] != batch_size:
            problems.append(
                f"input {m.name!r} takes batches of {m.shape[0]}, the benchmark sends {batch_size}"
            )
    return problems, names


def _tensor_problems(
    spec: BenchmarkSpec, bench: Metadata, model: Metadata
) -> tuple[list[str], dict[str, str], str]:
    problems, names = _input_problems(
        tensor_signature(bench.run.input), tensor_signature(model.run.input), spec.batch_size
    )
    out_name, out_spec = compared_output(spec, bench.run.output)
    outs = {o.name: o for o in tensor_signature(model.run.output, default_name=out_name or "")}
    if out_name is None:
        if len(outs) != 1:
            problems.append(
                f"outputs {sorted(outs)}: the benchmark compares a single unnamed output"
            )
            return problems, names, ""
        out_name = next(iter(outs))
    got = outs.get(out_name)
    if got is None:
        problems.append(f"no output {out_name!r} (outputs: {sorted(outs)})")
        return problems, names, out_name
    (want,) = tensor_signature(out_spec, default_name=out_name)
    fam_got, fam_want = _FAMILIES.get(got.datatype or ""), _FAMILIES.get(want.datatype or "")
    if fam_got and fam_want and fam_got != fam_want:
        problems.append(
            f"output {out_name!r} is {got.datatype}, the benchmark compares {want.datatype}"
        )
    if not _dims_agree(want.shape[1:], got.shape[1:]) or len(want.shape) != len(got.shape):
        problems.append(
            f"output {out_name!r} has shape {got.oip_shape},"
            f" the benchmark compares {want.oip_shape}"
        )
    return problems, names, out_name


def _batched_array(spec: Any) -> bool:
    """An ndarray whose first axis is the batch (a JSON list of rows), as a
    native scikit-learn servable or a pipeline ending in one declares."""
    return bool(spec.type == "ndarray" and spec.shape and spec.shape[0] is None)


def _json_problems(spec: BenchmarkSpec, model: Metadata, data: BenchmarkData) -> list[str]:
    run = model.run
    problems = []
    if run.input.type not in ("list", "any") and not _batched_array(run.input):
        return [f"input is {run.input.type}; the benchmark sends a list of examples"]
    if run.output.type not in ("list", "any") and not _batched_array(run.output):
        return [f"output is {run.output.type}; the benchmark expects a list of predictions"]
    item = run.input.item_type
    if run.input.type == "ndarray":
        # a batch of rows: the whole list of examples must be such an array
        found = problems_of(run.input, list(data.inputs), root="examples")
        if found:
            problems.append(f"input does not take the data: {found[0]}")
    elif item is not None:
        for i, value in enumerate(data.inputs):
            found = problems_of(item, value, root=f"example {i}")
            if found:
                problems.append(f"input item type does not take the data: {found[0]}")
                break
    out = run.output.item_type
    fields = (out.properties or {}) if out is not None and out.type == "dict" else {}
    if spec.output and out is not None and out.type != "any" and spec.output not in fields:
        problems.append(f"output items have no field {spec.output!r}")
    return problems


def fit_problems(
    spec: BenchmarkSpec, bench: Metadata, model: Metadata, data: BenchmarkData
) -> tuple[list[str], dict[str, str], str]:
    """Why ``model`` cannot compete on ``bench``, [] when it fits.

    Returns:
        (problems, benchmark input name -> model input name, compared output
        name); the names are for tensor data sets only.
    """
    kind = model.servable.type
    if kind == BENCHMARK_TYPE:
        return ["it is a benchmark"], {}, ""
    # by the signature, so types added later (pipelines...) compete where they fit
    takes_tensors = bool(tensor_signature(model.run.input))
    if data.kind == "tensor":
        if kind in WORKER_SERVABLE_TYPES or not takes_tensors:
            return [f"a {kind} servable takes JSON; this benchmark sends tensors"], {}, ""
        return _tensor_problems(spec, bench, model)
    if kind in TENSOR_SERVABLE_TYPES:
        return [f"a {kind} servable takes tensors; this benchmark sends JSON values"], {}, ""
    return _json_problems(spec, model, data), {}, spec.output or ""


def describe(problems: list[str]) -> str:
    return "; ".join(problems)


def is_benchmark(metadata: dict[str, Any]) -> bool:
    return bool(metadata.get("servable", {}).get("type") == BENCHMARK_TYPE)
