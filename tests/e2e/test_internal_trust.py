"""Internal ports trust only signed internal tokens (issue 9: service-to-service trust).

In distributed mode the registry, search service and task manager listen on
their own ports. A process that reaches one of them must not be able to act
as someone: calls without a token, with the old ``x-dlhub-user`` header, or
with a token signed by another secret are UNAUTHENTICATED, and nothing is
done. The embedded mesh has no internal ports at all.
"""

from __future__ import annotations

import socket
from typing import Any

import grpc
import httpx
import pytest

from dlhub_common._proto.dlhub.v1 import (
    registry_pb2,
    registry_pb2_grpc,
    search_pb2,
    search_pb2_grpc,
    tasks_pb2,
    tasks_pb2_grpc,
    types_pb2,
)
from dlhub_common.identity import Principal
from dlhub_common.internal_auth import LEGACY_USER_KEY, InternalSigner
from dlhub_sdk import DLHubClient

from ._support import USERNAME, Digits, Mesh

ADMIN = frozenset({"admin"})
FORGER = InternalSigner(b"not-the-mesh-secret-at-all")


def _forgeries() -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    return [
        ("no token", ()),
        ("x-dlhub-user header", ((LEGACY_USER_KEY, USERNAME),)),
        (
            "token of another secret",
            (FORGER.metadata(Principal(USERNAME, roles=frozenset({"admin"}))),),
        ),
    ]


def _calls(channel: grpc.Channel, ref: types_pb2.ServableRef) -> dict[str, Any]:
    registry = registry_pb2_grpc.RegistryServiceStub(channel)
    search = search_pb2_grpc.SearchServiceStub(channel)
    tasks = tasks_pb2_grpc.TaskServiceStub(channel)
    return {
        "registry": [
            (
                registry.DeprecateServable,
                registry_pb2.DeprecateServableRequest(ref=ref, reason="x"),
            ),
            (registry.GetServable, registry_pb2.GetServableRequest(ref=ref)),
        ],
        "search": [(search.Search, search_pb2.SearchRequest(query="digits"))],
        "taskmanager": [
            (tasks.RunServable, tasks_pb2.RunServableRequest(servable=ref, wait=False)),
            (tasks.GetStatistics, tasks_pb2.GetStatisticsRequest()),
        ],
    }


# distributed only: the embedded mesh has no internal ports (its services are calls)
@pytest.mark.parametrize("mesh", ["distributed"], indirect=True)
def test_internal_ports_refuse_unsigned_and_forged_callers(mesh: Mesh, digits: Digits) -> None:
    with DLHubClient(mesh.address, mesh.token) as client:
        summary = client.publish_servable(
            _builder(digits).set_title("Trust probe").set_name("trust-probe")
        )
    ref = types_pb2.ServableRef(owner=summary["owner"], name=summary["name"])
    ports = dict(mesh.service_ports)
    refused = 0
    for service in ("registry", "search", "taskmanager"):
        with grpc.insecure_channel(f"127.0.0.1:{ports[service]}") as channel:
            for method, request in _calls(channel, ref)[service]:
                for what, metadata in _forgeries():
                    with pytest.raises(grpc.RpcError) as info:
                        method(request, metadata=metadata, timeout=10)
                    assert info.value.code() is grpc.StatusCode.UNAUTHENTICATED, (service, what)
                    refused += 1
    assert refused == 5 * 3
    # nothing was done: the servable is not deprecated, and no task ran
    with DLHubClient(mesh.address, mesh.token) as client:
        described = client.describe_servable(f"{summary['owner']}/{summary['name']}")
    assert described["state"] == "active"
    stats = httpx.get(
        f"{mesh.http}/v2/models/{summary['owner']}.{summary['name']}/stats",
        headers=mesh.auth_headers,
        timeout=10,
    )
    assert stats.status_code == 200, stats.text
    assert [m["inference_count"] for m in stats.json()["model_stats"]] == [0]


def _builder(digits: Digits) -> Any:
    from dlhub_sdk.models import OnnxServable

    return OnnxServable(str(digits.path)).add_author("Trust Probe", "DLHub")


@pytest.mark.parametrize("mesh", ["distributed"], indirect=True)
def test_a_public_token_is_no_internal_credential(mesh: Mesh) -> None:
    """The ports the services listen on take no public token either: a bearer
    token valid at the gateway is not an internal credential."""
    ports = dict(mesh.service_ports)
    with grpc.insecure_channel(f"127.0.0.1:{ports['registry']}") as channel:
        stub = registry_pb2_grpc.RegistryServiceStub(channel)
        with pytest.raises(grpc.RpcError) as info:
            stub.ListServables(
                registry_pb2.ListServablesRequest(),
                metadata=(("authorization", f"Bearer {mesh.token}"),),
                timeout=10,
            )
    assert info.value.code() is grpc.StatusCode.UNAUTHENTICATED
    assert mesh.token not in (info.value.details() or "")
    assert socket.gethostname() not in (info.value.details() or "")
