"""Rate limits at both public doors of the in-process mesh, with small limits.

alice's requests over HTTP, dlhub.v1 gRPC and OIP gRPC share one bucket; bob
has his own; anonymous callers are counted per client address (a second
loopback address, 127.0.0.2, is a second caller). Health, /metrics and OIP
liveness are never limited.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import httpx
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from dlhub_common._proto.dlhub.v1 import dlhub_pb2
from dlhub_common._proto.inference import open_inference_pb2 as oip
from dlhub_common.rpc.errors import ERROR_METADATA_KEY, RETRY_AFTER_KEY

from .conftest import Mesh, TinyModel, running_mesh

pytestmark = pytest.mark.timeout(60)

# One request every 2 s once the burst is spent: the test's own steps take far less.
LIMITS = {
    "rate_limit_per_s": 0.5,
    "rate_burst": 3,
    "anonymous_rate_limit_per_s": 0.5,
    "anonymous_rate_burst": 2,
}


@pytest.fixture
async def limited(tmp_path: Path, tiny: TinyModel, hermetic_env: None) -> AsyncIterator[Mesh]:
    async with running_mesh(tmp_path, tiny, gateway=LIMITS) as m:
        yield m


def assert_429(resp: httpx.Response, scope: str, setting: str) -> int:
    assert resp.status_code == 429, resp.text
    body = resp.json()
    assert body["code"] == "OVERLOADED"
    assert body["details"]["scope"] == scope
    wait = int(resp.headers["retry-after"])
    assert wait >= 1
    assert body["details"]["retry_after_s"] == wait
    assert setting in body["error"]
    return wait


async def assert_exhausted(call: grpc.aio.UnaryUnaryCall, scope: str) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call
    err = info.value
    assert err.code() is grpc.StatusCode.RESOURCE_EXHAUSTED, err.details()
    trailers = dict(err.trailing_metadata() or ())
    assert int(trailers[RETRY_AFTER_KEY]) >= 1
    payload = json.loads(trailers[ERROR_METADATA_KEY])
    assert payload["code"] == "OVERLOADED"
    assert payload["details"]["scope"] == scope


async def test_identity_limit_on_both_doors(limited: Mesh) -> None:
    mesh = limited
    for _ in range(LIMITS["rate_burst"]):
        resp = await mesh.http.get("/api/v1/whoami", headers=mesh.headers())
        assert resp.status_code == 200, resp.text
    resp = await mesh.http.get("/api/v1/whoami", headers=mesh.headers())
    wait = assert_429(resp, "rate_identity", "DLHUB_GATEWAY__RATE_LIMIT_PER_S")
    assert "'alice'" in resp.json()["error"]
    assert mesh.token not in resp.text
    assert mesh.token not in json.dumps(dict(resp.headers))
    # the same bucket on gRPC, dlhub.v1 and OIP alike
    await assert_exhausted(
        mesh.stub.WhoAmI(dlhub_pb2.WhoAmIRequest(), metadata=mesh.md(), timeout=10),
        "rate_identity",
    )
    await assert_exhausted(
        mesh.oip.ServerMetadata(oip.ServerMetadataRequest(), metadata=mesh.md(), timeout=10),
        "rate_identity",
    )
    # bob is not limited by alice's requests
    for _ in range(LIMITS["rate_burst"] - 1):
        resp = await mesh.http.get("/api/v1/whoami", headers=mesh.headers(mesh.bob_token))
        assert resp.status_code == 200, resp.text
    me = await mesh.stub.WhoAmI(
        dlhub_pb2.WhoAmIRequest(), metadata=mesh.md(mesh.bob_token), timeout=10
    )
    assert me.username == "bob"
    # health and metrics are never limited
    health = health_pb2_grpc.HealthStub(mesh.channel)
    for _ in range(10):
        assert (await mesh.http.get("/healthz")).status_code == 200
        assert (await mesh.http.get("/v2/health/live")).status_code == 200
        assert (await mesh.http.get("/metrics")).status_code == 200
        check = await health.Check(health_pb2.HealthCheckRequest(), timeout=10)
        assert check.status == health_pb2.HealthCheckResponse.SERVING
        live = await mesh.oip.ServerLive(oip.ServerLiveRequest(), metadata=mesh.md(), timeout=10)
        assert live.live
    metrics = (await mesh.http.get("/metrics")).text
    assert 'dlhub_rate_limited_total{scope="rate_identity"}' in metrics
    # after Retry-After, alice is let in again
    await asyncio.sleep(wait)
    resp = await mesh.http.get("/api/v1/whoami", headers=mesh.headers())
    assert resp.status_code == 200, resp.text
    assert resp.json()["username"] == "alice"


async def test_anonymous_limit_per_address(limited: Mesh) -> None:
    mesh = limited
    for _ in range(LIMITS["anonymous_rate_burst"]):
        resp = await mesh.http.get("/api/v1/whoami")
        assert resp.status_code == 200, resp.text
    resp = await mesh.http.get("/api/v1/whoami")
    wait = assert_429(resp, "rate_address", "DLHUB_GATEWAY__ANONYMOUS_RATE_LIMIT_PER_S")
    assert "127.0.0.1" not in resp.text
    await assert_exhausted(mesh.stub.WhoAmI(dlhub_pb2.WhoAmIRequest(), timeout=10), "rate_address")
    # a token: counted by user, not by address
    resp = await mesh.http.get("/api/v1/whoami", headers=mesh.headers())
    assert resp.status_code == 200, resp.text
    # another address has its own bucket
    transport = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
    async with httpx.AsyncClient(base_url=mesh.http_url, transport=transport) as other:
        for _ in range(LIMITS["anonymous_rate_burst"]):
            resp = await other.get("/api/v1/whoami")
            assert resp.status_code == 200, resp.text
        assert_429(
            await other.get("/api/v1/whoami"),
            "rate_address",
            "DLHUB_GATEWAY__ANONYMOUS_RATE_LIMIT_PER_S",
        )
    await asyncio.sleep(wait)
    resp = await mesh.http.get("/api/v1/whoami")
    assert resp.status_code == 200, resp.text
    assert resp.json()["anonymous"] is True
