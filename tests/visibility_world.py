"""A world of users, groups and per-version visibility, and a check that a live
mesh returns no servable version to a caller who may not see it.

Shared by the hypothesis property test (in-process mesh,
tests/integration/test_visibility_properties.py) and its fixed case in
distributed mode (tests/e2e/test_visibility_distributed.py). Everything goes
through the public doors (gRPC and HTTP) with synchronous clients, so it
runs in a worker thread beside a mesh serving in the test's event loop, or
against `dlhub serve` subprocesses.

The model of who may see what is written here from the rules, not from the
code under test: a version is visible to its owner, its co-owners and every
caller matching one of its ``visible_to`` entries (``public``, their user
name, ``group:<g>`` for a group they belong to); the newest visible version
is what ``owner/name`` shows them.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import grpc
import httpx
import numpy as np

from dlhub_common._proto.dlhub.v1 import (
    dlhub_pb2_grpc,
    registry_pb2,
    search_pb2,
    tasks_pb2,
    types_pb2,
)
from dlhub_common._proto.inference import open_inference_pb2 as oip
from dlhub_common._proto.inference import open_inference_pb2_grpc
from dlhub_common.codec import array_to_tensor

ANONYMOUS = "<anonymous>"
TIMEOUT_S = 30.0
INDEX_WAIT_S = 20.0


@dataclass(frozen=True)
class Version:
    visible_to: tuple[str, ...]


@dataclass(frozen=True)
class Servable:
    owner: str
    name: str
    versions: tuple[Version, ...]
    co_owners: tuple[str, ...] = ()


@dataclass
class World:
    """Users (name -> token), group memberships, and the servables to publish."""

    tokens: dict[str, str]
    groups: dict[str, set[str]]
    servables: list[Servable]
    counts: dict[str, int] = field(default_factory=dict)

    # ------------------------------------------------------------------ the model

    def readers(self, caller: str) -> set[str]:
        if caller == ANONYMOUS:
            return {"public"}
        return {"public", caller} | {f"group:{g}" for g, m in self.groups.items() if caller in m}

    def visible(self, s: Servable, version: int, caller: str) -> bool:
        if caller != ANONYMOUS and (caller == s.owner or caller in s.co_owners):
            return True
        return bool(self.readers(caller) & set(s.versions[version - 1].visible_to))

    def visible_versions(self, s: Servable, caller: str) -> list[int]:
        return [v for v in range(1, len(s.versions) + 1) if self.visible(s, v, caller)]

    def callers(self) -> list[str]:
        return [ANONYMOUS, *self.tokens]


class Doors:
    """Synchronous clients of one mesh's public gRPC and HTTP doors."""

    def __init__(self, grpc_address: str, http_url: str) -> None:
        self.channel = grpc.insecure_channel(grpc_address)
        self.stub = dlhub_pb2_grpc.DLHubServiceStub(self.channel)
        self.oip = open_inference_pb2_grpc.GRPCInferenceServiceStub(self.channel)
        self.http = httpx.Client(base_url=http_url, timeout=TIMEOUT_S)

    def close(self) -> None:
        self.channel.close()
        self.http.close()

    @staticmethod
    def md(token: str | None) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {token}"),) if token else ()

    @staticmethod
    def headers(token: str | None) -> dict[str, str]:
        return {"authorization": f"Bearer {token}"} if token else {}

    def publish(self, metadata: dict[str, Any], model: bytes, token: str) -> None:
        header = registry_pb2.PublishHeader(
            metadata_json=json.dumps(metadata),
            artifacts=[
                registry_pb2.ArtifactInfo(
                    path="model.onnx", size=len(model), sha256=hashlib.sha256(model).hexdigest()
                )
            ],
        )
        messages = [
            registry_pb2.PublishServableRequest(header=header),
            registry_pb2.PublishServableRequest(
                chunk=registry_pb2.ArtifactChunk(path="model.onnx", data=model)
            ),
        ]
        self.stub.PublishServable(iter(messages), metadata=self.md(token), timeout=TIMEOUT_S)


def publish_world(
    doors: Doors,
    world: World,
    metadata: Callable[[str, list[str]], dict[str, Any]],
    model: bytes,
) -> None:
    """Publish every version, then wait until search has indexed them all."""
    for s in world.servables:
        for version in s.versions:
            doc = metadata(s.name, list(version.visible_to))
            if s.co_owners:
                doc["dlhub"]["co_owners"] = list(s.co_owners)
            doors.publish(doc, model, world.tokens[s.owner])
    deadline = time.monotonic() + INDEX_WAIT_S
    for s in world.servables:
        while True:
            found = doors.stub.Search(
                search_pb2.SearchRequest(
                    filters=[search_pb2.FieldFilter(field="name", values=[s.name])],
                    all_versions=True,
                    limit=100,
                ),
                metadata=doors.md(world.tokens[s.owner]),
                timeout=TIMEOUT_S,
            )
            if found.total == len(s.versions):
                break
            assert time.monotonic() < deadline, f"{s.name} was not indexed in {INDEX_WAIT_S} s"
            time.sleep(0.02)


def _rpc(method: Any, request: Any, md: Any) -> tuple[grpc.StatusCode, Any]:
    try:
        return grpc.StatusCode.OK, method(request, metadata=md, timeout=TIMEOUT_S + 5)
    except grpc.RpcError as exc:
        return exc.code(), None


def check_world(doors: Doors, world: World, x: np.ndarray[Any, Any]) -> None:
    """Every caller, every door: exactly the versions the model allows, nothing else.

    Raises AssertionError naming the caller, the door and the servable.
    """
    names = [s.name for s in world.servables]
    name_filter = [search_pb2.FieldFilter(field="name", values=names)]
    for caller in world.callers():
        token = world.tokens.get(caller)
        md = doors.md(token)
        expect_newest = {
            s.name: vs[-1] for s in world.servables if (vs := world.visible_versions(s, caller))
        }
        expect_all = {
            (s.name, v) for s in world.servables for v in world.visible_versions(s, caller)
        }
        where = f"caller {caller}"

        # search: default and every version, totals and facets included
        default = doors.stub.Search(
            search_pb2.SearchRequest(filters=name_filter, facets=["owner"], limit=100),
            metadata=md,
            timeout=TIMEOUT_S,
        )
        got_newest = {h.name: h.version for h in default.hits}
        assert got_newest == expect_newest, f"{where}: search {got_newest} != {expect_newest}"
        assert default.total == len(expect_newest), f"{where}: search total"
        facet = {b.value: b.count for b in default.facets[0].buckets} if default.facets else {}
        by_owner: dict[str, int] = {}
        for s in world.servables:
            if s.name in expect_newest:
                by_owner[s.owner] = by_owner.get(s.owner, 0) + 1
        assert facet == by_owner, f"{where}: search facets"
        every = doors.stub.Search(
            search_pb2.SearchRequest(filters=name_filter, all_versions=True, limit=100),
            metadata=md,
            timeout=TIMEOUT_S,
        )
        assert {(h.name, h.version) for h in every.hits} == expect_all, f"{where}: all versions"
        assert every.total == len(expect_all), f"{where}: all-versions total"

        # the repository index
        index = doors.http.post("/v2/repository/index", json={}, headers=doors.headers(token))
        assert index.status_code == 200, index.text
        indexed = {e["name"] for e in index.json()}
        for s in world.servables:
            assert (f"{s.owner}.{s.name}" in indexed) == (s.name in expect_newest), (
                f"{where}: repository index, {s.name}"
            )

        for s in world.servables:
            what = f"{where}: {s.owner}/{s.name}"
            ref = types_pb2.ServableRef(owner=s.owner, name=s.name)
            visible = world.visible_versions(s, caller)
            # describe the name, and versions
            code, got = _rpc(doors.stub.GetServable, registry_pb2.GetServableRequest(ref=ref), md)
            if visible:
                assert code is grpc.StatusCode.OK, f"{what}: describe {code}"
                assert got.servable.summary.version == visible[-1], f"{what}: describe version"
            else:
                assert code is grpc.StatusCode.NOT_FOUND, f"{what}: describe {code}"
            code, got = _rpc(
                doors.stub.ListVersions,
                registry_pb2.ListVersionsRequest(owner=s.owner, name=s.name),
                md,
            )
            if visible:
                assert [v.version for v in got.versions] == visible, f"{what}: versions"
            else:
                assert code is grpc.StatusCode.NOT_FOUND, f"{what}: versions {code}"
            listed = doors.stub.ListServables(
                registry_pb2.ListServablesRequest(owner=s.owner, page_size=1000),
                metadata=md,
                timeout=TIMEOUT_S,
            )
            shown = {v.name: v.version for v in listed.servables}
            assert shown.get(s.name) == (visible[-1] if visible else None), f"{what}: list"
            for number in range(1, len(s.versions) + 1):
                allowed = number in visible
                vref = types_pb2.ServableRef(owner=s.owner, name=s.name, version=number)
                code, _ = _rpc(
                    doors.stub.GetServable, registry_pb2.GetServableRequest(ref=vref), md
                )
                assert (code is grpc.StatusCode.OK) == allowed, f"{what} v{number}: describe"
                ready = doors.oip.ModelReady(
                    oip.ModelReadyRequest(name=f"{s.owner}.{s.name}", version=str(number)),
                    metadata=md,
                    timeout=TIMEOUT_S,
                )
                assert ready.ready == allowed, f"{what} v{number}: OIP ready"
                code, _ = _rpc(
                    doors.oip.ModelMetadata,
                    oip.ModelMetadataRequest(name=f"{s.owner}.{s.name}", version=str(number)),
                    md,
                )
                assert (code is grpc.StatusCode.OK) == allowed, f"{what} v{number}: OIP metadata"
                bundle = doors.http.get(
                    f"/api/v1/servables/{s.owner}/{s.name}/bundle",
                    params={"version": number},
                    headers=doors.headers(token),
                )
                assert (bundle.status_code == 200) == allowed, f"{what} v{number}: bundle"
                if not allowed:
                    assert bundle.status_code == 404, f"{what} v{number}: bundle"
            # run the name: the newest visible version, or NOT_FOUND
            run = tasks_pb2.RunServableRequest(
                servable=ref, inputs=[array_to_tensor("X", x)], wait=True, timeout_s=TIMEOUT_S
            )
            code, got = _rpc(doors.stub.RunServable, run, md)
            if visible:
                assert code is grpc.StatusCode.OK, f"{what}: run {code}"
                assert got.task.servable.version == visible[-1], f"{what}: ran the wrong version"
            else:
                assert code is grpc.StatusCode.NOT_FOUND, f"{what}: run {code}"
            world.counts["checks"] = world.counts.get("checks", 0) + 1
