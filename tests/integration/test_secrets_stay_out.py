"""No token in logs, traces, metrics or error messages (issue 9, "any request").

A mesh logging at DEBUG, with every span kept, serves a mix of calls made
with a valid token, a revoked one, an expired one, a malformed header and an
unknown token, over gRPC and HTTP; then no log record, span name, attribute
or event, metrics line, response body or header holds any of the tokens or
their secret part.
"""

from __future__ import annotations

import asyncio
import json
import logging

import grpc
import numpy as np
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from dlhub_common._proto.dlhub.v1 import registry_pb2, search_pb2, types_pb2
from dlhub_common.accounts import LocalAccounts

from .conftest import RPC_TIMEOUT_S, Mesh, TinyModel, span_texts

X = np.ones((1, 4), np.float32)
PATHS = ("/api/v1/servables/alice/tiny", "/api/v1/search?q=tiny", "/v2/models/alice.tiny")


async def test_no_token_reaches_logs_traces_metrics_or_answers(
    mesh: Mesh, tiny: TinyModel, spans: InMemorySpanExporter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    spans.clear()
    accounts = LocalAccounts(mesh.settings.tokens_file)  # type: ignore[arg-type]
    revoked, info = accounts.create_token("bob", description="to revoke")
    accounts.revoke(info.id)
    expired, _ = accounts.create_token("bob", expires_in_s=1)
    await asyncio.sleep(2.05)  # expiry is stored rounded up to the second
    unknown = "dlh_" + "Z" * 43
    tokens = {"valid": mesh.token, "bob": mesh.bob_token, "revoked": revoked}
    tokens |= {"expired": expired, "unknown": unknown}
    answers: list[str] = []

    await mesh.publish(tiny.metadata("tiny", visible_to=["alice"]), {"model.onnx": tiny.data})
    ref = types_pb2.ServableRef(owner="alice", name="tiny")
    for token in tokens.values():
        for call in (
            mesh.stub.Search(search_pb2.SearchRequest(query="tiny"), metadata=mesh.md(token)),
            mesh.stub.GetServable(
                registry_pb2.GetServableRequest(ref=ref), metadata=mesh.md(token)
            ),
            mesh.run("tiny", {"X": X}, token=token),
        ):
            try:
                answers.append(str(await asyncio.wait_for(call, RPC_TIMEOUT_S)))
            except grpc.aio.AioRpcError as exc:
                answers.append(f"{exc.details()} {exc.trailing_metadata()!r}")
        for path in PATHS:
            resp = await mesh.http.get(path, headers=mesh.headers(token))
            answers.append(resp.text + json.dumps(dict(resp.headers)))
    # malformed headers, with a token-looking value inside
    for value in (f"Basic {mesh.token}", f"Bearer {mesh.token} extra", mesh.token):
        resp = await mesh.http.get("/api/v1/search", headers={"authorization": value})
        assert resp.status_code == 401, (value[:6], resp.status_code)
        answers.append(resp.text + json.dumps(dict(resp.headers)))
    metrics = (await mesh.http.get("/metrics")).text
    everything = {
        "logs": caplog.text,
        "spans": span_texts(spans),
        "metrics": metrics,
        "answers": "\n".join(answers),
    }
    assert spans.get_finished_spans(), "no spans were recorded: the check would be empty"
    assert "dlhub" in caplog.text.lower() or caplog.records, "nothing was logged"
    for what, token in tokens.items():
        secret = token.removeprefix("dlh_")
        for where, text in everything.items():
            assert secret not in text, f"the {what} token appears in the {where}"
