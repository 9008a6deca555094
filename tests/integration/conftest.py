"""In-process integration fixtures: the whole DLHub mesh in the test's event loop.

The mesh is assembled exactly as ``dlhub_server.mesh.run_mesh`` does it (shared
``Backends``, the four services' ``create``, then the ``Gateway``), with the
data directory in ``tmp_path`` and both public ports picked by the OS. Tests
talk to it the way clients do: async gRPC stubs over a real channel
(``dlhub.v1`` and OIP) and ``httpx`` over HTTP.

The model is a tiny ONNX graph built with ``onnx.helper`` (no sklearn):
``Y[?, 3] = X[?, 4] @ W + B``, float32.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import httpx
import numpy as np
import numpy.typing as npt
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import dlhub_gateway.main as gateway_m
from dlhub_common._proto.dlhub.v1 import (
    dlhub_pb2_grpc,
    registry_pb2,
    search_pb2,
    tasks_pb2,
    types_pb2,
)
from dlhub_common._proto.inference import open_inference_pb2_grpc
from dlhub_common.codec import array_to_tensor
from dlhub_common.rpc.server import channel_options
from dlhub_common.runtime import Backends
from dlhub_common.settings import MiB, Settings
from dlhub_server.mesh import embedded_mesh
from tests.tiny_onnx import tiny_onnx

Array = npt.NDArray[Any]
RPC_TIMEOUT_S = 30.0
INDEX_TIMEOUT_S = 10.0


# ------------------------------------------------------------------ the model


@dataclass(frozen=True)
class TinyModel:
    """One tiny ONNX model: its bytes, weights and metadata factory."""

    w: Array
    b: Array
    data: bytes = field(repr=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def expected(self, x: Array) -> Array:
        out: Array = x.astype(np.float32) @ self.w + self.b
        return out

    @staticmethod
    def metadata(
        name: str,
        *,
        title: str | None = None,
        domains: list[str] | None = None,
        visible_to: list[str] | None = None,
        input_shape: list[int | None] | None = None,
        input_item_type: str = "float32",
        input_name: str = "X",
    ) -> dict[str, Any]:
        """A valid metadata document for the tiny model (override to break it)."""

        def ndarray(shape: list[int | None], item: str) -> dict[str, Any]:
            return {"type": "ndarray", "shape": shape, "item_type": {"type": item}}

        return {
            "datacite": {
                "creators": [{"name": "Tester, Alice"}],
                "titles": [{"title": title or f"Tiny linear model {name}"}],
                "descriptions": [{"description": "Y = X @ W + B for integration tests"}],
            },
            "dlhub": {
                "name": name,
                "domains": domains if domains is not None else ["testing"],
                "visible_to": visible_to if visible_to is not None else ["public"],
                "files": {"model": "model.onnx"},
            },
            "servable": {
                "type": "onnx",
                "methods": {
                    "run": {
                        "input": {
                            "type": "dict",
                            "properties": {
                                input_name: ndarray(
                                    input_shape if input_shape is not None else [None, 4],
                                    input_item_type,
                                )
                            },
                        },
                        "output": {
                            "type": "dict",
                            "properties": {"Y": ndarray([None, 3], "float32")},
                        },
                    }
                },
            },
        }


def _make_tiny(scale: float) -> TinyModel:
    w = (np.arange(12, dtype=np.float32).reshape(4, 3) / 10 - 0.5) * scale
    b = np.array([0.5, -1.0, 2.0], dtype=np.float32) * scale
    return TinyModel(w, b, tiny_onnx(w, b))


@pytest.fixture(scope="session")
def tiny() -> TinyModel:
    return _make_tiny(1.0)


@pytest.fixture(scope="session")
def tiny_v2() -> TinyModel:
    """A second model with the same signature and different weights."""
    return _make_tiny(-2.0)


# ------------------------------------------------------------------- the mesh

_ALICE = object()  # "use the default token": distinct from None (anonymous)


@dataclass
class Mesh:
    """A running in-process mesh and clients connected to its public doors."""

    settings: Settings
    data_dir: Path
    grpc_address: str
    http_url: str
    token: str  # alice's
    bob_token: str
    model: TinyModel  # what positive controls publish
    backends: Backends
    channel: grpc.aio.Channel
    stub: dlhub_pb2_grpc.DLHubServiceStub
    oip: open_inference_pb2_grpc.GRPCInferenceServiceStub
    http: httpx.AsyncClient
    gateway: Any = None  # the started gateway (its .oip.tasks.core is the task manager)

    # -------------------------------------------------------- credentials

    def _token(self, token: Any) -> str | None:
        return self.token if token is _ALICE else token

    def md(self, token: Any = _ALICE) -> tuple[tuple[str, str], ...]:
        """gRPC metadata; ``token=None`` calls anonymously."""
        value = self._token(token)
        return (("authorization", f"Bearer {value}"),) if value else ()

    def headers(self, token: Any = _ALICE) -> dict[str, str]:
        value = self._token(token)
        return {"authorization": f"Bearer {value}"} if value else {}

    # -------------------------------------------------------- publishing

    async def publish(
        self,
        metadata: dict[str, Any],
        files: dict[str, bytes],
        *,
        token: Any = _ALICE,
    ) -> registry_pb2.PublishServableResponse:
        """Publish over gRPC (header announcing size and sha256, then 64 KiB chunks)."""
        header = registry_pb2.PublishHeader(
            metadata_json=json.dumps(metadata),
            artifacts=[
                registry_pb2.ArtifactInfo(
                    path=path, size=len(data), sha256=hashlib.sha256(data).hexdigest()
                )
                for path, data in files.items()
            ],
        )
        messages = [registry_pb2.PublishServableRequest(header=header)]
        for path, data in files.items():
            for start in range(0, max(len(data), 1), 64 * 1024):
                messages.append(
                    registry_pb2.PublishServableRequest(
                        chunk=registry_pb2.ArtifactChunk(
                            path=path, data=data[start : start + 64 * 1024]
                        )
                    )
                )
        response: registry_pb2.PublishServableResponse = await self.stub.PublishServable(
            iter(messages), metadata=self.md(token), timeout=RPC_TIMEOUT_S
        )
        return response

    async def publish_http(
        self, metadata: dict[str, Any], files: dict[str, bytes], *, token: Any = _ALICE
    ) -> httpx.Response:
        """Publish over HTTP (multipart: ``metadata`` + one ``files`` part per artifact)."""
        return await self.http.post(
            "/api/v1/servables",
            data={"metadata": json.dumps(metadata)},
            files=[
                ("files", (path, data, "application/octet-stream")) for path, data in files.items()
            ],
            headers=self.headers(token),
        )

    # -------------------------------------------------------- reading

    async def get(
        self, name: str, version: int = 0, *, owner: str = "alice", token: Any = _ALICE
    ) -> registry_pb2.GetServableResponse:
        response: registry_pb2.GetServableResponse = await self.stub.GetServable(
            registry_pb2.GetServableRequest(
                ref=types_pb2.ServableRef(owner=owner, name=name, version=version)
            ),
            metadata=self.md(token),
            timeout=RPC_TIMEOUT_S,
        )
        return response

    async def listed_names(self, *, token: Any = _ALICE) -> set[str]:
        response = await self.stub.ListServables(
            registry_pb2.ListServablesRequest(page_size=1000, all_versions=True),
            metadata=self.md(token),
            timeout=RPC_TIMEOUT_S,
        )
        return {s.name for s in response.servables}

    async def search(
        self,
        query: str = "",
        *,
        token: Any = _ALICE,
        facets: tuple[str, ...] = (),
        offset: int = 0,
        limit: int = 20,
        all_versions: bool = False,
        include_deprecated: bool = False,
        **filters: list[str],
    ) -> search_pb2.SearchResponse:
        response: search_pb2.SearchResponse = await self.stub.Search(
            search_pb2.SearchRequest(
                query=query,
                filters=[search_pb2.FieldFilter(field=k, values=v) for k, v in filters.items()],
                facets=list(facets),
                offset=offset,
                limit=limit,
                all_versions=all_versions,
                include_deprecated=include_deprecated,
            ),
            metadata=self.md(token),
            timeout=RPC_TIMEOUT_S,
        )
        return response

    async def wait_searchable(
        self, name: str, *, version: int = 1, token: Any = _ALICE
    ) -> search_pb2.SearchResponse:
        """Poll search until ``name`` (at ``version`` or later) is indexed for this caller."""
        try:
            async with asyncio.timeout(INDEX_TIMEOUT_S):
                while True:
                    found = await self.search(token=token, name=[name])
                    if any(h.version >= version for h in found.hits):
                        return found
                    await asyncio.sleep(0.02)
        except TimeoutError:
            raise AssertionError(
                f"{name} v{version} was not indexed within {INDEX_TIMEOUT_S} s"
            ) from None

    # -------------------------------------------------------- running

    async def run(
        self,
        name: str,
        inputs: dict[str, Array] | list[types_pb2.Tensor],
        *,
        version: int = 0,
        owner: str = "alice",
        token: Any = _ALICE,
        wait: bool = True,
        no_cache: bool = False,
    ) -> tasks_pb2.Task:
        """RunServable with raw tensors (``inputs`` arrays, or ready-made Tensors)."""
        tensors = (
            [array_to_tensor(n, a) for n, a in inputs.items()]
            if isinstance(inputs, dict)
            else inputs
        )
        response: tasks_pb2.RunServableResponse = await self.stub.RunServable(
            tasks_pb2.RunServableRequest(
                servable=types_pb2.ServableRef(owner=owner, name=name, version=version),
                inputs=tensors,
                wait=wait,
                timeout_s=RPC_TIMEOUT_S,
                no_cache=no_cache,
            ),
            metadata=self.md(token),
            timeout=RPC_TIMEOUT_S + 5,
        )
        return response.task

    # -------------------------------------------------------- storage

    async def assert_nothing_stored(self, name: str, objects_before: set[str]) -> None:
        """After a rejected publish of ``name``: no object, record or index entry is left.

        The search check uses a positive control: a servable published
        afterwards. Servable events are indexed in order, so once the control
        is searchable an event of the rejected publish would have been too.
        """
        assert self.object_files() == objects_before, "a rejected publish left objects behind"
        assert not self.scratch_files(), "a rejected publish left temporary files behind"
        assert name not in await self.listed_names()
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await self.get(name)
        assert info.value.code() is grpc.StatusCode.NOT_FOUND
        control = f"control-{uuid.uuid4().hex[:8]}"
        await self.publish(TinyModel.metadata(control), {"model.onnx": self.model.data})
        await self.wait_searchable(control)
        assert (await self.search(name=[name], all_versions=True)).total == 0
        assert name not in {h.name for h in (await self.search(limit=1000)).hits}

    async def task_count(self) -> int:
        """Tasks the task manager has recorded (accepted runs)."""
        return await (await self.backends.documents()).count("tasks")

    def object_files(self) -> set[str]:
        """Every file in the object store's content folder (relative paths)."""
        root = self.data_dir / "objects" / "sha256"
        if not root.exists():
            return set()
        return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}

    def scratch_files(self) -> set[str]:
        """Leftovers of uploads in flight: object-store temp files and registry scratch."""
        out: set[str] = set()
        for folder in (self.data_dir / "objects" / "tmp", self.data_dir / "scratch"):
            if folder.exists():
                out |= {str(p) for p in folder.rglob("*")}
        return out


@contextlib.asynccontextmanager
async def running_mesh(data_dir: Path, model: TinyModel, **overrides: Any) -> AsyncIterator[Mesh]:
    """Start the mesh like ``run_mesh`` and stop it in reverse order."""
    settings = Settings(
        data_dir=data_dir,
        tokens_file=data_dir / "tokens.json",
        gateway={
            "host": "127.0.0.1",
            "http_port": 0,
            "grpc_port": 0,
            **overrides.pop("gateway", {}),
        },
        executor_options={
            "intra_op_threads": 1,
            "concurrency": 2,
            **overrides.pop("executor_options", {}),
        },
        default_timeout_s=RPC_TIMEOUT_S,
        **overrides,
    )
    async with contextlib.AsyncExitStack() as stack:
        backends, gateway = await stack.enter_async_context(embedded_mesh(settings))
        tokens = gateway_m.tokens_for(settings)
        alice = tokens.ensure_user("alice")
        bob = tokens.ensure_user("bob")
        host = settings.gateway.host
        address = f"{host}:{gateway.grpc_port}"
        # The client may send more than the server accepts: size limits are
        # enforced by the server, never by this channel.
        channel = grpc.aio.insecure_channel(address, options=channel_options(64 * MiB))
        stack.push_async_callback(channel.close)
        http = httpx.AsyncClient(base_url=f"http://{host}:{gateway.http_port}", timeout=30.0)
        stack.push_async_callback(http.aclose)
        yield Mesh(
            settings=settings,
            data_dir=backends.data_dir,
            grpc_address=address,
            http_url=f"http://{host}:{gateway.http_port}",
            token=alice,
            bob_token=bob,
            model=model,
            backends=backends,
            channel=channel,
            stub=dlhub_pb2_grpc.DLHubServiceStub(channel),
            oip=open_inference_pb2_grpc.GRPCInferenceServiceStub(channel),
            http=http,
            gateway=gateway,
        )


def span_texts(spans: InMemorySpanExporter) -> str:
    """Names, attributes, events and statuses of every finished span, as one text."""
    parts = []
    for span in spans.get_finished_spans():
        parts.append(span.name)
        parts.append(json.dumps(dict(span.attributes or {}), default=str))
        for event in span.events:
            parts.append(event.name + json.dumps(dict(event.attributes or {}), default=str))
        parts.append(str(span.status.description or ""))
    return "\n".join(parts)


@pytest.fixture(scope="session")
def spans() -> InMemorySpanExporter:
    """Every span this process ends from now on (one tracer provider per process)."""
    exporter = InMemorySpanExporter()
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


@pytest.fixture
def hermetic_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No DLHUB_* variable of the caller's shell (another adapter, a port) reaches the mesh."""
    for key in list(os.environ):
        if key.upper().startswith("DLHUB_"):
            monkeypatch.delenv(key)


@pytest.fixture
async def mesh(tmp_path: Path, tiny: TinyModel, hermetic_env: None) -> AsyncIterator[Mesh]:
    """The mesh with default settings (64 MiB messages)."""
    async with running_mesh(tmp_path, tiny) as m:
        yield m


@pytest.fixture
async def small_mesh(tmp_path: Path, tiny: TinyModel, hermetic_env: None) -> AsyncIterator[Mesh]:
    """The mesh with the smallest allowed message limit, 1 MiB."""
    async with running_mesh(tmp_path, tiny, max_message_bytes=1 * MiB) as m:
        yield m


@pytest.fixture
async def batch_mesh(tmp_path: Path, tiny: TinyModel, hermetic_env: None) -> AsyncIterator[Mesh]:
    """The mesh batching concurrent runs (up to 8, 200 ms), no result cache, ``tiny`` published."""
    # a long delay so that every concurrent request of a test lands in one batch;
    # the cache is off so that every run reaches the executor
    async with running_mesh(
        tmp_path,
        tiny,
        batching={"max_batch_size": 8, "max_queue_delay_ms": 200},
        cache={"enabled": False},
    ) as m:
        await m.publish(TinyModel.metadata("tiny"), {"model.onnx": tiny.data})
        yield m
