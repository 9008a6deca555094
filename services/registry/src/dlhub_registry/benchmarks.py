"""Publish checks of a benchmark (servable type ``benchmark``).

Run by the publisher after the artifacts are stored and before the commit,
inside its all-or-nothing block: the data set's files parse
(:mod:`dlhub_common.benchmark_data`), match the declared signature
(:func:`dlhub_common.benchmark_spec.check_data`), and a metric given as a
servable is a python servable the publisher may see. A bare metric servable
name is frozen to the version it resolves to now, so the benchmark (and its
digest) always names one metric function.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from dlhub_common import benchmark_data
from dlhub_common.benchmark_data import FILES, BenchmarkData
from dlhub_common.benchmark_spec import MetricServable, check_data
from dlhub_common.errors import InvalidArgument, NotFound
from dlhub_common.identity import Principal
from dlhub_common.metadata import Metadata
from dlhub_common.names import parse_ref
from dlhub_common.ports import DocumentStore, ObjectInfo, ObjectStore
from dlhub_registry import reads
from dlhub_registry.publish_jobs import PublishJob


def data_file(stored: dict[str, ObjectInfo]) -> str:
    """The artifact that stands for a benchmark's data set (its "model" file)."""
    kind = benchmark_data.kind_of(stored)
    return benchmark_data.JSON_FILE if kind == "json" else benchmark_data.INPUTS_FILE


async def _read(objects: ObjectStore, info: ObjectInfo, scratch_dir: Path | None) -> bytes:
    with tempfile.TemporaryDirectory(dir=scratch_dir) as tmp:
        local = Path(tmp) / "data"
        await objects.download(info.key, local)
        return local.read_bytes()


async def _metric_servable(
    docs: DocumentStore, principal: Principal, metric: MetricServable
) -> str:
    """The frozen ``owner/name:version`` of a metric servable the publisher may see."""
    ref = parse_ref(metric.servable)
    try:
        record, _versions, _latest = await reads.get(docs, principal, ref)
    except NotFound:
        raise InvalidArgument(
            f"benchmark.metric.servable {metric.servable!r} is not a servable you may see",
            details={"field": "servable.benchmark.metric.servable"},
        ) from None
    kind = record["metadata"]["servable"]["type"]
    if kind != "python":
        raise InvalidArgument(
            f"benchmark.metric.servable {metric.servable!r} is a {kind} servable; a metric"
            " function is a python servable taking {'references': [...], 'predictions': [...]}",
            details={"field": "servable.benchmark.metric.servable"},
        )
    return f"{record['owner']}/{record['name']}:{int(record['version'])}"


async def load_data(
    objects: ObjectStore, stored: dict[str, ObjectInfo], scratch_dir: Path | None
) -> BenchmarkData:
    """Parse the data set among the stored artifacts.

    Raises:
        InvalidArgument: the wrong files, or files that do not load (naming the file).
    """
    kind = benchmark_data.kind_of(stored)
    raw = {path: await _read(objects, stored[path], scratch_dir) for path in FILES[kind]}
    return benchmark_data.parse(raw)


async def check_benchmark(
    docs: DocumentStore,
    principal: Principal,
    metadata: Metadata,
    data: BenchmarkData,
    job: PublishJob,
) -> dict[str, Any]:
    """Check a benchmark's data set and metric; returns the metadata document to commit.

    Raises:
        InvalidArgument: a data set that does not match ``methods.run``, or a
            metric servable that is not a python servable visible to the
            publisher (each naming the file or field).
    """
    spec = metadata.servable.benchmark
    assert spec is not None  # the metadata model requires it for this type
    check_data(spec, metadata.run, data)
    job.line(
        f"benchmark data set: {len(data)} examples ({data.kind}), matching methods.run;"
        f" metric {spec.metric_name}, batch size {spec.batch_size}"
    )
    doc = metadata.to_doc()
    if isinstance(spec.metric, MetricServable):
        frozen = await _metric_servable(docs, principal, spec.metric)
        job.line(f"metric function {frozen} (python servable) is visible to the publisher")
        doc["servable"]["benchmark"]["metric"]["servable"] = frozen
    return doc
