"""Open Inference Protocol logic shared by the gRPC and REST transports.

Model names: ``owner.name`` (``owner/name`` also accepted); versions are the
DLHub version numbers as strings, empty for the latest. See docs/oip.md.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from dlhub_common._proto.dlhub.v1 import registry_pb2, tasks_pb2, types_pb2
from dlhub_common.apis import RegistryApi, TaskApi
from dlhub_common.errors import FailedPrecondition, error_from_code
from dlhub_common.metadata import validate_metadata
from dlhub_common.names import Ref, parse_ref
from dlhub_common.signature import TensorSpec, tensor_signature

SERVER_NAME = "dlhub"
SERVER_VERSION = "0.1.0"
# Triton's extensions: binary tensor data over REST (gRPC has raw contents),
# the model repository index and statistics (oip_extensions.py).
EXTENSIONS: tuple[str, ...] = ("binary_tensor_data", "model_repository", "statistics")
TENSOR_TYPES = {
    "onnx": "onnxruntime_onnx",
    "torchscript": "pytorch_libtorch",
    "torch_export": "pytorch_export",
    "keras": "keras_torch",  # Keras 3 on the torch backend
}


@dataclass(frozen=True)
class ModelInfo:
    ref: Ref
    versions: list[int]
    platform: str
    inputs: list[TensorSpec]
    outputs: list[TensorSpec]
    # Lifecycle state; a withdrawn version is not ready (it no longer runs).
    state: str = "active"
    servable_type: str = "onnx"
    # a pipeline of tensor servables runs as a model (docs/pipelines.md)
    tensor_pipeline: bool = False

    @property
    def tensor(self) -> bool:
        """Tensor servables speak OIP; python servables take one JSON value."""
        return self.servable_type in TENSOR_TYPES or self.tensor_pipeline

    @property
    def oip_name(self) -> str:
        return self.ref.oip_name


class OipCore:
    """Name resolution, metadata and inference on top of the service APIs."""

    def __init__(self, registry: RegistryApi, tasks: TaskApi) -> None:
        self.registry = registry
        self.tasks = tasks
        self._sigs: dict[str, tuple[list[TensorSpec], list[TensorSpec], str, bool]] = {}

    async def model(self, name: str, version: str = "") -> ModelInfo:
        """Describe a model. Raises NotFound / InvalidArgument."""
        ref = parse_ref(name, version or None)
        resp = await self.registry.get_servable(
            registry_pb2.GetServableRequest(
                ref=types_pb2.ServableRef(owner=ref.owner, name=ref.name, version=ref.version)
            )
        )
        summary = resp.servable.summary
        sig = self._sigs.get(summary.digest)
        if sig is None:
            meta = validate_metadata(json.loads(resp.servable.metadata_json))
            out_default = "output"
            sig = (
                tensor_signature(meta.run.input),
                tensor_signature(meta.run.output, default_name=out_default),
                meta.servable.type,
                meta.servable.pipeline is not None and meta.servable.pipeline.values == "tensors",
            )
            self._sigs[summary.digest] = sig
        return ModelInfo(
            ref=Ref(summary.owner, summary.name, summary.version),
            versions=list(resp.versions),
            platform="dlhub_pipeline" if sig[2] == "pipeline" else TENSOR_TYPES.get(sig[2], sig[2]),
            inputs=sig[0],
            outputs=sig[1],
            state=summary.state or "active",
            servable_type=sig[2],
            tensor_pipeline=sig[3],
        )

    async def tensor_model(self, name: str, version: str = "") -> ModelInfo:
        """:meth:`model`, for OIP calls: only tensor servables speak OIP.

        Raises:
            FailedPrecondition: a servable that takes JSON values (type python).
        """
        info = await self.model(name, version)
        if not info.tensor:
            raise FailedPrecondition(
                f"{info.ref} is a {info.servable_type} servable: it takes one JSON value, not"
                " tensors, so the Open Inference Protocol cannot run it; use"
                f" POST /api/v1/servables/{info.ref.owner}/{info.ref.name}/run,"
                " DLHubService.RunServable (inputs_json), the SDK or `dlhub run`",
                details={"servable_type": info.servable_type},
            )
        return info

    async def infer(
        self,
        name: str,
        version: str,
        inputs: Sequence[types_pb2.Tensor],
        outputs: Sequence[str] = (),
        timeout_s: float = 0.0,
    ) -> tasks_pb2.Task:
        """Run synchronously; returns the finished task or raises its error."""
        ref = parse_ref(name, version or None)
        resp = await self.tasks.run_servable(
            tasks_pb2.RunServableRequest(
                servable=types_pb2.ServableRef(owner=ref.owner, name=ref.name, version=ref.version),
                inputs=inputs,
                outputs=outputs,
                wait=True,
                timeout_s=timeout_s,
            )
        )
        task = resp.task
        if task.state == tasks_pb2.TASK_STATE_FAILED:
            details = json.loads(task.error.details_json) if task.error.details_json else {}
            raise error_from_code(task.error.code, task.error.message, details)
        if task.state == tasks_pb2.TASK_STATE_CANCELLED:
            raise FailedPrecondition(
                f"task {task.task_id} was cancelled before it finished",
                details={"task_id": task.task_id, "state": "CANCELLED"},
            )
        if task.state != tasks_pb2.TASK_STATE_SUCCEEDED:
            raise FailedPrecondition(
                f"task {task.task_id} did not finish in time;"
                f" poll it at /api/v1/tasks/{task.task_id}",
                details={"task_id": task.task_id},
            )
        return task
