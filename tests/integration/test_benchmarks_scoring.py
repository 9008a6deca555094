"""Scoring servables on benchmarks and ranking them, through the in-process mesh.

Scores are checked against scikit-learn's metrics computed by hand on the
predictions the same models return to an ordinary run.
"""

from __future__ import annotations

import asyncio

import grpc
import numpy as np
import pytest
from sklearn.metrics import mean_absolute_error, r2_score

import dlhub_taskmanager.main as taskmanager_main
from dlhub_common._proto.dlhub.v1 import benchmarks_pb2, types_pb2
from dlhub_common.codec import tensor_to_array
from dlhub_common.errors import NotFound, Unauthenticated
from dlhub_common.identity import Principal, current_principal
from dlhub_common.internal_auth import InternalSigner
from dlhub_common.remote import RemoteTasks, open_channel
from dlhub_common.rpc.server import GrpcServer
from dlhub_common.settings import MiB
from tests.benchmark_support import benchmark_metadata, linear_onnx, tensor_files

from .conftest import RPC_TIMEOUT_S, Mesh, TinyModel

N = 50
X = np.random.default_rng(0).standard_normal((N, 4)).astype(np.float32)


def ref(name: str, owner: str = "alice", version: int = 0) -> types_pb2.ServableRef:
    return types_pb2.ServableRef(owner=owner, name=name, version=version)


async def score(
    mesh: Mesh, bench: str, servable: str | None = None, *, owner: str = "alice", token=None, **kw
) -> benchmarks_pb2.ScoreBenchmarkResponse:
    request = benchmarks_pb2.ScoreBenchmarkRequest(benchmark=ref(bench), timeout_s=60, **kw)
    if servable is not None:
        request.servable.CopyFrom(ref(servable, owner))
    md = mesh.md() if token is None else mesh.md(token)
    return await mesh.stub.ScoreBenchmark(request, metadata=md, timeout=RPC_TIMEOUT_S + 40)


async def board(mesh: Mesh, bench: str, **kw) -> benchmarks_pb2.GetLeaderboardResponse:
    return await mesh.stub.GetLeaderboard(
        benchmarks_pb2.GetLeaderboardRequest(benchmark=ref(bench)),
        metadata=mesh.md(**kw),
        timeout=RPC_TIMEOUT_S,
    )


async def predicted(mesh: Mesh, name: str, owner: str = "alice", **kw) -> np.ndarray:
    """The model's predictions for X from an ordinary run."""
    task = await mesh.run(name, {"X": X}, owner=owner, **kw)
    (out,) = task.outputs
    return tensor_to_array(out)


async def settled_task_count(mesh: Mesh, expected: int) -> int:
    """Tasks recorded once ``expected`` are (records are written behind their callers)."""
    async with asyncio.timeout(10):
        while True:
            await mesh.gateway.oip.tasks.core.records.flush()
            count = await mesh.task_count()
            if count >= expected:
                return count
            await asyncio.sleep(0.02)


@pytest.fixture
def truth(tiny: TinyModel) -> np.ndarray:
    """References: the tiny model's outputs plus noise, so every model has an error."""
    noise = np.random.default_rng(2).standard_normal((N, 3)).astype(np.float32)
    return tiny.expected(X) + noise


async def test_score_equals_sklearn_and_is_never_repeated(
    mesh: Mesh, tiny: TinyModel, truth: np.ndarray
) -> None:
    await mesh.publish(tiny.metadata("tiny"), {"model.onnx": tiny.data})
    await mesh.publish(benchmark_metadata("mae", batch_size=16), tensor_files({"X": X}, truth))
    await mesh.publish(benchmark_metadata("r2", metric="r2"), tensor_files({"X": X}, truth))

    first = await score(mesh, "mae", "tiny")
    (outcome,) = first.outcomes
    assert not outcome.HasField("error")
    assert not outcome.already_scored
    got = outcome.score
    by_hand = mean_absolute_error(truth, await predicted(mesh, "tiny"))
    assert got.value == pytest.approx(by_hand, rel=1e-6)
    assert (got.metric, got.higher_is_better, got.examples) == ("mae", False, N)
    assert got.servable.digest == (await mesh.get("tiny")).servable.summary.digest
    assert got.benchmark_digest == first.benchmark.digest
    assert (got.benchmark.name, got.benchmark.version, got.scored_by) == ("mae", 1, "alice")

    # the same digest pair again: the stored score, and nothing runs
    # 4 batches of up to 16 examples, and the run by hand
    tasks_before = await settled_task_count(mesh, 5)
    again = await score(mesh, "mae", "tiny")
    (second,) = again.outcomes
    assert second.already_scored
    assert tasks_before == 5
    assert second.score.value == got.value
    assert second.score.scored_at == got.scored_at
    assert await settled_task_count(mesh, tasks_before) == tasks_before
    docs = await mesh.backends.documents()
    assert await docs.count("benchmark_scores") == 1

    r2 = (await score(mesh, "r2", "tiny")).outcomes[0].score
    assert r2.value == pytest.approx(r2_score(truth, await predicted(mesh, "tiny")), rel=1e-6)


async def test_leaderboard_orders_by_the_metric_direction(
    mesh: Mesh, tiny: TinyModel, tiny_v2: TinyModel, truth: np.ndarray
) -> None:
    await mesh.publish(tiny.metadata("good", title="Good model"), {"model.onnx": tiny.data})
    await mesh.publish(tiny_v2.metadata("bad", title="Bad model"), {"model.onnx": tiny_v2.data})
    files = tensor_files({"X": X}, truth)
    await mesh.publish(benchmark_metadata("mae"), files)
    await mesh.publish(benchmark_metadata("r2", metric="r2"), files)
    for bench in ("mae", "r2"):
        for name in ("bad", "good"):  # the worse one first: order is not arrival order
            await score(mesh, bench, name)

    mae = await board(mesh, "mae")
    assert (mae.metric, mae.higher_is_better) == ("mae", False)
    assert [e.servable.name for e in mae.entries] == ["good", "bad"]
    assert [e.rank for e in mae.entries] == [1, 2]
    assert mae.entries[0].value < mae.entries[1].value
    top = mae.entries[0].servable
    assert (top.title, list(top.authors), top.version) == ("Good model", ["Tester, Alice"], 1)

    r2 = await board(mesh, "r2")
    assert r2.higher_is_better
    assert [e.servable.name for e in r2.entries] == ["good", "bad"]
    assert r2.entries[0].value > r2.entries[1].value


async def test_private_competitor_is_hidden_from_others(
    mesh: Mesh, tiny: TinyModel, tiny_v2: TinyModel, truth: np.ndarray
) -> None:
    await mesh.publish(tiny_v2.metadata("public-one"), {"model.onnx": tiny_v2.data})
    await mesh.publish(benchmark_metadata("mae"), tensor_files({"X": X}, truth))
    bob_md = tiny.metadata("secret", visible_to=["bob"])
    await mesh.publish(bob_md, {"model.onnx": tiny.data}, token=mesh.bob_token)
    await score(mesh, "mae", "public-one")
    await score(mesh, "mae", "secret", owner="bob", token=mesh.bob_token)

    bob = await board(mesh, "mae", token=mesh.bob_token)
    assert [(e.servable.owner, e.servable.name, e.rank) for e in bob.entries] == [
        ("bob", "secret", 1),
        ("alice", "public-one", 2),
    ]
    for who in ({}, {"token": None}):  # alice, and an anonymous caller
        seen = await board(mesh, "mae", **who)
        assert [(e.servable.name, e.rank) for e in seen.entries] == [("public-one", 1)]
        assert "secret" not in str(seen)
    # alice may not score (or learn of) bob's private servable
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await score(mesh, "mae", "secret", owner="bob")
    assert info.value.code() is grpc.StatusCode.NOT_FOUND


async def test_all_scores_only_fitting_servables(
    mesh: Mesh, tiny: TinyModel, tiny_v2: TinyModel, truth: np.ndarray
) -> None:
    await mesh.publish(tiny.metadata("fits-a"), {"model.onnx": tiny.data})
    await mesh.publish(tiny_v2.metadata("fits-b"), {"model.onnx": tiny_v2.data})
    w5 = np.ones((5, 3), np.float32)
    wide = tiny.metadata("five-inputs", input_shape=[None, 5])
    await mesh.publish(wide, {"model.onnx": linear_onnx(w5, np.zeros(3, np.float32))})
    renamed = tiny.metadata("other-output")
    renamed["servable"]["methods"]["run"]["output"]["properties"] = {
        "Z": renamed["servable"]["methods"]["run"]["output"]["properties"]["Y"]
    }
    await mesh.publish(renamed, {"model.onnx": _renamed_output(tiny)})
    await mesh.publish(
        tiny.metadata("bobs", visible_to=["bob"]), {"model.onnx": tiny.data}, token=mesh.bob_token
    )
    await mesh.publish(benchmark_metadata("mae"), tensor_files({"X": X}, truth))

    result = await score(mesh, "mae", all=True)
    scored = {o.servable.name: o for o in result.outcomes}
    assert set(scored) == {"fits-a", "fits-b"}
    assert all(o.score.value > 0 and not o.HasField("error") for o in scored.values())
    skipped = {s.servable.name: s.reason for s in result.skipped}
    assert set(skipped) == {"five-inputs", "other-output"}  # bob's is not alice's to see
    assert "input 'X' has shape [-1, 5], the benchmark sends [-1, 4]" in skipped["five-inputs"]
    assert "no output 'Y'" in skipped["other-output"]
    # scoring all again runs nothing new
    again = await score(mesh, "mae", all=True)
    assert all(o.already_scored for o in again.outcomes)


def _renamed_output(tiny: TinyModel) -> bytes:
    import onnx

    model = onnx.load_from_string(tiny.data)
    for node in model.graph.node:
        node.output[:] = ["Z" if o == "Y" else o for o in node.output]
    model.graph.output[0].name = "Z"
    return model.SerializeToString()


async def test_bad_score_requests_are_named(mesh: Mesh, tiny: TinyModel, truth: np.ndarray) -> None:
    await mesh.publish(tiny.metadata("tiny"), {"model.onnx": tiny.data})
    w5 = np.ones((5, 3), np.float32)
    await mesh.publish(
        tiny.metadata("wide", input_shape=[None, 5]),
        {"model.onnx": linear_onnx(w5, np.zeros(3, np.float32))},
    )
    await mesh.publish(benchmark_metadata("mae"), tensor_files({"X": X}, truth))
    cases = [
        (
            ("mae", "wide"),
            {},
            grpc.StatusCode.INVALID_ARGUMENT,
            "alice/wide:1 does not fit benchmark alice/mae:1: input 'X' has shape [-1, 5]",
        ),
        (("mae", "nope"), {}, grpc.StatusCode.NOT_FOUND, "nope"),
        (("nope", "tiny"), {}, grpc.StatusCode.NOT_FOUND, "nope"),
        (
            ("tiny", "tiny"),
            {},
            grpc.StatusCode.INVALID_ARGUMENT,
            "alice/tiny:1 is not a benchmark (it is a onnx servable)",
        ),
        (("mae", "tiny"), {"all": True}, grpc.StatusCode.INVALID_ARGUMENT, "not both"),
        (("mae", None), {}, grpc.StatusCode.INVALID_ARGUMENT, "or set all"),
    ]
    for (bench, servable), kw, code, words in cases:
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await score(mesh, bench, servable, **kw)
        assert info.value.code() is code, info.value.details()
        assert words in (info.value.details() or "")
    with pytest.raises(grpc.aio.AioRpcError) as info:  # anonymous
        await mesh.stub.ScoreBenchmark(
            benchmarks_pb2.ScoreBenchmarkRequest(benchmark=ref("mae"), servable=ref("tiny")),
            metadata=mesh.md(None),
            timeout=RPC_TIMEOUT_S,
        )
    assert info.value.code() is grpc.StatusCode.UNAUTHENTICATED
    assert "scoring needs a token" in (info.value.details() or "")
    assert await (await mesh.backends.documents()).count("benchmark_scores") == 0


async def test_over_the_task_service_grpc(
    mesh: Mesh, tiny: TinyModel, tiny_v2: TinyModel, truth: np.ndarray
) -> None:
    """Distributed mode's hop: RemoteTasks -> TaskService -> the task manager, the
    caller's principal in the signed internal token deciding what they may see."""
    await mesh.publish(benchmark_metadata("mae"), tensor_files({"X": X}, truth))
    await mesh.publish(tiny.metadata("open"), {"model.onnx": tiny.data})
    hidden = tiny_v2.metadata("hidden", visible_to=["bob"])
    await mesh.publish(hidden, {"model.onnx": tiny_v2.data}, token=mesh.bob_token)
    signer = InternalSigner(b"test-secret-0123456789")
    server = GrpcServer("taskmanager", max_message_bytes=MiB, authenticate=signer.authenticate)
    taskmanager_main.register(server, mesh.gateway.oip.tasks)
    port = await server.start("127.0.0.1", 0)
    channel = open_channel(f"127.0.0.1:{port}", MiB)
    remote = RemoteTasks(channel, signer)
    request = benchmarks_pb2.ScoreBenchmarkRequest(benchmark=ref("mae"), all=True, timeout_s=60)
    leaderboard = benchmarks_pb2.GetLeaderboardRequest(benchmark=ref("mae"))
    try:
        as_bob = current_principal.set(Principal("bob"))
        try:
            scored = await remote.score_benchmark(request)
            bobs = await remote.get_leaderboard(leaderboard)
        finally:
            current_principal.reset(as_bob)
        assert {o.servable.name for o in scored.outcomes} == {"open", "hidden"}
        assert {o.score.scored_by for o in scored.outcomes} == {"bob"}
        assert sorted(e.servable.name for e in bobs.entries) == ["hidden", "open"]
        as_alice = current_principal.set(Principal("alice"))
        try:
            alices = await remote.get_leaderboard(leaderboard)
            with pytest.raises(NotFound):
                await remote.score_benchmark(
                    benchmarks_pb2.ScoreBenchmarkRequest(
                        benchmark=ref("mae"), servable=ref("hidden", "bob")
                    )
                )
        finally:
            current_principal.reset(as_alice)
        assert [(e.servable.name, e.rank) for e in alices.entries] == [("open", 1)]
        with pytest.raises(Unauthenticated):
            await remote.score_benchmark(request)  # anonymous
    finally:
        await channel.close()
        await server.stop(0)


async def test_two_requests_at_once_score_once(
    mesh: Mesh, tiny: TinyModel, truth: np.ndarray
) -> None:
    await mesh.publish(tiny.metadata("tiny"), {"model.onnx": tiny.data})
    await mesh.publish(benchmark_metadata("mae", batch_size=10), tensor_files({"X": X}, truth))
    first, second = await asyncio.gather(score(mesh, "mae", "tiny"), score(mesh, "mae", "tiny"))
    outcomes = [first.outcomes[0], second.outcomes[0]]
    assert sorted(o.already_scored for o in outcomes) == [False, True]
    assert outcomes[0].score.scored_at == outcomes[1].score.scored_at
    assert await settled_task_count(mesh, 5) == 5  # the 5 batches ran once
