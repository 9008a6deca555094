"""Stream bindings in embedded mode: the in-process bus fed by the ingest endpoint.

A binding of the tiny model (Y = X @ W + B, X float32 [N, 4]) is created
over HTTP; frames are posted to ``/api/v1/streams/{topic}/frames`` as
``.npy``, raw bytes with dtype/shape headers and JSON, with a poison frame in
between; the results come back from ``/api/v1/streams/{topic}/results``, in
order, keyed by frame id, and the poison frame is on the dead-letter topic
with its reason. Access and bad-input cases are checked too.
"""

from __future__ import annotations

import asyncio
import io
import json
import uuid
from typing import Any

import numpy as np
import pytest

from dlhub_sdk.cli import main as cli_main
from tests.integration.conftest import Mesh, TinyModel

STREAM_POLL_S = 0.2


async def _bind(mesh: Mesh, name: str, topic: str, output: str, **extra: Any) -> Any:
    return await mesh.http.post(
        "/api/v1/streams/bindings",
        json={"topic": topic, "servable": f"alice/{name}", "output_topic": output, **extra},
        headers=mesh.headers(),
    )


def _npy(array: np.ndarray[Any, Any]) -> bytes:
    out = io.BytesIO()
    np.save(out, array)
    return out.getvalue()


async def _results(mesh: Mesh, output: str, count: int, timeout_s: float = 20.0) -> list[Any]:
    got: list[Any] = []
    async with asyncio.timeout(timeout_s):
        while len(got) < count:
            resp = await mesh.http.get(
                f"/api/v1/streams/{output}/results",
                params={"max": count - len(got), "timeout_s": 5},
                headers=mesh.headers(),
            )
            assert resp.status_code == 200, resp.text
            got.extend(resp.json()["results"])
    return got


async def _wait_running(mesh: Mesh, binding_id: str) -> None:
    runner = mesh.gateway.oip.tasks.core.bindings
    async with asyncio.timeout(10):
        while binding_id not in runner.streams:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        await runner.streams[binding_id].ready.wait()


async def test_embedded_binding_tags_frames_and_dead_letters_poison(
    tmp_path: Any, tiny: TinyModel, hermetic_env: None
) -> None:
    from tests.integration.conftest import running_mesh

    async with running_mesh(tmp_path, tiny, streams={"poll_s": STREAM_POLL_S}) as mesh:
        name = f"lin-{uuid.uuid4().hex[:6]}"
        await mesh.publish(TinyModel.metadata(name), {"model.onnx": tiny.data})
        topic, output = f"frames-{name}", f"tags-{name}"
        resp = await _bind(mesh, name, topic, output)
        assert resp.status_code == 201, resp.text
        binding = resp.json()
        assert binding["dead_letter_topic"] == f"{topic}.dlq"
        assert binding["creator"] == "alice"
        bus = await mesh.backends.bus()
        await bus.ensure_group([binding["dead_letter_topic"]], "test-dlq")
        await _wait_running(mesh, binding["id"])

        rng = np.random.default_rng(7)
        xs = rng.normal(size=(6, 4)).astype(np.float32)
        frames: list[tuple[str, bytes, dict[str, str]]] = [
            ("f0", _npy(xs[0]), {"content-type": "application/x-npy"}),
            ("f1", xs[1].tobytes(), {"x-dtype": "float32", "x-shape": "4"}),
            ("f2", json.dumps(xs[2].tolist()).encode(), {"content-type": "application/json"}),
            ("bad", b"\x00" * 10, {"x-dtype": "float32", "x-shape": "4"}),  # poison: 10 bytes
            ("f3", xs[3].astype(np.float64).tobytes(), {"x-dtype": "float64", "x-shape": "1,4"}),
            ("f4", _npy(xs[4].astype(np.int32)), {}),  # .npy magic, no content type; cast
        ]
        for frame_id, body, headers in frames:
            r = await mesh.http.post(
                f"/api/v1/streams/{topic}/frames",
                content=body,
                headers={**mesh.headers(), "x-frame-id": frame_id, **headers},
            )
            assert r.status_code == 202, r.text
            assert r.json()["frame_id"] == frame_id

        results = await _results(mesh, output, 5)
        assert [r["frame_id"] for r in results] == ["f0", "f1", "f2", "f3", "f4"]  # in order
        expected = {
            "f0": xs[0],
            "f1": xs[1],
            "f2": xs[2],
            "f3": xs[3],
            "f4": xs[4].astype(np.int32).astype(np.float32),
        }
        for r in results:
            y = np.asarray(r["result"]["outputs"]["Y"], dtype=np.float32)
            np.testing.assert_allclose(
                y[0], tiny.expected(expected[r["frame_id"]][None])[0], rtol=1e-5
            )
            assert r["headers"]["dlhub-servable"] == f"alice/{name}:1"
            assert r["headers"]["dlhub-digest"].startswith("sha256:")
            assert float(r["headers"]["dlhub-total-ms"]) > 0
            assert int(r["headers"]["dlhub-batch-size"]) >= 1

        sub = bus.subscribe([binding["dead_letter_topic"]], "test-dlq")
        async with sub:
            async with asyncio.timeout(10):
                dead = await anext(aiter(sub))
            await dead.ack()
        assert dead.key == "bad"
        assert dead.value == b"\x00" * 10  # the frame as it came
        reason = dead.headers["dlhub-error-reason"].decode()
        assert "payload of 10 bytes does not match shape [4] of float32 (16 bytes)" in reason

        # the dead letter reads back over HTTP too, from the dead-letter topic
        [letter] = await _results(mesh, binding["dead_letter_topic"], 1)
        assert letter["frame_id"] == "bad"
        assert letter["headers"]["dlhub-error-code"] == "INVALID_ARGUMENT"
        assert letter["result"] is None

        # unbinding stops the stream: frames posted afterwards are refused
        r = await mesh.http.delete(
            f"/api/v1/streams/bindings/{binding['id']}", headers=mesh.headers()
        )
        assert r.status_code == 200, r.text
        r = await mesh.http.post(
            f"/api/v1/streams/{topic}/frames", content=_npy(xs[5]), headers=mesh.headers()
        )
        assert r.status_code == 404, r.text
        runner = mesh.gateway.oip.tasks.core.bindings
        async with asyncio.timeout(10):
            while binding["id"] in runner.streams:  # noqa: ASYNC110
                await asyncio.sleep(0.05)


async def test_binding_access_and_bad_requests(mesh: Mesh) -> None:
    name = f"priv-{uuid.uuid4().hex[:6]}"
    await mesh.publish(
        TinyModel.metadata(name, visible_to=["alice"]), {"model.onnx": mesh.model.data}
    )
    topic = f"in-{name}"

    anonymous = await mesh.http.post(
        "/api/v1/streams/bindings",
        json={"topic": topic, "servable": f"alice/{name}", "output_topic": "out"},
    )
    assert anonymous.status_code == 401, anonymous.text

    bob = await mesh.http.post(
        "/api/v1/streams/bindings",
        json={"topic": topic, "servable": f"alice/{name}", "output_topic": "out"},
        headers=mesh.headers(mesh.bob_token),
    )
    assert bob.status_code == 404, bob.text  # bob may not see (so not run) it
    assert f"alice/{name}" in bob.json()["error"]

    bad = await _bind(mesh, name, "dlhub.tasks", topic, dead_letter_topic=topic)
    assert bad.status_code == 400, bad.text
    message = bad.json()["error"]
    assert "reserved" in message
    assert "three different topics" in message

    bad = await _bind(mesh, name, "in put", "out", max_in_flight=2000)
    assert bad.status_code == 400, bad.text  # the body model bounds max_in_flight first

    bad = await _bind(mesh, name, "in put", "out")
    assert bad.status_code == 400
    assert "not a valid topic name" in bad.json()["error"]

    bad = await _bind(mesh, name, topic, "out", input="nope")
    assert bad.status_code == 409, bad.text  # FAILED_PRECONDITION
    assert "no input 'nope'" in bad.json()["error"]

    ok = await _bind(mesh, name, topic, f"out-{name}")
    assert ok.status_code == 201, ok.text
    again = await _bind(mesh, name, topic, f"out-{name}")
    assert again.status_code == 409, again.text

    # topics of alice's binding are hers: bob may not feed or read them through his own
    public = f"pub-{name}"
    await mesh.publish(TinyModel.metadata(public), {"model.onnx": mesh.model.data})
    for topics in ((f"out-{name}", "bob-out"), ("bob-in", topic), ("bob-in2", f"{topic}.dlq")):
        taken = await mesh.http.post(
            "/api/v1/streams/bindings",
            json={"topic": topics[0], "servable": f"alice/{public}", "output_topic": topics[1]},
            headers=mesh.headers(mesh.bob_token),
        )
        assert taken.status_code == 403, taken.text
        assert "belongs to another user's stream binding" in taken.json()["error"]
    # alice may chain her own bindings: her output feeds her next binding
    chained = await _bind(mesh, public, f"out-{name}", f"final-{name}")
    assert chained.status_code == 201, chained.text
    await mesh.http.delete(
        f"/api/v1/streams/bindings/{chained.json()['id']}", headers=mesh.headers()
    )

    listed = await mesh.http.get("/api/v1/streams/bindings", headers=mesh.headers())
    assert [b["id"] for b in listed.json()["bindings"]] == [ok.json()["id"]]
    assert (
        await mesh.http.get("/api/v1/streams/bindings", headers=mesh.headers(mesh.bob_token))
    ).json()["bindings"] == []
    everyone = await mesh.http.get(
        "/api/v1/streams/bindings", params={"all": "true"}, headers=mesh.headers(mesh.bob_token)
    )
    assert everyone.status_code == 403, everyone.text

    # bob can neither feed alice's topic, read her results, nor unbind her binding
    feed = await mesh.http.post(
        f"/api/v1/streams/{topic}/frames", content=b"x", headers=mesh.headers(mesh.bob_token)
    )
    assert feed.status_code == 404, feed.text
    read = await mesh.http.get(
        f"/api/v1/streams/out-{name}/results",
        params={"timeout_s": 0},
        headers=mesh.headers(mesh.bob_token),
    )
    assert read.status_code == 404, read.text
    gone = await mesh.http.delete(
        f"/api/v1/streams/bindings/{ok.json()['id']}", headers=mesh.headers(mesh.bob_token)
    )
    assert gone.status_code == 404, gone.text
    empty = await mesh.http.post(f"/api/v1/streams/{topic}/frames", headers=mesh.headers())
    assert empty.status_code == 400
    assert "needs a body" in empty.json()["error"]


async def test_stream_cli_bind_list_unbind(mesh: Mesh, capsys: pytest.CaptureFixture[str]) -> None:
    name = f"cli-{uuid.uuid4().hex[:6]}"
    await mesh.publish(TinyModel.metadata(name), {"model.onnx": mesh.model.data})
    conn = ["--address", mesh.grpc_address, "--token", mesh.token, "--json"]

    def cli(*argv: str) -> tuple[int, Any]:
        code = cli_main(["stream", *argv, *conn])
        out = capsys.readouterr()
        return code, json.loads(out.out) if code == 0 else out.err

    code, bound = await asyncio.to_thread(
        cli,
        "bind",
        "--topic",
        "detector.frames",
        "--servable",
        f"alice/{name}",
        "--output",
        "detector.tags",
        "--key-field",
        "shot",
    )
    assert code == 0, bound
    assert bound["key_field"] == "shot"
    assert bound["dead_letter_topic"] == "detector.frames.dlq"
    code, listed = await asyncio.to_thread(cli, "list")
    assert [b["id"] for b in listed] == [bound["id"]]
    code, err = await asyncio.to_thread(
        cli, "bind", "--topic", "x", "--servable", "alice/missing", "--output", "y"
    )
    assert code != 0
    assert "NOT_FOUND" in err
    code, removed = await asyncio.to_thread(cli, "unbind", bound["id"])
    assert removed["id"] == bound["id"]
    code, listed = await asyncio.to_thread(cli, "list")
    assert listed == []
