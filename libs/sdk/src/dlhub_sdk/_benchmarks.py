"""Benchmarks (docs/benchmarks.md): the :class:`Benchmark` builder, and the
``publish_benchmark`` / ``score_benchmark`` / ``leaderboard`` calls of
:class:`dlhub_sdk.client.DLHubClient`.

A benchmark is a servable of type ``benchmark``: a data set (examples'
inputs and reference outputs), the signature a model must have to compete,
and a metric::

    bench = Benchmark.from_arrays(
        "digits-heldout", {"X": x_test}, y_test, metric="accuracy", output="label",
        like=digits_model,  # the signature to compete on, from a model's metadata
    ).set_title("Digits, held-out split").add_author("DLHub Examples")
    client.publish_benchmark(bench)
    client.score_benchmark("me/digits-heldout", all=True)
    client.leaderboard("me/digits-heldout")
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from dlhub_common import benchmark_data
from dlhub_common._proto.dlhub.v1 import benchmarks_pb2
from dlhub_common.benchmark_spec import BENCHMARK_TYPE, DEFAULT_BATCH_SIZE, check_data
from dlhub_common.benchmark_views import leaderboard_fields, score_response_fields
from dlhub_common.errors import InvalidArgument
from dlhub_common.metadata import validate_metadata
from dlhub_common.names import parse_ref
from dlhub_sdk._manage import _ref_pb
from dlhub_sdk.models.base import ServableBuilder

# Seconds a ScoreBenchmark call may take (the server's default bound).
SCORE_TIMEOUT_S = 600.0


def _ndarray_spec(array: np.ndarray) -> dict[str, Any]:
    item = "string" if array.dtype.kind in "US" else array.dtype.name
    return {"type": "ndarray", "shape": [None, *array.shape[1:]], "item_type": {"type": item}}


def _run_of(model: Any) -> dict[str, Any]:
    """``servable.methods.run`` of a builder or a metadata dict."""
    doc = model.to_dict() if hasattr(model, "to_dict") else model
    try:
        run = doc["servable"]["methods"]["run"]
        return {"input": run["input"], "output": run["output"]}
    except (KeyError, TypeError):
        raise InvalidArgument("like= must be a servable builder or metadata document") from None


class Benchmark(ServableBuilder):
    """A benchmark's metadata and data set. Build it with :meth:`from_arrays`
    (tensor models) or :meth:`from_json` (servables taking one JSON value).

    Args:
        name: the benchmark's name.
        metric: a built-in metric (mae, rmse, r2, accuracy, macro_f1), or
            ``{"servable": "owner/name:version", "higher_is_better": bool}``.
        output: the model output compared with the references (needed when
            the signature has several outputs).
        batch_size: examples sent in one run.
    """

    servable_type = BENCHMARK_TYPE

    def __init__(
        self,
        name: str,
        *,
        metric: str | Mapping[str, Any],
        output: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        super().__init__()
        self._dlhub["name"] = name
        block: dict[str, Any] = {
            "metric": dict(metric) if isinstance(metric, Mapping) else metric,
            "batch_size": batch_size,
        }
        if output is not None:
            block["output"] = output
        self._servable["benchmark"] = block
        # DataCite: a benchmark is a data set (with a metric), not software
        self._datacite["resourceType"] = {
            "resourceTypeGeneral": "Dataset",
            "resourceType": "Benchmark",
        }
        del self._servable["dependencies"]
        # the data set's files live here as long as the builder does
        self._dir = tempfile.TemporaryDirectory(prefix="dlhub-benchmark-")

    def _set_data(self, paths: list[Path], main: str) -> None:
        for path in paths:
            self._files[path.name] = path
        self._dlhub["files"] = {
            "model": main,
            "other": sorted(p.name for p in paths if p.name != main),
        }

    @classmethod
    def from_arrays(
        cls,
        name: str,
        inputs: Mapping[str, Any],
        references: Any,
        *,
        metric: str | Mapping[str, Any],
        output: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        like: Any = None,
        output_spec: Mapping[str, Any] | None = None,
    ) -> Benchmark:
        """A tensor benchmark: one array per model input (first axis = examples)
        and the reference outputs.

        The signature is ``like``'s (a model builder or metadata dict) when
        given; otherwise it is read from the arrays, with ``output_spec`` (or
        the references' shape and dtype) as the compared output.
        """
        bench = cls(name, metric=metric, output=output, batch_size=batch_size)
        arrays = {k: np.asarray(v) for k, v in inputs.items()}
        refs = np.asarray(references)
        if like is not None:
            run = _run_of(like)
        else:
            out = dict(output_spec) if output_spec is not None else _ndarray_spec(refs)
            run = {
                "input": {
                    "type": "dict",
                    "properties": {k: _ndarray_spec(a) for k, a in arrays.items()},
                },
                "output": {"type": "dict", "properties": {output: out}} if output else out,
            }
        bench._servable["methods"] = {"run": run}
        paths = benchmark_data.write_tensor(bench._dir.name, arrays, refs)
        bench._set_data(paths, benchmark_data.INPUTS_FILE)
        return bench

    @classmethod
    def from_json(
        cls,
        name: str,
        inputs: Sequence[Any],
        references: Sequence[Any],
        *,
        metric: str | Mapping[str, Any],
        input_type: Mapping[str, Any] | None = None,
        output_type: Mapping[str, Any] | None = None,
        output: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        like: Any = None,
    ) -> Benchmark:
        """A JSON benchmark: one input value and one reference per example, for
        servables taking a list of examples (python, sklearn). The signature is
        ``like``'s, or lists of ``input_type`` / ``output_type`` (default any)."""
        bench = cls(name, metric=metric, output=output, batch_size=batch_size)
        if like is not None:
            run = _run_of(like)
        else:
            run = {
                "input": {"type": "list", "item_type": dict(input_type or {"type": "any"})},
                "output": {"type": "list", "item_type": dict(output_type or {"type": "any"})},
            }
        bench._servable["methods"] = {"run": run}
        paths = benchmark_data.write_json(bench._dir.name, list(inputs), list(references))
        bench._set_data(paths, benchmark_data.JSON_FILE)
        return bench

    @classmethod
    def from_dir(
        cls,
        name: str,
        directory: str | Path,
        *,
        metric: str | Mapping[str, Any],
        like: Any,
        output: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> Benchmark:
        """A benchmark from a folder holding its data set's files (``inputs.npz``
        and ``references.npy``, or ``data.json``), competing on ``like``'s
        signature (a model builder, a metadata dict, or ``{"input": ..., "output": ...}``)."""
        bench = cls(name, metric=metric, output=output, batch_size=batch_size)
        root = Path(directory)
        present = [p.name for p in root.iterdir() if p.is_file()] if root.is_dir() else []
        kind = benchmark_data.kind_of(present)
        run = like if isinstance(like, Mapping) and "input" in like else _run_of(like)
        bench._servable["methods"] = {"run": {"input": run["input"], "output": run["output"]}}
        main = benchmark_data.JSON_FILE if kind == "json" else benchmark_data.INPUTS_FILE
        bench._set_data([root / f for f in benchmark_data.FILES[kind]], main)
        return bench

    def check(self) -> None:
        """Check the metadata and the data set against the signature (as the
        registry will at publish).

        Raises:
            InvalidArgument: naming the field or file and the mismatch.
        """
        metadata = validate_metadata(self.to_dict(validate=False))
        assert metadata.servable.benchmark is not None
        data = benchmark_data.parse({p: src.read_bytes() for p, src in self._files.items()})
        check_data(metadata.servable.benchmark, metadata.run, data)


class BenchmarksMixin:
    def _call(self, method: str, request: Any, timeout: float | None = None) -> Any:
        raise NotImplementedError  # DLHubClient._call

    def publish_servable(self, model: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        raise NotImplementedError  # DLHubClient.publish_servable

    def publish_benchmark(self, benchmark: Benchmark, **kwargs: Any) -> dict[str, Any]:
        """Check the data set locally, then publish the benchmark as a servable
        (``kwargs`` as for ``publish_servable``); returns its summary."""
        benchmark.check()
        return self.publish_servable(benchmark, **kwargs)

    def score_benchmark(
        self,
        benchmark: str,
        servable: str | None = None,
        *,
        all: bool = False,
        timeout: float = SCORE_TIMEOUT_S,
    ) -> dict[str, Any]:
        """Score ``servable`` (or, with ``all``, every servable you may see whose
        signature fits) on ``benchmark``. A pair scored before answers its
        stored score with ``already_scored``; with ``all``, a servable that
        failed carries its ``error`` and the unfit ones are in ``skipped``."""
        request = benchmarks_pb2.ScoreBenchmarkRequest(
            benchmark=_ref_pb(parse_ref(benchmark)), all=all, timeout_s=timeout
        )
        if servable is not None:
            request.servable.CopyFrom(_ref_pb(parse_ref(servable)))
        resp = self._call("ScoreBenchmark", request, timeout=timeout + 30)
        return score_response_fields(resp)

    def leaderboard(self, benchmark: str, *, limit: int = 0) -> dict[str, Any]:
        """The benchmark's ranked scores, best first, of the servables you may see."""
        resp = self._call(
            "GetLeaderboard",
            benchmarks_pb2.GetLeaderboardRequest(
                benchmark=_ref_pb(parse_ref(benchmark)), limit=limit
            ),
            timeout=60,
        )
        return leaderboard_fields(resp)
