"""The OIP REST bodies, as pydantic models (the Open Inference Protocol REST
spec's ``$inference_request``, ``$inference_response``, ``$metadata_*`` and health
bodies): the inference request's JSON header is type-checked by them before any
field is used, and they document every body in the OpenAPI document (the infer
route reads its body itself, for the binary tensor data extension, so its
request schema is attached by hand: :data:`INFER_BODY`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, SkipValidation

from dlhub_common.codec import DATATYPES, MAX_RANK
from dlhub_gateway.http.fields import Count
from dlhub_gateway.http.schemas import JsonObject, Model, Parameters, TensorData

# the codec's datatypes, one list (a tuple subscript is Literal["BOOL", "UINT8", ...])
Datatype = Literal[DATATYPES]  # type: ignore[valid-type]
Name = Annotated[str, Field(min_length=1, max_length=256)]


class InferInput(BaseModel):
    """One input tensor: ``data`` (flat or nested JSON) or, with the binary tensor
    data extension, ``parameters.binary_data_size`` bytes of the body's tail."""

    model_config = ConfigDict(strict=True)

    name: Name
    datatype: Datatype
    shape: list[Count] = Field(max_length=MAX_RANK)
    parameters: Parameters | None = None
    # checked against datatype and shape by json_to_array, not here
    data: SkipValidation[TensorData | None] = Field(
        None,
        description='numbers, true/false, strings; "NaN", "Infinity", "-Infinity" for'
        " floating-point NaN and infinities",
    )


class InferOutput(BaseModel):
    """An output to return; ``parameters.binary_data: true`` sends it as binary data."""

    model_config = ConfigDict(strict=True)

    name: Name
    parameters: Parameters | None = None


class InferRequest(BaseModel):
    """An OIP inference request (the JSON header, when binary data follows)."""

    model_config = ConfigDict(strict=True)

    id: str | None = Field(None, max_length=256)
    parameters: Parameters | None = None
    inputs: list[InferInput] = Field(min_length=1)
    outputs: list[InferOutput] | None = None


class ServerMetadata(Model):
    """``GET /v2``: ``$metadata_server_response``."""

    name: str
    version: str
    extensions: list[str]


class Live(Model):
    live: bool


class Ready(Model):
    ready: bool


class MetadataTensor(Model):
    name: str
    datatype: str
    shape: list[int] = Field(description="-1 for a variable dimension")


class ModelMetadata(Model):
    """``$metadata_model_response``."""

    name: str = Field(description="owner.name")
    versions: list[str]
    platform: str
    inputs: list[MetadataTensor]
    outputs: list[MetadataTensor]
    parameters: Parameters | None = None


class ResponseOutput(Model):
    """An output tensor: ``data``, or with binary data ``parameters.binary_data_size``
    bytes of the body after the JSON header."""

    name: str
    datatype: str
    shape: list[int]
    parameters: Parameters | None = None
    data: TensorData | None = None


class InferResponse(Model):
    """``$inference_response`` (the JSON header, when binary data follows)."""

    model_name: str
    model_version: str
    id: str | None = None
    parameters: Parameters | None = None
    outputs: list[ResponseOutput]


class RepositoryEntry(Model):
    name: str
    version: str
    state: str
    reason: str | None = None


class RepositoryIndex(RootModel[list[RepositoryEntry]]):
    """The model versions the caller may see."""


class RepositoryIndexRequest(BaseModel):
    ready: bool = Field(False, description="Only models ready for inference")


class ModelStatistics(Model):
    """Triton's statistics extension: ``{"model_stats": [...]}``."""

    model_stats: list[JsonObject]


# Bodies only referenced by hand-written request bodies (openapi_extra).
REFERENCED: tuple[type[BaseModel], ...] = (InferRequest, RepositoryIndexRequest)


def _body(model: type[BaseModel], description: str, required: bool) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {
        "requestBody": {
            "required": required,
            "content": {"application/json": {"schema": ref}},
            "description": description,
        }
    }


INFER_BODY = _body(
    InferRequest,
    "The request; with Triton's binary tensor data extension, the JSON header is followed"
    " by the binary data and its length is sent in the Inference-Header-Content-Length header.",
    True,
)
INDEX_BODY = _body(RepositoryIndexRequest, "Optional; an empty body lists every model", False)
INFER_ANSWERS: dict[str, Any] = {
    "response_model": None,
    "responses": {
        200: {
            "model": InferResponse,
            "description": "The outputs: JSON, or a JSON header and binary data"
            " (its length in the Inference-Header-Content-Length header)",
        }
    },
}
