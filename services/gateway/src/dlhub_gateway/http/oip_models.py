"""The OIP REST inference request, as pydantic models: the JSON header is
type-checked by them before any field is used, and they document the body in
the OpenAPI document (the route reads its body itself, for the binary tensor
data extension, so the schema is attached by hand: :data:`INFER_BODY`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from dlhub_common.codec import DATATYPES, MAX_RANK
from dlhub_gateway.http.fields import Count

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
    parameters: dict[str, Any] | None = None
    data: Any = Field(
        None,
        description='numbers, true/false, strings; "NaN", "Infinity", "-Infinity" for'
        " floating-point NaN and infinities",
    )


class InferOutput(BaseModel):
    """An output to return; ``parameters.binary_data: true`` sends it as binary data."""

    model_config = ConfigDict(strict=True)

    name: Name
    parameters: dict[str, Any] | None = None


class InferRequest(BaseModel):
    """An OIP inference request (the JSON header, when binary data follows)."""

    model_config = ConfigDict(strict=True)

    id: str | None = Field(None, max_length=256)
    parameters: dict[str, Any] | None = None
    inputs: list[InferInput] = Field(min_length=1)
    outputs: list[InferOutput] | None = None


def component_schemas() -> dict[str, Any]:
    """The request models' schemas, for the OpenAPI document's components."""
    schema = InferRequest.model_json_schema(ref_template="#/components/schemas/{model}")
    defs: dict[str, Any] = schema.pop("$defs", {})
    return {**defs, "InferRequest": schema}


INFER_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/InferRequest"}}},
        "description": "The request; with Triton's binary tensor data extension, the JSON"
        " header is followed by the binary data and its length is sent in the"
        " Inference-Header-Content-Length header.",
    }
}
