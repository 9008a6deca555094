"""Process settings, read from ``DLHUB_*`` environment variables.

Nested fields use ``__``: ``DLHUB_DOCUMENTS__TYPE=sqlite``,
``DLHUB_GATEWAY__HTTP_PORT=9000``. Settings are validated when a process
starts (``Settings()``), never at import.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator
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
# Variables read by the SDK and the test stack rather than by services.
CLIENT_VARIABLES = {"ADDRESS", "TOKEN", "HTTP", "STACK_CACHE"}


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


class RegistryEndpoint(Endpoint):
    port: int = Field(8101, ge=0, le=65535, description="Registry gRPC port")


class SearchEndpoint(Endpoint):
    port: int = Field(8102, ge=0, le=65535, description="Search gRPC port")


class TaskManagerEndpoint(Endpoint):
    port: int = Field(8103, ge=0, le=65535, description="Task manager gRPC port")


class ExecutorEndpoint(Endpoint):
    port: int = Field(8104, ge=0, le=65535, description="Executor gRPC port (health)")


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
    registry: RegistryEndpoint = Field(default_factory=RegistryEndpoint)
    search_service: SearchEndpoint = Field(default_factory=SearchEndpoint)
    taskmanager: TaskManagerEndpoint = Field(default_factory=TaskManagerEndpoint)
    executor: ExecutorEndpoint = Field(default_factory=ExecutorEndpoint)
    executor_options: ExecutorSettings = Field(default_factory=ExecutorSettings)
    tokens_file: Path | None = Field(
        None, description="JSON {token: username}; default <data_dir>/tokens.json"
    )
    log_level: str = Field("INFO", description="Python logging level")

    @model_validator(mode="after")
    def _no_unknown_variables(self) -> Settings:
        # pydantic-settings ignores unknown top-level variables; a typo such as
        # DLHUB_GATEWAY_PORT would then silently do nothing.
        known = {name.upper() for name in type(self).model_fields} | CLIENT_VARIABLES
        unknown = sorted(
            key
            for key in os.environ
            if key.startswith("DLHUB_") and key[6:].split("__")[0] not in known
        )
        if unknown:
            raise ValueError(
                f"unknown DLHUB_ variable(s) {', '.join(unknown)}; see docs/configuration.md"
            )
        return self

    def resolved_data_dir(self) -> Path:
        return self.data_dir.expanduser().resolve()
