"""Process settings, read from ``DLHUB_*`` environment variables.

Nested fields use ``__``: ``DLHUB_DOCUMENTS__TYPE=sqlite``,
``DLHUB_GATEWAY__HTTP_PORT=9000``. Settings are validated when a process
starts (``Settings()``), never at import.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from dlhub_common.auth_settings import GROUPS_SCOPE as GROUPS_SCOPE
from dlhub_common.auth_settings import AuthSettings
from dlhub_common.auth_settings import GlobusAuthSettings as GlobusAuthSettings
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
from dlhub_common.retrain_settings import RetrainSettings
from dlhub_common.staging_settings import StagingSettings

MiB = 1 << 20
# Variables read by the SDK, the test stack and fault injection (the
# registry's DLHUB_FAULTPOINT, tests only) rather than by settings.
CLIENT_VARIABLES = {
    "ADDRESS",
    "TOKEN",
    "HTTP",
    "STACK_CACHE",
    "FAULTPOINT",
    "LOGIN_CLIENT_ID",
    "LOGIN_SCOPE",
}


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
    leftovers_interval_s: float = Field(
        300.0,
        gt=0,
        description="How often the registry collects what dead publishes left behind"
        " (also once at start-up)",
    )
    instance_dead_after_s: float = Field(
        60.0,
        ge=4,
        description="A registry replica whose heartbeat is older than this is dead: its"
        " running publish jobs are failed and their leftovers collected (heartbeat every"
        " quarter of it)",
    )
    incomplete_grace_s: float = Field(
        24 * 3600.0,
        gt=0,
        description="Unfinished object-store writes (temporary files, S3 multipart"
        " uploads) that no live publish holds are discarded once older than this",
    )


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
    max_inflight_request_bytes: int = Field(
        256 * MiB, ge=1, description="HTTP request bodies the gateway holds at once, in total"
    )
    max_inflight_request_bytes_per_caller: int = Field(
        64 * MiB, ge=1, description="HTTP request bodies the gateway holds at once, per caller"
    )
    rate_limit_per_s: float = Field(
        1000.0, ge=0, description="Requests a second per user, both doors together; 0 = off"
    )
    rate_burst: int = Field(2000, ge=1, description="Requests a user may make at once")
    anonymous_rate_limit_per_s: float = Field(
        100.0, ge=0, description="Requests a second per client address without a token; 0 = off"
    )
    anonymous_rate_burst: int = Field(
        200, ge=1, description="Requests one address may make at once without a token"
    )
    stream_max_in_flight: int = Field(
        64,
        ge=1,
        le=4096,
        description="Requests of one gRPC stream (ModelStreamInfer, RunStream) running or"
        " waiting to be sent at once; reading the stream pauses at this many",
    )
    stream_write_timeout_s: float = Field(
        30.0,
        gt=0,
        description="A stream whose client reads no response for this long is dropped"
        " (RESOURCE_EXHAUSTED); other streams go on",
    )
    reuse_port: bool = Field(
        False,
        description="Share both ports with this gateway's own replicas (SO_REUSEPORT);"
        " set by `dlhub serve gateway --replicas N`",
    )


class ExecutorSettings(_Section):
    """Model execution."""

    intra_op_threads: int = Field(
        0, ge=0, description="ONNX Runtime intra-op threads per session; 0 = number of cores"
    )
    concurrency: int = Field(4, ge=1, description="Tasks one executor runs at once")
    cache_dir: Path | None = Field(None, description="Model files; default <data_dir>/executor")
    call_timeout_s: float = Field(
        60.0, gt=0, description="Longest one call of a python servable may run"
    )
    env_dir: Path | None = Field(
        None, description="Python servable environments; default <cache_dir>/envs"
    )
    device: str = Field(
        "cpu", pattern=r"^(cpu|cuda(:\d+)?)$", description="Where models run: cpu, cuda, cuda:N"
    )
    servables: list[str] = Field(
        default_factory=list,
        description="Serve only these servables (owner/name); empty: every unpinned one",
    )
    idle_unload_s: float = Field(900.0, gt=0, description="Unload a model not used for this long")
    workers: int = Field(
        0,
        ge=0,
        le=256,
        description="Worker processes for tensor model calls (0: in the executor process)",
    )


class BatchingSettings(_Section):
    """Dynamic batching defaults (a servable may set its own: ``servable.batching``)."""

    max_batch_size: int = Field(
        16, ge=1, le=4096, description="Most requests in one model call; 1 turns batching off"
    )
    max_queue_delay_ms: float = Field(
        0.0,
        ge=0,
        le=1000,
        description="Longest a batch waits to fill, from its first request; 0 = take what waits",
    )


class CacheSettings(_Section):
    """Result cache (memoization) in front of the bus."""

    enabled: bool = Field(True, description="Answer repeated identical runs from the cache")
    type: Literal["memory", "documents"] = Field(
        "memory",
        description="'memory' (this process) or 'documents' (shared through the document store)",
    )
    max_bytes: int = Field(
        64 * MiB, ge=0, description="Bound on cached results, in bytes (memory tier)"
    )
    ttl_s: float = Field(600.0, gt=0, le=30 * 86400, description="How long a result stays cached")


class TaskSettings(_Section):
    """Task manager limits and retention."""

    max_queued: int = Field(10_000, ge=1, description="Unfinished tasks accepted, in total")
    max_queued_per_servable: int = Field(
        1_000, ge=1, description="Unfinished tasks accepted per servable version"
    )
    max_queued_per_caller: int = Field(
        2_000, ge=1, description="Unfinished tasks accepted per caller"
    )
    max_inflight_bytes: int = Field(
        512 * MiB, ge=1, description="Input bytes of unfinished tasks accepted, in total"
    )
    max_inflight_bytes_per_caller: int = Field(
        128 * MiB, ge=1, description="Input bytes of unfinished tasks accepted per caller"
    )
    result_ttl_s: float = Field(
        86_400.0, gt=0, description="How long finished tasks and their results are kept"
    )
    sweep_interval_s: float = Field(60.0, gt=0, description="How often expired tasks are removed")


class StreamSettings(_Section):
    """Stream bindings: the task manager's binding runner (docs/streams.md)."""

    enabled: bool = Field(True, description="Run the stream bindings in this task manager")
    poll_s: float = Field(
        2.0, gt=0, le=3600, description="How often bindings added or removed are picked up"
    )
    run_timeout_s: float = Field(
        30.0, gt=0, le=3600, description="Wait for one frame's run before it is tried again"
    )
    retry_s: float = Field(
        1.0, gt=0, le=600, description="Pause before a frame whose run could not finish is retried"
    )


class InternalAuthSettings(_Section):
    """Signed internal tokens between services (dlhub_common.internal_auth)."""

    secret: SecretStr | None = Field(
        None,
        min_length=16,
        description="Shared secret of the mesh's services (at least 16 characters);"
        " default: read or create secret_file",
    )
    secret_file: Path | None = Field(
        None, description="Where the secret is kept; default $XDG_CONFIG_HOME/dlhub/internal-secret"
    )
    token_ttl_s: float = Field(
        300.0, gt=0, le=86400, description="How long a signed internal token is accepted"
    )


class UsageSettings(_Section):
    """Durable usage statistics per servable, version and UTC day (docs/observability.md)."""

    enabled: bool = Field(True, description="Record usage statistics in the document store")
    salt: SecretStr | None = Field(
        None,
        min_length=16,
        description="Secret key of the unique-caller sketch (at least 16 characters), the same"
        " for every task manager; default: one made at first start, kept in the document store",
    )
    flush_interval_s: float = Field(
        1.0, gt=0, le=3600, description="How often counts gathered in memory are written"
    )


class TracingSettings(_Section):
    """OpenTelemetry."""

    exporter: Literal["none", "console", "otlp"] = Field(
        "none", description="Where spans go; 'none' still propagates trace context"
    )
    otlp_endpoint: str | None = Field(
        None, description="OTLP gRPC collector, e.g. http://host:4317"
    )


class MetricsSettings(_Section):
    """Prometheus ``/metrics`` of this process (docs/observability.md)."""

    host: str = Field("127.0.0.1", description="Interface the /metrics port binds")
    port: int = Field(
        0,
        ge=0,
        le=65535,
        description="Port serving /metrics for this process (`dlhub up`, or one `dlhub serve"
        " <service>`); 0 serves none (the gateway's HTTP port serves /metrics regardless);"
        " executor replicas started by --replicas use the next ports",
    )


class DataCiteSettings(_Section):
    """Optional DOI minting for published versions (DataCite REST API)."""

    enabled: bool = Field(False, description="Mint a DOI for every published version")
    api_url: str = Field(
        "https://api.datacite.org",
        description="DataCite REST API; https://api.test.datacite.org for the test system",
    )
    repository_id: str = Field("", description="DataCite repository (client) id, e.g. DLHUB.TEST")
    password: SecretStr = Field(SecretStr(""), description="The repository's password")
    prefix: str = Field("", description="DOI prefix of the repository, e.g. 10.12345")
    landing_url: str = Field(
        "http://127.0.0.1:8000/api/v1/servables/{owner}/{name}?version={version}",
        description="Where a DOI resolves to; {owner}, {name} and {version} are filled in",
    )
    publish: bool = Field(
        True, description="Make DOIs findable; false keeps them as drafts (nothing public)"
    )
    timeout_s: float = Field(30.0, gt=0, description="Timeout of one DataCite request")

    @model_validator(mode="after")
    def _complete_when_enabled(self) -> DataCiteSettings:
        if not self.api_url.startswith(("http://", "https://")):
            raise ValueError(f"api_url must be an http(s) URL, got {self.api_url!r}")
        try:
            self.landing_url.format(owner="o", name="n", version=1)
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(
                "landing_url may use only {owner}, {name} and {version}"
                f" placeholders ({type(exc).__name__}: {exc})"
            ) from None
        if self.enabled:
            missing = [
                f"DLHUB_DATACITE__{field.upper()}"
                for field, value in (
                    ("repository_id", self.repository_id),
                    ("password", self.password.get_secret_value()),
                    ("prefix", self.prefix),
                )
                if not value.strip()
            ]
            if missing:
                raise ValueError(f"DOI minting is enabled but {', '.join(missing)} is not set")
            if not re.fullmatch(r"10\.\d{4,9}(\.\d+)*", self.prefix):
                raise ValueError(f"prefix must look like 10.12345, got {self.prefix!r}")
        return self


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
        None, description="Local accounts (hashed tokens, groups); default <data_dir>/tokens.json"
    )
    auth: AuthSettings = Field(default_factory=AuthSettings)
    log_level: str = Field("INFO", description="Python logging level")
    tracing: TracingSettings = Field(default_factory=TracingSettings)
    datacite: DataCiteSettings = Field(default_factory=DataCiteSettings)
    batching: BatchingSettings = Field(default_factory=BatchingSettings)
    cache: CacheSettings = Field(default_factory=CacheSettings)
    tasks: TaskSettings = Field(default_factory=TaskSettings)
    streams: StreamSettings = Field(default_factory=StreamSettings)
    internal: InternalAuthSettings = Field(default_factory=InternalAuthSettings)
    staging: StagingSettings = Field(default_factory=StagingSettings)
    retrain: RetrainSettings = Field(default_factory=RetrainSettings)
    log_format: Literal["text", "json"] = Field(
        "text",
        description="Log lines as plain text, or one JSON object a line carrying the"
        " OpenTelemetry trace_id and span_id",
    )
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    usage: UsageSettings = Field(default_factory=UsageSettings)

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
