"""Process settings, read from ``DLHUB_*`` environment variables.

Nested fields use ``__``: ``DLHUB_DOCUMENTS__TYPE=sqlite``,
``DLHUB_GATEWAY__HTTP_PORT=9000``. Settings are validated when a process
starts (``Settings()``), never at import.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from dlhub_common.backends import (
    BusConfig,
    DocumentsConfig,
    LocalObjectsConfig,
    MemoryBusConfig,
    ObjectsConfig,
    SearchConfig,
    SqliteDocumentsConfig,
    SqliteSearchConfig,
)

MiB = 1 << 20


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Endpoint(_Section):
    """Where one internal service listens, and where others reach it."""

    host: str = Field("127.0.0.1", description="Interface to bind")
    port: int = Field(..., ge=0, le=65535, description="gRPC port (0 picks a free one)")
    address: str | None = Field(
        None, description="host:port other services dial; default host:port"
    )

    def target(self) -> str:
        return self.address or f"{self.host}:{self.port}"


class GatewaySettings(_Section):
    """The public door."""

    host: str = Field("127.0.0.1", description="Interface for both public ports")
    http_port: int = Field(8000, ge=0, le=65535, description="HTTP/JSON, OIP REST, /metrics")
    grpc_port: int = Field(8001, ge=0, le=65535, description="dlhub.v1 and OIP gRPC")
    allow_anonymous_reads: bool = Field(
        True, description="Search, describe and run public servables without a token"
    )


class ExecutorSettings(_Section):
    """Model execution."""

    intra_op_threads: int = Field(
        0, ge=0, description="ONNX Runtime intra-op threads per session; 0 = number of cores"
    )
    concurrency: int = Field(4, ge=1, description="Tasks one executor runs at once")
    cache_dir: Path | None = Field(None, description="Model files; default <data_dir>/executor")


class Settings(BaseSettings):
    """Every setting a DLHub process reads."""

    model_config = SettingsConfigDict(
        env_prefix="DLHUB_", env_nested_delimiter="__", extra="forbid", validate_default=True
    )

    data_dir: Path = Field(Path(".dlhub"), description="Where embedded backends keep their data")
    max_message_bytes: int = Field(
        64 * MiB,
        ge=1 * MiB,
        description="Largest message on every hop (gRPC, HTTP bodies, bus); default 64 MiB",
    )
    max_artifact_bytes: int = Field(
        16 * 1024 * MiB, ge=1, description="Largest single artifact accepted at publish"
    )
    default_timeout_s: float = Field(60.0, gt=0, description="Wait of a synchronous run")
    documents: DocumentsConfig = Field(default_factory=SqliteDocumentsConfig)
    search: SearchConfig = Field(default_factory=SqliteSearchConfig)
    objects: ObjectsConfig = Field(default_factory=LocalObjectsConfig)
    bus: BusConfig = Field(default_factory=MemoryBusConfig)
    gateway: GatewaySettings = Field(default_factory=GatewaySettings)
    registry: Endpoint = Field(default_factory=lambda: Endpoint(port=8101))
    search_service: Endpoint = Field(default_factory=lambda: Endpoint(port=8102))
    taskmanager: Endpoint = Field(default_factory=lambda: Endpoint(port=8103))
    executor: Endpoint = Field(default_factory=lambda: Endpoint(port=8104))
    executor_options: ExecutorSettings = Field(default_factory=ExecutorSettings)
    tokens_file: Path | None = Field(
        None, description="JSON {token: username}; default <data_dir>/tokens.json"
    )
    log_level: str = Field("INFO", description="Python logging level")

    def resolved_data_dir(self) -> Path:
        return self.data_dir.expanduser().resolve()
