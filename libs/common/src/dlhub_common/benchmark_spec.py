"""The ``servable.benchmark`` block of a benchmark, and its data set's checks.

A benchmark is a servable version of type ``benchmark`` (the benchmark
metadata contract, docs/benchmarks.md): ``servable.methods.run`` is the
signature a model must have to compete, ``servable.benchmark`` says how it is
scored, and its artifacts are a data set (:mod:`dlhub_common.benchmark_data`).

``servable.benchmark`` is::

    {"metric": "accuracy",            # one of dlhub_common.metrics.METRICS, or
     # "metric": {"servable": "owner/name:version", "higher_is_better": true},
     "output": "label",               # the model output compared (optional)
     "batch_size": 64}                # examples per run (default 64)

A metric servable is a python servable called with
``{"references": [...], "predictions": [...]}`` that returns a number.

:func:`check_data` checks a data set against the declared signature; the
registry runs it at publish and the SDK before upload.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from dlhub_common.benchmark_data import INPUTS_FILE, JSON_FILE, REFERENCES_FILE, BenchmarkData
from dlhub_common.errors import InvalidArgument
from dlhub_common.metrics import METRICS, check_metric
from dlhub_common.names import parse_ref

BENCHMARK_TYPE = "benchmark"
DEFAULT_BATCH_SIZE = 64
MAX_BATCH_SIZE = 4096
# Problems listed in one error, at most.
MAX_PROBLEMS = 10
# The tensor name of a bare ndarray output (dlhub_common.signature's default
# for inputs is "input"; an ONNX model's lone output keeps its own name).
DEFAULT_OUTPUT_NAME = "output"
_NUMERIC_KINDS = "biuf"


class MetricServable(BaseModel):
    """A metric function published as a python servable."""

    model_config = ConfigDict(extra="forbid")

    servable: str = Field(description="owner/name:version of a python servable")
    higher_is_better: bool = Field(description="Whether a larger score ranks first")

    @field_validator("servable")
    @classmethod
    def _ref(cls, value: str) -> str:
        try:
            ref = parse_ref(value)
        except InvalidArgument as exc:
            raise ValueError(exc.message) from None
        return f"{ref.full_name}:{ref.version}" if ref.version else ref.full_name


class BenchmarkSpec(BaseModel):
    """How a benchmark scores a model."""

    model_config = ConfigDict(extra="forbid")

    metric: str | MetricServable = Field(
        description="A built-in metric name or a metric python servable"
    )
    output: str | None = Field(
        None, description="The model output compared with the references (default: the only one)"
    )
    batch_size: int = Field(
        DEFAULT_BATCH_SIZE, ge=1, le=MAX_BATCH_SIZE, description="Examples sent in one run"
    )

    @field_validator("metric")
    @classmethod
    def _metric(cls, value: str | MetricServable) -> str | MetricServable:
        if isinstance(value, str):
            try:
                check_metric(value)
            except InvalidArgument as exc:
                raise ValueError(exc.message) from None
        return value

    @property
    def metric_name(self) -> str:
        """The metric as shown on a leaderboard: its name or the servable's ref."""
        return self.metric if isinstance(self.metric, str) else self.metric.servable

    @property
    def higher_is_better(self) -> bool:
        if isinstance(self.metric, str):
            return METRICS[self.metric][0]
        return self.metric.higher_is_better

    @property
    def metric_kind(self) -> str | None:
        """ "regression" or "classification" for a built-in metric; None for a servable."""
        return METRICS[self.metric][1] if isinstance(self.metric, str) else None


def check_block(servable_type: str, spec: BenchmarkSpec | None, run_output: Any) -> list[str]:
    """Problems of the ``servable.benchmark`` block against the servable type.

    ``run_output`` is ``methods.run.output`` (an IOSpec) or None.
    """
    if servable_type != BENCHMARK_TYPE:
        if spec is not None:
            return ["servable.benchmark is only for servables of type 'benchmark'"]
        return []
    if spec is None:
        return [
            "a benchmark needs servable.benchmark:"
            " {'metric': ..., 'output': ..., 'batch_size': ...}"
        ]
    if run_output is None:
        return []
    names = _output_names(run_output)
    if spec.output is not None and names is not None and spec.output not in names:
        return [f"benchmark.output {spec.output!r} is not an output of methods.run ({names})"]
    if spec.output is None and names is not None and len(names) > 1:
        return [f"benchmark.output must name the output compared, one of {names}"]
    return []


def _output_names(output: Any) -> list[str] | None:
    """The names of a dict output's fields (list outputs: of their items); None otherwise."""
    if output.type == "list" and output.item_type is not None:
        output = output.item_type
    if output.type == "dict" and output.properties:
        return sorted(output.properties)
    return None


def compared_output(spec: BenchmarkSpec, run_output: Any) -> tuple[str | None, Any]:
    """(name, IOSpec) of the output compared; name None for a bare (non-dict) output."""
    if run_output.type == "dict" and run_output.properties:
        name = spec.output or next(iter(run_output.properties))
        return name, run_output.properties[name]
    return None, run_output


# ------------------------------------------------------------ data set checks


def _fail(problems: list[str], field: str) -> None:
    if problems:
        shown = problems[:MAX_PROBLEMS]
        more = f" (and {len(problems) - len(shown)} more)" if len(problems) > len(shown) else ""
        raise InvalidArgument(
            "the benchmark's data set does not match its signature: " + "; ".join(shown) + more,
            details={"field": field, "problems": shown},
        )


def _datatype_of(array: np.ndarray) -> str:
    from dlhub_common.metadata import ITEM_TYPE_TO_DATATYPE

    if array.dtype.kind in "US":
        return "BYTES"
    return ITEM_TYPE_TO_DATATYPE.get(array.dtype.name, array.dtype.name)


def _check_batch_axis(
    what: str, shape: tuple[int | None, ...], batch_size: int, n: int
) -> list[str]:
    first = shape[0] if shape else None
    if first is None:
        return []
    if first == batch_size and n % batch_size == 0:
        return []
    return [
        f"{what} axis 0 is fixed at {first}: it must be null (examples are sent"
        f" {batch_size} at a time), or equal benchmark.batch_size with a whole number of batches"
    ]


def _dims_fit(declared: tuple[int | None, ...], actual: tuple[int, ...]) -> bool:
    return len(declared) == len(actual) and all(
        d is None or d == a for d, a in zip(declared, actual, strict=True)
    )


def _check_tensor(spec: BenchmarkSpec, run: Any, data: BenchmarkData) -> None:
    from dlhub_common.signature import tensor_signature

    assert isinstance(data.inputs, dict)
    n = len(data)
    declared = tensor_signature(run.input)
    if not declared:
        _fail(
            [
                f"a tensor data set ({INPUTS_FILE}) needs methods.run.input to be an ndarray"
                " or a dict of ndarray"
            ],
            "servable.methods.run.input",
        )
    arrays = dict(data.inputs)
    if len(declared) == 1 and len(arrays) == 1:
        arrays = {declared[0].name: next(iter(arrays.values()))}
    problems: list[str] = []
    want = {s.name: s for s in declared}
    for name in sorted(want.keys() - arrays.keys()):
        problems.append(f"{INPUTS_FILE} has no array for input {name!r}")
    for name in sorted(arrays.keys() - want.keys()):
        problems.append(f"{INPUTS_FILE}: {name!r} is not an input of methods.run ({sorted(want)})")
    for name in sorted(want.keys() & arrays.keys()):
        s, a = want[name], arrays[name]
        got = _datatype_of(a)
        if s.datatype is not None and got != s.datatype:
            problems.append(
                f"{INPUTS_FILE}: input {name!r} is {got}, methods.run says {s.datatype}"
            )
        if len(a.shape) != len(s.shape):
            problems.append(
                f"{INPUTS_FILE}: input {name!r} has shape {list(a.shape)}, methods.run"
                f" declares rank {len(s.shape)} {s.oip_shape} (axis 0 = examples)"
            )
        elif not _dims_fit(s.shape[1:], a.shape[1:]):
            problems.append(
                f"{INPUTS_FILE}: input {name!r} has shape {list(a.shape)}, methods.run"
                f" declares {s.oip_shape} (axis 0 = examples)"
            )
        problems += _check_batch_axis(f"methods.run input {name!r}", s.shape, spec.batch_size, n)
    _fail(problems, INPUTS_FILE)

    out_name, out = compared_output(spec, run.output)
    outs = tensor_signature(out, default_name=out_name or DEFAULT_OUTPUT_NAME)
    if len(outs) != 1:
        _fail(
            ["the compared output (benchmark.output) must be an ndarray"],
            "servable.methods.run.output",
        )
    o = outs[0]
    refs = np.asarray(data.references)
    problems = []
    label_shape = o.shape[1:-1] if len(o.shape) >= 2 else None
    same = _dims_fit(o.shape[1:], refs.shape[1:])
    labels = label_shape is not None and spec.metric_kind != "regression"
    labels = labels and _dims_fit(label_shape or (), refs.shape[1:])
    if not same and not labels:
        allowed = f"{['n', *o.oip_shape[1:]]}"
        if spec.metric_kind != "regression" and len(o.shape) >= 2:
            allowed += f" or class labels {['n', *o.oip_shape[1:-1]]}"
        problems.append(
            f"{REFERENCES_FILE} has shape {list(refs.shape)}; output {o.name!r} of"
            f" methods.run is {o.oip_shape}, so references must be {allowed}"
        )
    if spec.metric_kind == "regression" and refs.dtype.kind not in _NUMERIC_KINDS:
        problems.append(
            f"{REFERENCES_FILE} holds {refs.dtype} values; metric {spec.metric_name} needs numbers"
        )
    elif same and not labels and o.datatype is not None:
        got = _datatype_of(refs)
        numeric = refs.dtype.kind in _NUMERIC_KINDS
        if (o.datatype == "BYTES") == numeric:
            problems.append(
                f"{REFERENCES_FILE} is {got}, output {o.name!r} of methods.run is {o.datatype}"
            )
    problems += _check_batch_axis(f"methods.run output {o.name!r}", o.shape, spec.batch_size, n)
    _fail(problems, REFERENCES_FILE)


def _check_json(spec: BenchmarkSpec, run: Any, data: BenchmarkData) -> None:
    from dlhub_common.typed_values import problems_of

    assert isinstance(data.inputs, list)
    for side, io in (("input", run.input), ("output", run.output)):
        if io.type not in ("list", "any"):
            _fail(
                [
                    f"a JSON data set ({JSON_FILE}) is sent as one JSON list per batch:"
                    f" methods.run.{side} must be a list (or any), not {io.type}"
                ],
                f"servable.methods.run.{side}",
            )
    problems: list[str] = []
    item_in = run.input.item_type
    if item_in is not None:
        for i, value in enumerate(data.inputs):
            problems += problems_of(item_in, value, root=f"{JSON_FILE} inputs[{i}]")
            if len(problems) > MAX_PROBLEMS:
                break
    _fail(problems, f"{JSON_FILE}:inputs")
    item_out = run.output.item_type
    if item_out is not None:
        name, item_out = compared_output(spec, item_out)
        where = f"output {name!r}" if name else "output"
        for i, value in enumerate(data.references):
            for p in problems_of(item_out, value, root=f"{JSON_FILE} references[{i}]"):
                problems.append(f"{p} (methods.run {where})")
            if len(problems) > MAX_PROBLEMS:
                break
    if spec.metric_kind == "regression":
        for i, value in enumerate(data.references):
            if isinstance(value, bool) or not isinstance(value, int | float | list):
                problems.append(
                    f"{JSON_FILE} references[{i}] is not a number; metric"
                    f" {spec.metric_name} needs numbers"
                )
                break
    _fail(problems, f"{JSON_FILE}:references")


def check_data(spec: BenchmarkSpec, run: Any, data: BenchmarkData) -> None:
    """Check a data set against ``methods.run`` (``run``: a metadata Method).

    Tensor data: one array per declared input (names, datatypes, shapes after
    the examples axis), references shaped like the compared output (or, for a
    classification metric, like its labels: the output less its class axis).
    JSON data: each input fits ``methods.run.input.item_type``, each reference
    the compared output's item type.

    Raises:
        InvalidArgument: naming the file, the field and each mismatch.
    """
    if data.kind == "tensor":
        _check_tensor(spec, run, data)
    else:
        _check_json(spec, run, data)
