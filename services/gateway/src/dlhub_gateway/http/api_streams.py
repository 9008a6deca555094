"""REST stream bindings under /api/v1/streams (docs/streams.md).

* ``POST /streams/bindings``, ``GET /streams/bindings``,
  ``DELETE /streams/bindings/{id}``: the registry's binding RPCs;
* ``POST /streams/{topic}/frames``: the ingest endpoint. The body is one frame
  (``.npy``, raw bytes with ``x-dtype``/``x-shape`` headers, or JSON), put on
  the mesh's own bus, so a binding runs without Kafka (embedded mode) or with
  it, as for any producer. Only the creator of a binding that reads ``topic``
  may post to it;
* ``GET /streams/{topic}/results``: a long poll of a binding's output topic,
  or of its dead-letter topic (its creator only): up to ``max`` messages,
  waiting up to ``timeout_s`` for the first. They are read in the consumer
  group ``results.<binding id>[.<group>]``; the default group exists from the
  binding's creation, so nothing produced before the first poll is missed.

Every route needs a token (the AuthGate refuses anonymous callers first).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from dlhub_common._proto.dlhub.v1 import registry_pb2, types_pb2
from dlhub_common.bounds import MAX_TIMEOUT_S
from dlhub_common.errors import FailedPrecondition, InvalidArgument, NotFound
from dlhub_common.identity import Principal
from dlhub_common.names import parse_ref
from dlhub_common.views import binding_fields
from dlhub_gateway.http import schemas as S
from dlhub_gateway.http.context import ctx, principal
from dlhub_gateway.http.schemas import answers

router = APIRouter(tags=["streams"])  # included by api_v1, under /api/v1
Caller = Annotated[Principal, Depends(principal)]
Topic = Annotated[str, Field(max_length=200)]
MAX_RESULTS = 1000
# Frame headers an ingest request may set (x-<name> or <name>), copied onto the bus message.
FRAME_HEADERS = ("frame-id", "dtype", "shape")


class BindingBody(BaseModel):
    """A new stream binding."""

    model_config = ConfigDict(strict=True)

    topic: Topic = Field(description="The input topic frames arrive on")
    servable: Annotated[str, Field(max_length=300)] = Field(
        description="owner/name or owner/name:version (no version: the latest at each frame)"
    )
    output_topic: Topic = Field(description="Where results go, keyed by frame id")
    dead_letter_topic: Topic = Field("", description="Default <topic>.dlq")
    key_field: Annotated[str, Field(max_length=100)] = Field(
        "", description="The header carrying the frame id; default frame-id"
    )
    input: Annotated[str, Field(max_length=200)] = Field(
        "", description="The input frames feed; default the servable's only input"
    )
    max_in_flight: int = Field(0, ge=0, le=1024, description="Frames running at once; 0 = 32")


@router.post("/streams/bindings", status_code=201, **answers(S.StreamBinding, 201, "Created"))
async def create_binding(
    request: Request, _who: Caller, body: Annotated[BindingBody, Body()]
) -> dict[str, Any]:
    """Bind a topic to a servable you may run; the binding runs as you."""
    ref = parse_ref(body.servable)
    resp = await ctx(request).registry.create_binding(
        registry_pb2.CreateBindingRequest(
            topic=body.topic,
            servable=types_pb2.ServableRef(owner=ref.owner, name=ref.name, version=ref.version),
            output_topic=body.output_topic,
            dead_letter_topic=body.dead_letter_topic,
            key_field=body.key_field,
            input=body.input,
            max_in_flight=body.max_in_flight,
        )
    )
    return binding_fields(resp.binding)


@router.get("/streams/bindings", **answers(S.StreamBindings))
async def list_bindings(
    request: Request,
    _who: Caller,
    all: bool = Query(False, description="Administrators: every user's bindings"),
    topic: str = Query("", max_length=200),
) -> dict[str, Any]:
    resp = await ctx(request).registry.list_bindings(
        registry_pb2.ListBindingsRequest(all=all, topic=topic)
    )
    return {"bindings": [binding_fields(b) for b in resp.bindings]}


@router.delete("/streams/bindings/{binding_id}", **answers(S.StreamBinding))
async def delete_binding(request: Request, binding_id: str, _who: Caller) -> dict[str, Any]:
    resp = await ctx(request).registry.delete_binding(
        registry_pb2.DeleteBindingRequest(id=binding_id[:100])
    )
    return binding_fields(resp.binding)


async def _my_binding(request: Request, *, topic: str = "", output: str = "") -> Any:
    """The caller's binding reading ``topic`` (or writing ``output``: its results
    or dead-letter topic), or NotFound."""
    resp = await ctx(request).registry.list_bindings(registry_pb2.ListBindingsRequest())
    for b in resp.bindings:
        if (topic and b.topic == topic) or (output in (b.output_topic, b.dead_letter_topic)):
            return b
    what = f"reads topic {topic!r}" if topic else f"writes topic {output!r}"
    raise NotFound(f"no stream binding of yours {what}")


def _bus(request: Request) -> Any:
    bus = ctx(request).bus
    if bus is None:
        raise FailedPrecondition("this gateway has no event bus: stream ingest is not offered")
    return bus


@router.post(
    "/streams/{topic}/frames", status_code=202, **answers(S.FrameAccepted, 202, "Accepted")
)
async def ingest_frame(request: Request, topic: str, _who: Caller) -> dict[str, Any]:
    """Put one frame (the body) on ``topic``, as a Kafka producer would.

    Headers: ``content-type`` (``application/x-npy``, ``application/json`` or
    ``application/octet-stream``), ``x-frame-id`` (default: a new id),
    ``x-dtype`` and ``x-shape`` for raw bytes.
    """
    binding = await _my_binding(request, topic=topic)
    value = await request.body()
    if not value:
        raise InvalidArgument("a frame needs a body (the frame's bytes)")
    headers: dict[str, bytes] = {}
    for name in FRAME_HEADERS:
        text = request.headers.get(f"x-{name}") or request.headers.get(name)
        if text:
            headers[name] = text.encode()[:200]
    content_type = request.headers.get("content-type")
    if content_type:
        headers["content-type"] = content_type.encode()[:200]
    frame_id = headers.get(binding.key_field or "frame-id", b"").decode() or uuid.uuid4().hex
    headers[binding.key_field or "frame-id"] = frame_id.encode()
    await _bus(request).publish(topic, value, key=frame_id, headers=headers)
    return {"topic": topic, "frame_id": frame_id, "binding": binding.id}


def _message_json(delivery: Any) -> dict[str, Any]:
    headers = {k: v.decode("utf-8", "replace") for k, v in delivery.headers.items()}
    try:
        value: Any = json.loads(delivery.value)
    except ValueError:  # a dead letter: the frame as it came
        value = None
    return {"frame_id": delivery.key, "headers": headers, "result": value}


@router.get("/streams/{topic}/results", **answers(S.StreamResults))
async def read_results(
    request: Request,
    topic: str,
    _who: Caller,
    max: int = Query(100, ge=1, le=MAX_RESULTS),
    timeout_s: float = Query(10.0, ge=0, le=MAX_TIMEOUT_S),
    group: str = Query("", max_length=64, pattern=r"^[A-Za-z0-9_-]*$"),
) -> JSONResponse:
    """Up to ``max`` results from your binding's output topic ``topic`` (or dead
    letters from its dead-letter topic): waits up to ``timeout_s`` for the
    first, then returns what is there."""
    binding = await _my_binding(request, output=topic)
    name = f"results.{binding.id}" + (f".{group}" if group else "")
    results: list[dict[str, Any]] = []
    subscription = _bus(request).subscribe([topic], name)
    async with subscription:
        iterator = aiter(subscription)
        wait = timeout_s
        while len(results) < max:
            try:
                async with asyncio.timeout(wait):
                    delivery = await anext(iterator)
            except (TimeoutError, StopAsyncIteration):
                break
            results.append(_message_json(delivery))
            await delivery.ack()
            wait = 0.05  # once one came, take what follows right behind it
    return JSONResponse({"topic": topic, "results": results})
