"""Triton's model repository and statistics extensions of the OIP, transport-free.

Both return Triton's JSON shapes (what ``POST /v2/repository/index`` and
``GET /v2/models/{m}/stats`` answer); the gRPC transport parses the same
dicts into the ``inference.RepositoryIndexResponse`` and
``inference.ModelStatisticsResponse`` messages, whose field names match.

Both show only what the caller may see: the index is the registry's listing
(visibility applied there), statistics come from the task manager, which asks
the registry as the same caller.
"""

from __future__ import annotations

from typing import Any

from dlhub_common._proto.dlhub.v1 import registry_pb2, tasks_pb2, types_pb2
from dlhub_common.apis import RegistryApi, TaskApi
from dlhub_common.errors import InvalidArgument
from dlhub_common.metadata import TENSOR_SERVABLE_TYPES
from dlhub_common.names import parse_ref

# Triton's names for them in the server metadata's extension list.
REPOSITORY_EXTENSION = "model_repository"
STATISTICS_EXTENSION = "statistics"
READY, UNAVAILABLE = "READY", "UNAVAILABLE"
PAGE = 1000


def _entry(s: types_pb2.ServableSummary) -> dict[str, str]:
    state, reason = READY, ""
    if s.servable_type not in TENSOR_SERVABLE_TYPES:
        state = UNAVAILABLE
        reason = (
            f"a {s.servable_type} servable takes one JSON value, not tensors;"
            f" run it with POST /api/v1/servables/{s.owner}/{s.name}/run"
        )
    elif s.state == "withdrawn":
        state, reason = UNAVAILABLE, f"withdrawn: {s.state_reason}"
    elif s.state == "deprecated":
        reason = f"deprecated: {s.state_reason}"
    return {
        "name": f"{s.owner}.{s.name}",
        "version": str(s.version),
        "state": state,
        "reason": reason,
    }


async def repository_index(registry: RegistryApi, *, ready: bool = False) -> list[dict[str, str]]:
    """One entry per servable version the caller may see, by name then version.

    Args:
        registry: asked as the current caller.
        ready: only versions that can run over the OIP now.
    """
    summaries: list[types_pb2.ServableSummary] = []
    token = ""
    while True:
        page = await registry.list_servables(
            registry_pb2.ListServablesRequest(page_size=PAGE, page_token=token, all_versions=True)
        )
        summaries.extend(page.servables)
        token = page.next_page_token
        if not token or not page.servables:
            break
    summaries.sort(key=lambda s: (s.owner, s.name, s.version))
    entries = [_entry(s) for s in summaries]
    return [e for e in entries if e["state"] == READY] if ready else entries


def _duration(count: int, ns: int = 0) -> dict[str, int]:
    return {"count": count, "ns": ns}


def triton_statistics(m: tasks_pb2.ModelStatistics) -> dict[str, Any]:
    """One ``model_stats`` entry of Triton's statistics extension.

    Queue and compute counts are the requests an executor ran successfully
    (cache hits never reach one). DLHub measures the model call as a whole:
    it is ``compute_infer``; ``compute_input``/``compute_output`` carry counts
    with zero time, and per batch size only the number of calls is known.
    """
    ran = max(0, m.success_count - m.cache_hit_count)
    return {
        "name": f"{m.servable.owner}.{m.servable.name}",
        "version": str(m.servable.version),
        "last_inference": m.last_inference_ms,
        "inference_count": m.inference_count,
        "execution_count": m.execution_count,
        "inference_stats": {
            "success": _duration(m.success_count, m.success_ns),
            "fail": _duration(m.failure_count, m.failure_ns),
            "queue": _duration(ran, m.queue_ns),
            "compute_input": _duration(ran),
            "compute_infer": _duration(ran, m.compute_ns),
            "compute_output": _duration(ran),
            "cache_hit": _duration(m.cache_hit_count, m.cache_hit_ns),
            "cache_miss": _duration(m.cache_miss_count),
        },
        "batch_stats": [
            {
                "batch_size": size,
                "compute_input": _duration(calls),
                "compute_infer": _duration(calls),
                "compute_output": _duration(calls),
            }
            for size, calls in sorted(m.batch_executions.items())
        ],
    }


async def model_statistics(tasks: TaskApi, name: str = "", version: str = "") -> dict[str, Any]:
    """Triton's statistics body ``{"model_stats": [...]}``.

    Args:
        tasks: asked as the current caller.
        name: ``owner.name`` (or ``owner/name``); empty: every model version
            the caller may see (zeros for those that never ran).
        version: one version; empty: every version of ``name``.

    Raises:
        NotFound: the model or version does not exist for this caller.
        InvalidArgument: a version without a model name, or a malformed name.
    """
    request = tasks_pb2.GetStatisticsRequest()
    if name:
        ref = parse_ref(name, version or None)
        request.servable.CopyFrom(
            types_pb2.ServableRef(owner=ref.owner, name=ref.name, version=ref.version)
        )
    elif version:
        raise InvalidArgument("statistics of a version need the model's name")
    response = await tasks.get_statistics(request)
    return {"model_stats": [triton_statistics(m) for m in response.models]}
