"""Open Inference Protocol REST under /v2 (JSON tensors).

The model name is ``owner.name``; ``owner%2Fname`` is accepted as well.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from dlhub_common.codec import array_to_tensor, json_to_array
from dlhub_common.errors import InvalidArgument, NotFound
from dlhub_gateway.http.context import ctx, principal
from dlhub_gateway.http.convert import outputs_json
from dlhub_gateway.oip import EXTENSIONS, SERVER_NAME, SERVER_VERSION, ModelInfo

router = APIRouter(
    prefix="/v2", tags=["open inference protocol"], dependencies=[Depends(principal)]
)


@router.get("")
async def server_metadata() -> dict[str, Any]:
    return {"name": SERVER_NAME, "version": SERVER_VERSION, "extensions": list(EXTENSIONS)}


@router.get("/health/live")
async def live() -> dict[str, bool]:
    return {"live": True}


@router.get("/health/ready")
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


@router.get("/models/{model_name:path}/versions/{version}/ready")
@router.get("/models/{model_name:path}/ready")
async def model_ready(request: Request, model_name: str, version: str = "") -> JSONResponse:
    try:
        await ctx(request).oip.model(model_name, version)
    except NotFound:
        return JSONResponse({"ready": False}, status_code=404)
    return JSONResponse({"ready": True})


@router.post("/models/{model_name:path}/versions/{version}/infer")
@router.post("/models/{model_name:path}/infer")
async def infer(request: Request, model_name: str, version: str = "") -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise InvalidArgument("the request body is not valid JSON") from None
    if not isinstance(body, dict) or not isinstance(body.get("inputs"), list):
        raise InvalidArgument("an inference request needs an 'inputs' list")
    tensors = []
    for item in body["inputs"]:
        if not isinstance(item, dict) or not {"name", "datatype", "shape", "data"} <= item.keys():
            raise InvalidArgument("each input needs name, datatype, shape and data")
        array = json_to_array(
            item["name"],
            item["datatype"],
            item["shape"],
            item["data"],
            parameters=item.get("parameters"),
        )
        tensors.append(array_to_tensor(item["name"], array))
    wanted = [o["name"] for o in body.get("outputs") or [] if isinstance(o, dict) and "name" in o]
    task = await ctx(request).oip.infer(model_name, version, tensors, wanted)
    out: dict[str, Any] = {
        "model_name": f"{task.servable.owner}.{task.servable.name}",
        "model_version": str(task.servable.version),
        "outputs": outputs_json(task.outputs),
    }
    if body.get("id"):
        out["id"] = body["id"]
    return out


@router.get("/models/{model_name:path}/versions/{version}")
@router.get("/models/{model_name:path}")
async def model_metadata(request: Request, model_name: str, version: str = "") -> dict[str, Any]:
    return _metadata(await ctx(request).oip.model(model_name, version))
