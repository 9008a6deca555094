"""Run streams over gRPC: OIP ModelStreamInfer (tritonclient) and dlhub.v1 RunStream."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import numpy as np
import pytest
from prometheus_client import REGISTRY

from dlhub_common._proto.dlhub.v1 import dlhub_pb2, tasks_pb2, types_pb2
from dlhub_common._proto.inference import open_inference_pb2 as oip
from dlhub_common._proto.inference import open_inference_pb2_grpc
from dlhub_common.codec import array_to_tensor, from_raw, tensor_to_array
from dlhub_common.errors import InvalidArgument, NotFound
from dlhub_common.rpc.errors import error_from_rpc
from dlhub_common.rpc.server import channel_options
from dlhub_common.settings import MiB
from dlhub_sdk.client import DLHubClient
from dlhub_sdk.streams import StreamItem

from .conftest import RPC_TIMEOUT_S, Array, Mesh, TinyModel, running_mesh

pytestmark = pytest.mark.timeout(120)

TRITON_STREAM = Path(__file__).resolve().parents[1] / "triton_stream_client.py"


def rows(n: int, seed: int) -> Array:
    return np.random.default_rng(seed).standard_normal((n, 4)).astype(np.float32)


@pytest.fixture
async def stream_mesh(tmp_path: Path, tiny: TinyModel, hermetic_env: None) -> AsyncIterator[Mesh]:
    """Batching on (so a stream's requests batch), the result cache off, and two
    servables: alice's public ``tiny`` and bob's private ``secret``."""
    async with running_mesh(
        tmp_path,
        tiny,
        batching={"max_batch_size": 8, "max_queue_delay_ms": 50},
        cache={"enabled": False},
    ) as m:
        files = {"model.onnx": tiny.data}
        await m.publish(TinyModel.metadata("tiny"), files)
        await m.publish(TinyModel.metadata("secret", visible_to=["bob"]), files, token=m.bob_token)
        yield m


def oip_tensor(x: Array, name: str = "X") -> dict[str, Any]:
    return {"name": name, "datatype": "FP32", "shape": list(x.shape), "data": x.tolist()}


async def triton_stream(address: str, spec: dict[str, Any], tmp: Path) -> list[dict[str, Any]]:
    """Run tests/triton_stream_client.py against ``address``; the mesh keeps serving."""
    path = tmp / "spec.json"
    path.write_text(json.dumps(spec))
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(TRITON_STREAM),
        address,
        str(path),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 90)
    assert proc.returncode == 0, f"tritonclient stream failed:\n{out.decode()}\n{err.decode()}"
    results: list[dict[str, Any]] = json.loads(out)["results"]
    return results


async def test_tritonclient_stream_answers_each_request_and_errors_do_not_close_it(
    stream_mesh: Mesh, tiny: TinyModel, tmp_path: Path
) -> None:
    good = {f"ok-{i}": rows(1 + i % 3, i) for i in range(12)}
    requests = [
        {"id": k, "model": "alice.tiny", "inputs": [oip_tensor(x)]} for k, x in good.items()
    ]
    bad = [
        {"id": "missing", "model": "nobody.nothing", "inputs": [oip_tensor(rows(1, 0))]},
        {"id": "bad-shape", "model": "alice.tiny", "inputs": [oip_tensor(np.zeros((2, 5)))]},
        {"id": "private", "model": "bob.secret", "inputs": [oip_tensor(rows(1, 0))]},
    ]
    # the errors come mid-stream: good requests before and after them
    spec = {"token": stream_mesh.token, "requests": requests[:6] + bad + requests[6:]}
    results = await triton_stream(stream_mesh.grpc_address, spec, tmp_path)

    by_id = {r["id"]: r for r in results}
    assert sorted(by_id) == sorted([*good, "missing", "bad-shape", "private"])
    for key, x in good.items():
        assert by_id[key]["error"] is None, by_id[key]
        np.testing.assert_allclose(
            np.asarray(by_id[key]["outputs"]["Y"]), tiny.expected(x), rtol=1e-5, atol=1e-5
        )
    assert by_id["missing"]["error"].startswith("NOT_FOUND: ")
    assert by_id["bad-shape"]["error"].startswith("INVALID_ARGUMENT: ")
    assert "X" in by_id["bad-shape"]["error"]
    # another user's private servable looks exactly like a missing one
    assert by_id["private"]["error"].startswith("NOT_FOUND: ")
    assert "bob.secret" in by_id["private"]["error"] or "bob/secret" in by_id["private"]["error"]
    # bob, on his own stream, may run it
    spec = {"token": stream_mesh.bob_token, "requests": [bad[2]]}
    (mine,) = await triton_stream(stream_mesh.grpc_address, spec, tmp_path)
    assert mine["error"] is None
    assert mine["id"] == "private"


def run_request(rid: str, x: Array, name: str = "tiny", owner: str = "alice") -> Any:
    return dlhub_pb2.RunStreamRequest(
        request_id=rid,
        run=tasks_pb2.RunServableRequest(
            servable=types_pb2.ServableRef(owner=owner, name=name),
            inputs=[array_to_tensor("X", x)],
            timeout_s=RPC_TIMEOUT_S,
        ),
    )


async def test_run_stream_batches_a_streams_requests_and_answers_errors_per_request(
    stream_mesh: Mesh, tiny: TinyModel
) -> None:
    good = {f"r{i}": rows(1, i) for i in range(16)}
    requests = [run_request(k, x) for k, x in good.items()]
    requests[8:8] = [
        run_request("missing", rows(1, 0), name="nothing"),
        run_request("private", rows(1, 0), name="secret", owner="bob"),
        run_request("bad-shape", np.zeros((1, 5), dtype=np.float32)),
        dlhub_pb2.RunStreamRequest(request_id="", run=requests[0].run),
    ]

    async def send() -> AsyncIterator[dlhub_pb2.RunStreamRequest]:
        for r in requests:
            yield r

    call = stream_mesh.stub.RunStream(send(), metadata=stream_mesh.md(), timeout=RPC_TIMEOUT_S)
    responses = [r async for r in call]
    trailers = dict(await call.trailing_metadata())
    assert await call.code() is grpc.StatusCode.OK

    by_id: dict[str, list[dlhub_pb2.RunStreamResponse]] = {}
    for r in responses:
        by_id.setdefault(r.request_id, []).append(r)
    assert len(responses) == len(requests)
    for key, x in good.items():
        (r,) = by_id[key]
        assert not r.HasField("error"), r.error
        assert r.task.state == tasks_pb2.TASK_STATE_SUCCEEDED
        np.testing.assert_allclose(tensor_to_array(r.task.outputs[0]), tiny.expected(x), rtol=1e-5)
    # the stream's requests were in flight together, so the executor batched them
    sizes = [by_id[k][0].task.timings.batch_size for k in good]
    assert max(sizes) > 1, sizes
    assert by_id["missing"][0].error.code == "NOT_FOUND"
    assert by_id["private"][0].error.code == "NOT_FOUND"
    assert by_id["private"][0].error.message.replace("bob/secret", "?") == by_id["missing"][
        0
    ].error.message.replace("alice/nothing", "?")
    assert by_id["bad-shape"][0].error.code == "INVALID_ARGUMENT"
    assert by_id[""][0].error.code == "INVALID_ARGUMENT"
    assert "request_id" in by_id[""][0].error.message
    assert trailers["dlhub-stream-requests"] == str(len(requests))
    assert trailers["dlhub-stream-errors"] == "4"
    ok = REGISTRY.get_sample_value("dlhub_stream_requests_total", {"api": "dlhub", "outcome": "ok"})
    assert ok is not None
    assert ok >= len(good)


async def test_oip_stream_over_the_async_stub_keeps_ids_and_counts(
    stream_mesh: Mesh, tiny: TinyModel
) -> None:
    xs = {f"q{i}": rows(2, i) for i in range(6)}

    async def send() -> AsyncIterator[oip.ModelInferRequest]:
        for rid, x in xs.items():
            request = oip.ModelInferRequest(model_name="alice.tiny", id=rid)
            request.inputs.add(name="X", datatype="FP32", shape=list(x.shape))
            request.raw_input_contents.append(x.tobytes())
            yield request
        yield oip.ModelInferRequest(model_name="alice/nothing", id="gone")

    call = stream_mesh.oip.ModelStreamInfer(send(), metadata=stream_mesh.md(), timeout=30)
    got = [r async for r in call]
    trailers = dict(await call.trailing_metadata())
    errors = [r for r in got if r.error_message]
    assert [r.infer_response.id for r in errors] == ["gone"]
    assert errors[0].error_message.startswith("NOT_FOUND: ")
    assert errors[0].error_message.endswith("(request id 'gone')")
    for r in got:
        if not r.error_message:
            out = r.infer_response
            y = from_raw(out.outputs[0].datatype, out.outputs[0].shape, out.raw_output_contents[0])
            np.testing.assert_allclose(y, tiny.expected(xs[out.id]), rtol=1e-5)
    assert sorted(r.infer_response.id for r in got) == sorted([*xs, "gone"])
    assert (trailers["dlhub-stream-requests"], trailers["dlhub-stream-errors"]) == ("7", "1")


# ---------------------------------------------------------------- flow control

BIG_ROWS = 40_000  # 640 KB in, 480 KB out: a few responses fill gRPC's window
MAX_IN_FLIGHT = 4


def dropped(api: str) -> float:
    value = REGISTRY.get_sample_value(
        "dlhub_streams_total", {"api": api, "how": "dropped_slow_reader"}
    )
    return value or 0.0


async def test_a_client_that_stops_reading_is_dropped_and_other_streams_go_on(
    tmp_path: Path, tiny: TinyModel, hermetic_env: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="dlhub.gateway.streams")
    async with running_mesh(
        tmp_path,
        tiny,
        cache={"enabled": False},
        gateway={"stream_max_in_flight": MAX_IN_FLIGHT, "stream_write_timeout_s": 2.0},
    ) as mesh:
        await mesh.publish(TinyModel.metadata("tiny"), {"model.onnx": tiny.data})
        big = rows(BIG_ROWS, 1)
        sent = 0

        async def flood() -> AsyncIterator[oip.ModelInferRequest]:
            nonlocal sent
            for i in range(200):
                request = oip.ModelInferRequest(model_name="alice.tiny", id=f"big-{i}")
                request.inputs.add(name="X", datatype="FP32", shape=list(big.shape))
                request.raw_input_contents.append(big.tobytes())
                sent += 1
                yield request

        before = dropped("oip")
        # the stalled client and the healthy one are different connections
        stalled_channel = grpc.aio.insecure_channel(
            mesh.grpc_address, options=channel_options(64 * MiB)
        )
        try:
            stalled = open_inference_pb2_grpc.GRPCInferenceServiceStub(
                stalled_channel
            ).ModelStreamInfer(flood(), metadata=mesh.md(), timeout=60)
            started = time.monotonic()
            # never read `stalled`; meanwhile another stream runs to its end
            healthy = [
                r
                async for r in mesh.stub.RunStream(
                    (run_request(f"h{i}", rows(1, i)) async for i in _count(20)),
                    metadata=mesh.md(),
                    timeout=30,
                )
            ]
            assert len(healthy) == 20
            assert not any(r.HasField("error") for r in healthy)
            await _until(lambda: dropped("oip") > before, 20)
            assert time.monotonic() - started >= 2.0
            # reading the server paused: far fewer requests left the client than it had
            assert sent < 60, sent
            with pytest.raises(grpc.aio.AioRpcError) as info:
                await asyncio.wait_for(_read_all(stalled), 20)
            if info.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED:
                assert "stream dropped" in (info.value.details() or "")
                assert "gateway.stream_write_timeout_s" in (info.value.details() or "")
                # the gateway held at most MAX_IN_FLIGHT of them (run, or waiting to be written)
                details = error_from_rpc(info.value).details
                assert 0 < details["in_flight"] <= MAX_IN_FLIGHT, details
                assert details["requests"] <= sent, details
            else:
                # grpc's client can fail its own pending send (blocked by flow
                # control) before it reads the status: "Internal error from Core"
                assert info.value.code() is grpc.StatusCode.INTERNAL, info.value
                assert "execute_batch" in (info.value.debug_error_string() or ""), info.value
            # the gateway's own account of the drop, whatever the client saw
            [ended] = [r for r in caplog.records if "dropped_slow_reader" in r.getMessage()]
            _api, _id, _how, requests, _errors, written = ended.args  # type: ignore[misc]
            assert 0 < requests - written <= MAX_IN_FLIGHT, ended.getMessage()
            assert requests <= sent
        finally:
            await stalled_channel.close()
        open_now = REGISTRY.get_sample_value("dlhub_streams_open", {"api": "oip"})
        assert open_now == 0.0


async def _read_all(call: Any) -> None:
    async for _ in call:
        pass


async def _until(condition: Any, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.1)


async def _count(n: int) -> AsyncIterator[int]:
    for i in range(n):
        yield i


# ---------------------------------------------------------------- the SDK


def sdk_stream(mesh: Mesh, items: list[Any], **kwargs: Any) -> list[Any]:
    with DLHubClient(mesh.grpc_address, mesh.token) as client:
        return list(client.run_stream("alice/tiny", iter(items), **kwargs))


async def test_sdk_run_stream_yields_results_with_ids_and_errors_as_objects(
    stream_mesh: Mesh, tiny: TinyModel
) -> None:
    xs = [rows(1 + i % 2, i) for i in range(10)]
    items: list[Any] = [*xs[:5], np.zeros((1, 5), dtype=np.float32), *xs[5:]]
    unordered = await asyncio.to_thread(sdk_stream, stream_mesh, items)
    assert sorted(r.index for r in unordered) == list(range(len(items)))
    for r in unordered:
        if r.index == 5:
            assert not r.ok
            assert isinstance(r.error, InvalidArgument)
            with pytest.raises(InvalidArgument):
                r.value()
            continue
        assert r.ok
        assert r.id == str(r.index)
        x = items[r.index]
        np.testing.assert_allclose(r.outputs["Y"], tiny.expected(x), rtol=1e-5)
        assert r.task_id

    ordered = await asyncio.to_thread(sdk_stream, stream_mesh, items, ordered=True)
    assert [r.index for r in ordered] == list(range(len(items)))
    named = await asyncio.to_thread(
        sdk_stream, stream_mesh, [StreamItem("frame-a", xs[0]), StreamItem("frame-b", xs[1])]
    )
    assert sorted(r.id for r in named) == ["frame-a", "frame-b"]

    twice = await asyncio.to_thread(
        sdk_stream,
        stream_mesh,
        [StreamItem("same", xs[0]), StreamItem("same", xs[1])],
        ordered=True,
    )
    assert [r.ok for r in twice] == [True, False]
    assert isinstance(twice[1].error, InvalidArgument)
    assert "'same'" in str(twice[1].error)

    def lazily() -> tuple[int, int]:
        pulled = 0

        def source() -> Any:
            nonlocal pulled
            for x in xs * 4:
                pulled += 1
                yield x

        with DLHubClient(stream_mesh.grpc_address, stream_mesh.token) as client:
            results = client.run_stream("alice/tiny", source(), window=3)
            next(results)
            time.sleep(0.5)  # room for the sender to run ahead, if it would
            ahead = pulled
            return ahead, 1 + len(list(results))

    ahead, total = await asyncio.to_thread(lazily)
    assert ahead <= 3 + 2, ahead  # the window, one taken, one waiting for a slot
    assert total == len(xs) * 4

    def other_users_private() -> list[Any]:
        with DLHubClient(stream_mesh.grpc_address, stream_mesh.token) as client:
            return list(client.run_stream("bob/secret", iter(xs)))

    with pytest.raises(NotFound):
        await asyncio.to_thread(other_users_private)


async def test_rate_limits_refuse_single_requests_of_a_stream_not_the_stream(
    tmp_path: Path, tiny: TinyModel, hermetic_env: None
) -> None:
    async with running_mesh(
        tmp_path,
        tiny,
        gateway={"rate_limit_per_s": 0.01, "rate_burst": 6},
    ) as mesh:
        await mesh.publish(TinyModel.metadata("tiny"), {"model.onnx": tiny.data})
        # publish took one token of the burst, the stream itself another
        call = mesh.stub.RunStream(
            (run_request(f"r{i}", rows(1, i)) async for i in _count(8)),
            metadata=mesh.md(),
            timeout=30,
        )
        got = [r async for r in call]
        assert await call.code() is grpc.StatusCode.OK
        refused = [r for r in got if r.error.code == "OVERLOADED"]
        ran = [r for r in got if not r.HasField("error")]
        assert len(got) == 8
        assert len(ran) == 4, [r.error.message for r in got]
        assert len(refused) == 4
        assert "retry_after_s" in json.loads(refused[0].error.details_json)


async def test_a_client_that_cancels_ends_its_stream_on_the_gateway(
    stream_mesh: Mesh,
) -> None:
    opened = REGISTRY.get_sample_value("dlhub_streams_open", {"api": "dlhub"}) or 0.0
    broken_before = _broken()

    async def endless() -> AsyncIterator[dlhub_pb2.RunStreamRequest]:
        i = 0
        while True:
            yield run_request(f"e{i}", rows(1, i))
            i += 1
            await asyncio.sleep(0.001)

    call = stream_mesh.stub.RunStream(endless(), metadata=stream_mesh.md(), timeout=30)
    first = await call.read()
    assert not first.HasField("error")
    call.cancel()
    await _until(
        lambda: REGISTRY.get_sample_value("dlhub_streams_open", {"api": "dlhub"}) == opened, 10
    )
    assert _broken() == broken_before + 1


def _broken() -> float:
    labels = {"api": "dlhub", "how": "broken"}
    return REGISTRY.get_sample_value("dlhub_streams_total", labels) or 0.0
