"""Resolving servable references on the run path.

Registry answers come from :class:`dlhub_common.servable_cache.CachedRegistry`
(kept until a servable event says the servable changed); signatures, runtime
descriptions and batching policies are immutable per digest and cached
without expiry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from dlhub_common._proto.dlhub.v1 import registry_pb2, types_pb2
from dlhub_common.apis import RegistryApi
from dlhub_common.metadata import (
    TENSOR_SERVABLE_TYPES,
    WORKER_SERVABLE_TYPES,
    IOSpec,
    Metadata,
    validate_metadata,
)
from dlhub_common.names import Ref
from dlhub_common.pipeline_spec import PipelineSpec
from dlhub_common.ports import EventBus
from dlhub_common.records import ACTIVE
from dlhub_common.servable_cache import CachedRegistry
from dlhub_common.settings import BatchingSettings
from dlhub_common.signature import TensorSpec, tensor_signature

JSON_TYPES = WORKER_SERVABLE_TYPES
# Tensor servables whose runner needs the signature's order (forward() arguments).
ORDERED_TENSOR_TYPES = ("torchscript", "torch_export", "keras")


@dataclass(frozen=True)
class Signature:
    """What one digest needs at run time; immutable, like the digest."""

    inputs: tuple[TensorSpec, ...]
    outputs: tuple[TensorSpec, ...]
    servable_type: str
    input_spec: IOSpec | None
    runtime_json: str
    # (max batch size, max queue delay ms), or None: runs alone
    batching: tuple[int, float] | None
    cacheable: bool
    # a pipeline's steps (pipelines/); None for every other type
    pipeline: PipelineSpec | None = None


@dataclass(frozen=True)
class Resolved:
    """What the task manager needs to know about one servable version."""

    ref: Ref
    digest: str
    model_path: str
    artifacts: tuple[types_pb2.ArtifactRef, ...]
    signature: Signature
    state: str = ACTIVE
    state_reason: str = ""
    # The executor-servable interface version of the record (1 for records
    # written before versions were recorded); executors dispatch on it.
    interface_version: int = 1

    @property
    def servable_type(self) -> str:
        return self.signature.servable_type

    @property
    def inputs(self) -> tuple[TensorSpec, ...]:
        return self.signature.inputs

    @property
    def outputs(self) -> tuple[TensorSpec, ...]:
        return self.signature.outputs

    @property
    def input_spec(self) -> IOSpec | None:
        return self.signature.input_spec

    @property
    def runtime_json(self) -> str:
        return self.signature.runtime_json


def _runtime_json(metadata: Metadata) -> str:
    run = metadata.run
    kind = metadata.servable.type
    details = run.method_details
    if kind == "sklearn":
        # a native scikit-learn servable: the worker's built-in loader
        return json.dumps(
            {
                "python": metadata.servable.python,
                "loader": "sklearn",
                "model": details.get("model"),
                "method": details.get("method", "predict"),
                "interface_version": details.get("interface_version", 1),
                "lock_path": "environment.lock",
            }
        )
    if kind in JSON_TYPES:
        return json.dumps(
            {
                "python": metadata.servable.python,
                "module": details.get("module"),
                "function": details.get("function"),
                "interface_version": details.get("interface_version", 1),
                "lock_path": "environment.lock",
            }
        )
    if kind in ORDERED_TENSOR_TYPES:
        # the order of forward()'s arguments and results (checked at publish)
        return json.dumps(
            {
                "inputs": details.get("input_order")
                or [t.name for t in tensor_signature(run.input)],
                "outputs": details.get("output_order")
                or [t.name for t in tensor_signature(run.output)],
            }
        )
    return ""


def batch_axis_free(specs: tuple[TensorSpec, ...]) -> bool:
    """Every tensor has a leading dimension of any size (the batch axis)."""
    return bool(specs) and all(len(s.shape) >= 1 and s.shape[0] is None for s in specs)


def signature_of(metadata: Metadata, defaults: BatchingSettings) -> Signature:
    kind = metadata.servable.type
    run = metadata.run
    pipeline = metadata.servable.pipeline
    json_typed = kind in JSON_TYPES or (pipeline is not None and pipeline.values == "json")
    inputs = () if json_typed else tuple(tensor_signature(run.input))
    outputs = () if json_typed else tuple(tensor_signature(run.output))
    batching: tuple[int, float] | None = None
    if kind in TENSOR_SERVABLE_TYPES and batch_axis_free(inputs) and batch_axis_free(outputs):
        own = metadata.servable.batching
        size = own.max_batch_size if own else defaults.max_batch_size
        delay = own.max_queue_delay_ms if own else defaults.max_queue_delay_ms
        batching = (size, delay) if size > 1 else None
    cache = metadata.servable.cache
    return Signature(
        inputs=inputs,
        outputs=outputs,
        servable_type=kind,
        input_spec=run.input if json_typed else None,
        runtime_json=_runtime_json(metadata),
        batching=batching,
        # a pipeline is never cached itself: each of its steps is (pipelines/)
        cacheable=pipeline is None
        and ((kind in TENSOR_SERVABLE_TYPES) if cache is None else cache),
        pipeline=pipeline,
    )


class Resolver:
    """Resolves references through the registry, caching what it learned.

    Args:
        registry: the registry API (in-process or remote).
        bus: where servable events arrive.
        group: this replica's consumer group for servable events.
        batching: the default batching settings.
    """

    def __init__(
        self, registry: RegistryApi, bus: EventBus, group: str, batching: BatchingSettings
    ) -> None:
        self.cached = CachedRegistry(registry, bus, group)
        self.batching = batching
        self._signatures: dict[str, Signature] = {}

    async def start(self) -> None:
        await self.cached.start()

    async def stop(self) -> None:
        await self.cached.stop()

    async def resolve(self, ref: Ref) -> Resolved:
        """The version ``ref`` names, as the current caller may see it.

        Raises:
            NotFound: unknown servable or version, or not visible to the caller.
        """
        resp = await self.cached.get_servable(
            registry_pb2.GetServableRequest(
                ref=types_pb2.ServableRef(owner=ref.owner, name=ref.name, version=ref.version)
            )
        )
        summary = resp.servable.summary
        sig = self._signatures.get(summary.digest)
        if sig is None:
            metadata = validate_metadata(json.loads(resp.servable.metadata_json))
            sig = signature_of(metadata, self.batching)
            self._signatures[summary.digest] = sig
        return Resolved(
            ref=Ref(summary.owner, summary.name, summary.version),
            digest=summary.digest,
            model_path=resp.model_path,
            artifacts=tuple(resp.artifacts),
            signature=sig,
            state=summary.state or ACTIVE,
            state_reason=summary.state_reason,
            interface_version=resp.interface_version or 1,
        )
