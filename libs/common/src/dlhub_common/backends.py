"""Backend configuration classes and the factory that builds adapters by name.

Each adapter has a config class whose ``type`` literal is its short name. The
factory imports the adapter module only when it is chosen, so a heavy client
library is loaded only by the processes that use it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, SecretStr, Tag

from dlhub_common.ports import DocumentStore, EventBus, ObjectStore, SearchIndex


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SqliteDocumentsConfig(_Config):
    """Documents in one SQLite file (embedded default)."""

    type: Literal["sqlite"] = "sqlite"
    path: Path | None = Field(None, description="SQLite file; default <data_dir>/documents.sqlite3")


class SqliteSearchConfig(_Config):
    """Search index in SQLite FTS5 (embedded default)."""

    type: Literal["sqlite"] = "sqlite"
    path: Path | None = Field(None, description="SQLite file; default <data_dir>/search.sqlite3")


class LocalObjectsConfig(_Config):
    """Content-addressed files on local disk (embedded default)."""

    type: Literal["local"] = "local"
    root: Path | None = Field(None, description="Folder; default <data_dir>/objects")


class MemoryBusConfig(_Config):
    """In-process event bus (embedded default; one process only)."""

    type: Literal["memory"] = "memory"
    max_message_bytes: int | None = Field(
        None, description="Largest message accepted; default the global message limit"
    )


class MongoDocumentsConfig(_Config):
    """Documents in MongoDB (or a MongoDB-wire server such as FerretDB)."""

    type: Literal["mongo"] = "mongo"
    url: SecretStr = Field(
        SecretStr("mongodb://127.0.0.1:27017"),
        description="mongodb:// URL; may hold credentials, so it is never logged",
    )
    database: str = Field("dlhub", min_length=1, description="Database name")
    server_selection_timeout_ms: int = Field(5000, ge=100, description="Connect/select timeout")


class OpenSearchConfig(_Config):
    """Search index in OpenSearch."""

    type: Literal["opensearch"] = "opensearch"
    hosts: list[str] = Field(
        default_factory=lambda: ["http://127.0.0.1:9200"], min_length=1, description="Node URLs"
    )
    index: str = Field("dlhub-servables", min_length=1, description="Index name")
    number_of_shards: int = Field(1, ge=1)
    number_of_replicas: int = Field(
        1, ge=0, description="Replicas per shard; 0 only for single-node test clusters"
    )
    username: str | None = None
    password: SecretStr | None = None
    timeout_s: float = Field(10.0, gt=0, description="Per-request timeout")


class S3ObjectsConfig(_Config):
    """Artifacts in an S3 bucket (AWS, SeaweedFS, MinIO, moto...)."""

    type: Literal["s3"] = "s3"
    bucket: str = Field(..., min_length=3, description="Bucket name")
    prefix: str = Field("", description="Key prefix inside the bucket")
    endpoint_url: str | None = Field(
        None, description="Non-AWS endpoint, e.g. http://127.0.0.1:8333"
    )
    region: str = "us-east-1"
    access_key_id: SecretStr | None = None
    secret_access_key: SecretStr | None = None
    create_bucket: bool = Field(True, description="Create the bucket at start when missing")
    part_size_bytes: int = Field(8 << 20, ge=5 << 20, description="Multipart upload part size")


class KafkaBusConfig(_Config):
    """Event bus on Apache Kafka."""

    type: Literal["kafka"] = "kafka"
    bootstrap_servers: str = Field("127.0.0.1:9092", min_length=1, description="host:port[,...]")
    topic_prefix: str = Field("", description="Prepended to every topic name (isolation)")
    client_id: str = "dlhub"
    num_partitions: int = Field(6, ge=1, description="Partitions of topics DLHub creates")
    replication_factor: int = Field(1, ge=1, description="Replication of topics DLHub creates")
    max_message_bytes: int | None = Field(
        None, description="Largest message accepted; default the global message limit"
    )
    request_timeout_ms: int = Field(30000, ge=1000)


def _type_or(default: str) -> Callable[[Any], str]:
    """Discriminator that falls back to the embedded adapter when ``type`` is
    not given, so ``DLHUB_DOCUMENTS__PATH=/x`` alone configures SQLite."""

    def pick(value: Any) -> str:
        if isinstance(value, dict):
            return str(value.get("type", default))
        return str(getattr(value, "type", default))

    return pick


DocumentsConfig = Annotated[
    Annotated[SqliteDocumentsConfig, Tag("sqlite")] | Annotated[MongoDocumentsConfig, Tag("mongo")],
    Discriminator(_type_or("sqlite")),
]
SearchConfig = Annotated[
    Annotated[SqliteSearchConfig, Tag("sqlite")] | Annotated[OpenSearchConfig, Tag("opensearch")],
    Discriminator(_type_or("sqlite")),
]
ObjectsConfig = Annotated[
    Annotated[LocalObjectsConfig, Tag("local")] | Annotated[S3ObjectsConfig, Tag("s3")],
    Discriminator(_type_or("local")),
]
BusConfig = Annotated[
    Annotated[MemoryBusConfig, Tag("memory")] | Annotated[KafkaBusConfig, Tag("kafka")],
    Discriminator(_type_or("memory")),
]

# port -> short name -> "module:Class". Adapters are constructed as Class(config, data_dir).
ADAPTERS: dict[str, dict[str, str]] = {
    "documents": {
        "sqlite": "dlhub_common.adapters.sqlite_documents:SqliteDocumentStore",
        "mongo": "dlhub_common.adapters.mongo_documents:MongoDocumentStore",
    },
    "search": {
        "sqlite": "dlhub_common.adapters.sqlite_search:SqliteSearchIndex",
        "opensearch": "dlhub_common.adapters.opensearch_index:OpenSearchIndex",
    },
    "objects": {
        "local": "dlhub_common.adapters.local_objects:LocalObjectStore",
        "s3": "dlhub_common.adapters.s3_objects:S3ObjectStore",
    },
    "bus": {
        "memory": "dlhub_common.adapters.memory_bus:MemoryEventBus",
        "kafka": "dlhub_common.adapters.kafka_bus:KafkaEventBus",
    },
}


def where(config: Any) -> str:
    """Where a backend lives, for logs and errors; never includes credentials."""
    if isinstance(config, MongoDocumentsConfig):
        from urllib.parse import urlsplit

        parts = urlsplit(config.url.get_secret_value())
        return f"mongodb://{parts.hostname}:{parts.port or 27017}/{config.database}"
    if isinstance(config, OpenSearchConfig):
        return ",".join(config.hosts) + f" (index {config.index})"
    if isinstance(config, S3ObjectsConfig):
        return f"{config.endpoint_url or 'aws'} (bucket {config.bucket})"
    if isinstance(config, KafkaBusConfig):
        return config.bootstrap_servers
    path = getattr(config, "path", None) or getattr(config, "root", None)
    return f"{config.type}:{path}" if path else str(config.type)


def _build(port: str, config: Any, data_dir: Path) -> Any:
    target = ADAPTERS[port].get(config.type)
    if target is None:  # pragma: no cover - settings validation prevents it
        raise ValueError(f"no {port} adapter named {config.type!r}")
    module_name, cls_name = target.split(":")
    cls = getattr(importlib.import_module(module_name), cls_name)
    return cls(config, data_dir)


def create_document_store(config: DocumentsConfig, data_dir: Path) -> DocumentStore:
    """Build the DocumentStore adapter named by ``config.type``."""
    store: DocumentStore = _build("documents", config, data_dir)
    return store


def create_search_index(config: SearchConfig, data_dir: Path) -> SearchIndex:
    """Build the SearchIndex adapter named by ``config.type``."""
    index: SearchIndex = _build("search", config, data_dir)
    return index


def create_object_store(config: ObjectsConfig, data_dir: Path) -> ObjectStore:
    """Build the ObjectStore adapter named by ``config.type``."""
    store: ObjectStore = _build("objects", config, data_dir)
    return store


def create_event_bus(config: BusConfig, data_dir: Path, max_message_bytes: int) -> EventBus:
    """Build the EventBus adapter named by ``config.type``."""
    if getattr(config, "max_message_bytes", None) is None:
        config = config.model_copy(update={"max_message_bytes": max_message_bytes})
    bus: EventBus = _build("bus", config, data_dir)
    return bus
