"""Open Inference Protocol REST under /v2 (JSON tensors, Triton's binary tensor
data, model repository and statistics extensions).

The model name is ``owner.name``; ``owner%2Fname`` is accepted as well.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import HTTPException, RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from dlhub_common._proto.dlhub.v1 import types_pb2
from dlhub_common.bounds import check_json_size
from dlhub_common.codec import array_to_tensor, from_raw
from dlhub_common.codec_json import json_to_array
from dlhub_common.errors import InvalidArgument, NotFound, clip
from dlhub_gateway.http import oip_models as M
from dlhub_gateway.http.context import ctx, principal
from dlhub_gateway.http.convert import outputs_json
from dlhub_gateway.http.oip_models import (
    INDEX_BODY,
    INFER_ANSWERS,
    INFER_BODY,
    InferInput,
    InferRequest,
)
from dlhub_gateway.http.schemas import answers
from dlhub_gateway.oip import EXTENSIONS, SERVER_NAME, SERVER_VERSION, ModelInfo
from dlhub_gateway.oip_extensions import model_statistics, repository_index

# Decorators apply bottom-up: each versioned route is listed second so it is
# registered first, before the `:path` converter of the plain one can swallow
# "owner.name/versions/1".
router = APIRouter(
    prefix="/v2", tags=["open inference protocol"], dependencies=[Depends(principal)]
)


@router.get("", **answers(M.ServerMetadata))
async def server_metadata() -> dict[str, Any]:
    return {"name": SERVER_NAME, "version": SERVER_VERSION, "extensions": list(EXTENSIONS)}


@router.get("/health/live", **answers(M.Live))
async def live() -> dict[str, bool]:
    return {"live": True}


@router.get("/health/ready", **answers(M.Ready))
async def ready() -> dict[str, bool]:
    return {"ready": True}


def _metadata(info: ModelInfo) -> dict[str, Any]:
    def tensors(specs: Any) -> list[dict[str, Any]]:
        return [{"name": s.name, "datatype": s.datatype or "", "shape": s.oip_shape} for s in specs]

    return {
        "name": info.oip_name,
        "versions": [str(v) for v in info.versions],
        "platform": info.platform,
        "inputs": tensors(info.inputs),
        "outputs": tensors(info.outputs),
    }


@router.post(
    "/repository/index",
    openapi_extra=INDEX_BODY,
    **answers(M.RepositoryIndex),
)
async def index(request: Request) -> list[dict[str, str]]:
    """The model versions the caller may see; body ``{"ready": true}`` keeps ready ones."""
    raw = await request.body()
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError:
        raise InvalidArgument("the repository index request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise InvalidArgument("the repository index request body must be a JSON object")
    ready = body.get("ready", False)
    if not isinstance(ready, bool):
        raise InvalidArgument(f"'ready' must be true or false, not {ready!r}")
    return await repository_index(ctx(request).registry, ready=ready)


# Before the `:path` routes below, which would take "stats" for a model name.
@router.get("/models/stats", **answers(M.ModelStatistics))
async def all_stats(request: Request) -> dict[str, Any]:
    return await model_statistics(ctx(request).tasks)


@router.get("/models/{model_name:path}/stats", **answers(M.ModelStatistics))
@router.get("/models/{model_name:path}/versions/{version}/stats", **answers(M.ModelStatistics))
async def stats(request: Request, model_name: str, version: str = "") -> dict[str, Any]:
    return await model_statistics(ctx(request).tasks, model_name, version)


@router.get("/models/{model_name:path}/ready", **answers(M.Ready))
@router.get("/models/{model_name:path}/versions/{version}/ready", **answers(M.Ready))
async def model_ready(request: Request, model_name: str, version: str = "") -> JSONResponse:
    try:
        info = await ctx(request).oip.model(model_name, version)
    except NotFound:
        return JSONResponse({"ready": False}, status_code=404)
    if info.state == "withdrawn" or not info.tensor:  # a tombstone, or not an OIP model
        return JSONResponse({"ready": False}, status_code=400)
    return JSONResponse({"ready": True})


HEADER_LENGTH = "inference-header-content-length"


def _split_body(raw: bytes, header_length: str | None) -> tuple[Any, memoryview]:
    """JSON header and binary tail (Triton's binary tensor data extension)."""
    view = memoryview(raw)
    if header_length is None:
        json_part, binary = view, view[len(raw) :]
    else:
        if not header_length.isdigit() or int(header_length) > len(raw):
            raise InvalidArgument(f"invalid Inference-Header-Content-Length {clip(header_length)}")
        n = int(header_length)
        json_part, binary = view[:n], view[n:]
    try:
        body = json.loads(bytes(json_part))
    except (ValueError, RecursionError):
        raise InvalidArgument("the request's JSON header is not valid JSON") from None
    check_json_size(body, "the request's JSON header")
    try:
        return InferRequest.model_validate(body), binary
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        ) from None


def _input_tensor(
    item: InferInput, binary: memoryview, offset: int
) -> tuple[types_pb2.Tensor, int]:
    name, datatype, shape = item.name, item.datatype, item.shape
    params = item.parameters or {}
    size = params.get("binary_data_size")
    if size is not None:
        if (
            isinstance(size, bool)
            or not isinstance(size, int)
            or size < 0
            or offset + size > len(binary)
        ):
            raise InvalidArgument(
                f"input {clip(name)}: binary_data_size {clip(size)} overruns the body"
            )
        data = bytes(binary[offset : offset + size])
        from_raw(datatype, shape, data, name=name)  # validates size and datatype
        return types_pb2.Tensor(name=name, datatype=datatype, shape=shape, data=data), offset + size
    if "data" not in item.model_fields_set:
        raise InvalidArgument(f"input {clip(name)} needs 'data' or a binary_data_size parameter")
    array = json_to_array(name, datatype, shape, item.data, parameters=params)
    return array_to_tensor(name, array), offset


@router.post("/models/{model_name:path}/infer", openapi_extra=INFER_BODY, **INFER_ANSWERS)
@router.post(
    "/models/{model_name:path}/versions/{version}/infer", openapi_extra=INFER_BODY, **INFER_ANSWERS
)
async def infer(request: Request, model_name: str, version: str = "") -> Response:
    """OIP inference over JSON, with Triton's binary tensor data extension. Floating-point
    NaN and infinities travel as the strings "NaN", "Infinity" and "-Infinity" in JSON
    data (both ways), bit-exact in binary data."""
    body, binary = _split_body(await request.body(), request.headers.get(HEADER_LENGTH))
    tensors, offset = [], 0
    for item in body.inputs:
        tensor, offset = _input_tensor(item, binary, offset)
        tensors.append(tensor)
    if offset != len(binary):
        raise InvalidArgument(f"{len(binary) - offset} bytes of binary data belong to no input")
    requested = body.outputs or []
    task = await ctx(request).oip.infer(model_name, version, tensors, [o.name for o in requested])
    all_binary = bool((body.parameters or {}).get("binary_data_output"))
    binary_names = {o.name for o in requested if (o.parameters or {}).get("binary_data", False)}
    out: dict[str, Any] = {
        "model_name": f"{task.servable.owner}.{task.servable.name}",
        "model_version": str(task.servable.version),
    }
    if body.id:
        out["id"] = body.id
    outputs, tail = [], []
    for t in task.outputs:
        if all_binary or t.name in binary_names:
            outputs.append(
                {
                    "name": t.name,
                    "datatype": t.datatype,
                    "shape": list(t.shape),
                    "parameters": {"binary_data_size": len(t.data)},
                }
            )
            tail.append(t.data)
        else:
            outputs.extend(outputs_json([t]))
    out["outputs"] = outputs
    header = json.dumps(out).encode()
    if not tail:
        return Response(header, media_type="application/json")
    return Response(
        b"".join([header, *tail]),
        media_type="application/octet-stream",
        headers={"Inference-Header-Content-Length": str(len(header))},
    )


@router.get("/models/{model_name:path}", **answers(M.ModelMetadata))
@router.get("/models/{model_name:path}/versions/{version}", **answers(M.ModelMetadata))
async def model_metadata(request: Request, model_name: str, version: str = "") -> dict[str, Any]:
    if model_name.endswith("/infer"):  # the `:path` name swallowed an inference route
        raise HTTPException(405, "inference is POST", headers={"Allow": "POST"})
    return _metadata(await ctx(request).oip.tensor_model(model_name, version))
