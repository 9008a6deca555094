"""The OIP ``inference.GRPCInferenceService`` transport."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from google.protobuf import json_format

from dlhub_common._proto.dlhub.v1 import tasks_pb2, types_pb2
from dlhub_common._proto.inference import open_inference_pb2 as oip
from dlhub_common._proto.inference import open_inference_pb2_grpc as oip_grpc
from dlhub_common.codec import array_to_tensor, decode_infer_inputs, from_raw
from dlhub_common.errors import ERROR_TABLE, DLHubError, InvalidArgument, NotFound, public_message
from dlhub_gateway.oip import EXTENSIONS, SERVER_NAME, SERVER_VERSION, OipCore
from dlhub_gateway.oip_extensions import model_statistics, repository_index
from dlhub_gateway.streams import StreamHandlers, StreamLimits, StreamRunner


def request_tensors(request: oip.ModelInferRequest) -> list[types_pb2.Tensor]:
    """Inputs as dlhub Tensors; raw inputs are passed on without a copy-decode."""
    if request.raw_input_contents and len(request.raw_input_contents) == len(request.inputs):
        if any(t.HasField("contents") for t in request.inputs):
            raise InvalidArgument("a request may not mix raw_input_contents and typed contents")
        out = []
        for tensor, raw in zip(request.inputs, request.raw_input_contents, strict=True):
            from_raw(tensor.datatype, list(tensor.shape), raw, name=tensor.name)  # validates size
            out.append(
                types_pb2.Tensor(
                    name=tensor.name, datatype=tensor.datatype, shape=tensor.shape, data=raw
                )
            )
        return out
    return [array_to_tensor(n, a) for n, a in decode_infer_inputs(request).items()]


def infer_response(request: oip.ModelInferRequest, task: tasks_pb2.Task) -> oip.ModelInferResponse:
    """A finished task as the answer to ``request`` (raw output contents)."""
    response = oip.ModelInferResponse(
        model_name=f"{task.servable.owner}.{task.servable.name}",
        model_version=str(task.servable.version),
        id=request.id,
    )
    for t in task.outputs:
        response.outputs.add(name=t.name, datatype=t.datatype, shape=t.shape)
        response.raw_output_contents.append(t.data)
    return response


def stream_error(request: oip.ModelInferRequest, error: DLHubError) -> oip.ModelStreamInferResponse:
    """One failed request of a stream, as Triton words it: ``error_message`` set.

    tritonclient hands the callback only the message, so it names the status
    and the request id; ``infer_response`` carries the id and model too.
    """
    status = ERROR_TABLE[error.code].grpc_status
    return oip.ModelStreamInferResponse(
        error_message=f"{status}: {public_message(error)} (request id {request.id!r})",
        infer_response=oip.ModelInferResponse(
            model_name=request.model_name, model_version=request.model_version, id=request.id
        ),
    )


class InferenceServicer(oip_grpc.GRPCInferenceServiceServicer):  # type: ignore[misc]
    def __init__(self, core: OipCore, streams: StreamRunner | None = None) -> None:
        self.core = core
        self.streams = streams or StreamRunner(StreamLimits())

    async def ServerLive(self, request: Any, context: Any) -> oip.ServerLiveResponse:
        return oip.ServerLiveResponse(live=True)

    async def ServerReady(self, request: Any, context: Any) -> oip.ServerReadyResponse:
        return oip.ServerReadyResponse(ready=True)

    async def ServerMetadata(self, request: Any, context: Any) -> oip.ServerMetadataResponse:
        return oip.ServerMetadataResponse(
            name=SERVER_NAME, version=SERVER_VERSION, extensions=list(EXTENSIONS)
        )

    async def ModelReady(
        self, request: oip.ModelReadyRequest, context: Any
    ) -> oip.ModelReadyResponse:
        try:
            info = await self.core.model(request.name, request.version)
        except NotFound:
            return oip.ModelReadyResponse(ready=False)
        return oip.ModelReadyResponse(ready=info.state != "withdrawn" and info.tensor)

    async def ModelMetadata(
        self, request: oip.ModelMetadataRequest, context: Any
    ) -> oip.ModelMetadataResponse:
        info = await self.core.tensor_model(request.name, request.version)
        tm = oip.ModelMetadataResponse.TensorMetadata
        return oip.ModelMetadataResponse(
            name=info.oip_name,
            versions=[str(v) for v in info.versions],
            platform=info.platform,
            inputs=[
                tm(name=s.name, datatype=s.datatype or "", shape=s.oip_shape) for s in info.inputs
            ],
            outputs=[
                tm(name=s.name, datatype=s.datatype or "", shape=s.oip_shape) for s in info.outputs
            ],
        )

    async def _infer(self, request: oip.ModelInferRequest) -> tasks_pb2.Task:
        return await self.core.infer(
            request.model_name,
            request.model_version,
            request_tensors(request),
            [o.name for o in request.outputs],
        )

    async def ModelInfer(
        self, request: oip.ModelInferRequest, context: Any
    ) -> oip.ModelInferResponse:
        return infer_response(request, await self._infer(request))

    async def _stream_run(
        self, request: oip.ModelInferRequest
    ) -> tuple[oip.ModelStreamInferResponse, bool]:
        task = await self._infer(request)
        return oip.ModelStreamInferResponse(infer_response=infer_response(request, task)), False

    async def ModelStreamInfer(
        self, request_iterator: AsyncIterator[oip.ModelInferRequest], context: Any
    ) -> AsyncIterator[oip.ModelStreamInferResponse]:
        """Triton's streaming extension; see dlhub_gateway.streams for flow control."""
        await self.streams.serve(
            "oip", request_iterator, StreamHandlers(self._stream_run, stream_error), context
        )
        return
        yield  # an async generator, as the interceptor expects; responses go by context.write

    async def ModelStatistics(
        self, request: oip.ModelStatisticsRequest, context: Any
    ) -> oip.ModelStatisticsResponse:
        body = await model_statistics(self.core.tasks, request.name, request.version)
        return json_format.ParseDict(body, oip.ModelStatisticsResponse())

    async def RepositoryIndex(
        self, request: oip.RepositoryIndexRequest, context: Any
    ) -> oip.RepositoryIndexResponse:
        models = await repository_index(self.core.registry, ready=request.ready)
        return json_format.ParseDict({"models": models}, oip.RepositoryIndexResponse())
