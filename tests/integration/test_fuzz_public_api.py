"""Fuzzing the public doors of a live in-process mesh (a tiny ONNX model published).

* REST: schemathesis reads ``/openapi.json`` and runs every phase with every
  check for a bounded time, anonymously and with a token. Any 5xx, any
  response that breaks the document (status, media type, body schema,
  headers) and any request the document forbids but the gateway accepts
  fails the test. ``positive_data_acceptance`` failures are reported, not
  failed on: some valid-by-schema requests cannot succeed (a random page
  token, metadata JSON inside a form field, tensor data that does not fit its
  shape), which no schema can express.
* gRPC: hypothesis sends ModelInfer requests of any datatype, shape and
  contents; every answer is OK or a 4xx-like status, never INTERNAL/UNKNOWN.

Set DLHUB_FUZZ_SEED to replay a run; each run prints its seed and request count.
"""

from __future__ import annotations

import asyncio
import collections
import os
import random
import time
from typing import Any

import grpc
import numpy as np
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema

from dlhub_common._proto.inference import open_inference_pb2 as oip
from dlhub_common._proto.inference import open_inference_pb2_grpc

from .conftest import Mesh, TinyModel

FUZZ_SECONDS = 22  # per identity: anonymous, then with a token
REPORTED_ONLY = {"positive_data_acceptance"}
InferInput = oip.ModelInferRequest.InferInputTensor


@pytest.fixture
async def published(mesh: Mesh, tiny: TinyModel) -> Mesh:
    await mesh.publish(tiny.metadata("tiny"), {"model.onnx": tiny.data})
    return mesh


def fuzz_rest(url: str, headers: dict[str, str], seed: int) -> tuple[int, dict[Any, list[str]]]:
    """Run schemathesis against ``url``; returns (requests sent, failures by check)."""
    config = SchemathesisConfig()
    config.update(max_time=FUZZ_SECONDS, max_failures=None, seed=seed)
    project = config.projects.override
    project.update(base_url=url, headers=headers, request_timeout=20)
    project.checks.update(included_check_names=["all"])
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json", config=config)
    sent = 0
    failures: dict[Any, list[str]] = collections.defaultdict(list)
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            sent += len(event.recorder.interactions)
            for nodes in event.recorder.checks.values():
                for node in nodes:
                    if node.status == Status.FAILURE and node.failure_info is not None:
                        failure = node.failure_info.failure
                        failures[(node.name, event.recorder.label, failure.title)].append(
                            node.failure_info.code_sample
                        )
        elif isinstance(event, events.FatalError):
            raise AssertionError(f"schemathesis could not run: {event.exception}")
    return sent, failures


@pytest.mark.timeout(120)
async def test_schemathesis_finds_no_5xx_and_no_schema_violation(published: Mesh) -> None:
    seed = int(os.environ.get("DLHUB_FUZZ_SEED") or random.randrange(2**32))
    identities = {"anonymous": {}, "alice": {"Authorization": f"Bearer {published.token}"}}
    broken: list[str] = []
    for who, headers in identities.items():
        started = time.monotonic()
        sent, failures = await asyncio.to_thread(fuzz_rest, published.http_url, headers, seed)
        reported = {k: v for k, v in failures.items() if k[0] in REPORTED_ONLY}
        print(
            f"\nschemathesis ({who}, seed {seed}): {sent} requests in"
            f" {time.monotonic() - started:.0f} s; {sum(map(len, failures.values()))} failures,"
            f" {sum(map(len, reported.values()))} of them positive_data_acceptance"
            f" ({sorted({k[1] for k in reported})})"
        )
        assert sent >= 200, f"schemathesis sent only {sent} requests"
        for (check, operation, title), samples in failures.items():
            if check not in REPORTED_ONLY:
                broken.append(f"{who}: {check} on {operation}: {title}\n  {samples[0][:800]}")
    assert not broken, "\n".join(broken)


# ------------------------------------------------------------- gRPC ModelInfer

ALLOWED = {
    grpc.StatusCode.OK,
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.FAILED_PRECONDITION,
}
DATATYPES = st.sampled_from(["FP32", "FP64", "INT64", "BYTES", "BOOL", "FP16", "BF16", "x"])
DIMS = st.integers(0, 4) | st.sampled_from([-1, 2**26, 2**40, 2**62, 2**63 - 1, -(2**63)])


@st.composite
def infer_requests(draw: Any) -> oip.ModelInferRequest:
    request = oip.ModelInferRequest(
        model_name=draw(st.sampled_from(["alice.tiny", "alice/tiny", "alice.none", "x", ""])),
        model_version=draw(st.sampled_from(["", "1", "2", "-1", str(2**64), "latest", "a"])),
    )
    raw = draw(st.booleans())
    for _ in range(draw(st.integers(0, 2))):
        tensor = request.inputs.add(
            name=draw(st.sampled_from(["X", "Y", ""])),
            datatype=draw(DATATYPES),
            shape=draw(st.lists(DIMS, max_size=3)),
        )
        if raw:
            request.raw_input_contents.append(draw(st.binary(max_size=64)))
        elif draw(st.booleans()):
            tensor.contents.fp32_contents.extend(draw(st.lists(st.floats(width=32), max_size=8)))
        else:
            tensor.contents.bytes_contents.extend(draw(st.lists(st.binary(), max_size=4)))
    for name in draw(st.lists(st.sampled_from(["Y", "Z", ""]), max_size=2)):
        request.outputs.add(name=name)
    return request


@st.composite
def valid_requests(draw: Any) -> oip.ModelInferRequest:
    """Runs of alice/tiny: X is FP32 [n, 4], any values (NaN and infinities too)."""
    rows = draw(st.integers(1, 3))
    values = draw(st.lists(st.floats(width=32), min_size=4 * rows, max_size=4 * rows))
    request = oip.ModelInferRequest(model_name="alice.tiny")
    request.inputs.add(name="X", datatype="FP32", shape=[rows, 4])
    request.raw_input_contents.append(np.array(values, np.float32).tobytes())
    return request


async def test_model_infer_never_answers_internal(published: Mesh) -> None:
    """Bounded hypothesis run (300 examples, 5 s deadline each) over a sync channel
    in a worker thread, while the mesh serves in this test's event loop."""
    seen: collections.Counter[str] = collections.Counter()

    def fuzz() -> None:
        with grpc.insecure_channel(published.grpc_address) as channel:
            stub = open_inference_pb2_grpc.GRPCInferenceServiceStub(channel)

            @settings(
                max_examples=300,
                deadline=5000,
                database=None,
                suppress_health_check=[HealthCheck.too_slow],
            )
            @given(request=valid_requests() | infer_requests())
            def one(request: oip.ModelInferRequest) -> None:
                code, details = grpc.StatusCode.OK, ""
                try:
                    stub.ModelInfer(request, metadata=published.md(), timeout=10)
                except grpc.RpcError as exc:
                    code, details = exc.code(), exc.details()
                assert code in ALLOWED, f"{code}: {details} for {request}"
                seen[code.name] += 1

            one()

    await asyncio.to_thread(fuzz)
    print(f"\nModelInfer answers: {dict(seen)}")
    assert seen["OK"] > 0
    assert seen["INVALID_ARGUMENT"] > 0
