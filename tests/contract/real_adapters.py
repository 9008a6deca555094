"""Factories of the real-engine adapters under contract test.

Each takes the per-test temporary folder and the running engine
(deploy.local.common.Server) and returns an unstarted adapter that uses names
unique to the test.
"""

from __future__ import annotations

from pathlib import Path

from deploy.local.common import Server
from dlhub_common.ports import DocumentStore, EventBus, ObjectStore, SearchIndex


def make_mongo_documents(tmp_path: Path, server: Server) -> DocumentStore:
    import re
    import uuid

    from dlhub_common.backends import MongoDocumentsConfig, create_document_store

    # One database per test: tmp_path.name (a test name, repeated in every
    # session) plus a random suffix, since a shared stack outlives sessions.
    # FerretDB allows [A-Za-z0-9_-]{1,63}.
    stem = re.sub(r"[^A-Za-z0-9_-]", "_", tmp_path.name)[:44]
    database = f"t_{stem}_{uuid.uuid4().hex[:16]}"
    config = MongoDocumentsConfig(url=server.info["url"], database=database)
    return create_document_store(config, tmp_path)


def make_opensearch_index(tmp_path: Path, server: Server) -> SearchIndex:
    import asyncio
    import contextlib
    import re
    import urllib.request
    import uuid
    from collections.abc import Mapping
    from typing import Any

    from dlhub_common.backends import OpenSearchConfig, create_search_index
    from dlhub_common.ports import SearchQuery, SearchResult

    # An index per test (lowercase, no leading '-', '_' or '+'), unique across
    # sessions too, as a shared stack (make stack-up) outlives them.
    name = re.sub(r"[^a-z0-9-]+", "-", tmp_path.name.lower()).strip("-")[-60:].strip("-")
    config = OpenSearchConfig(
        hosts=[server.info["url"]],
        index=f"t-{name or 'x'}-{uuid.uuid4().hex[:8]}",
        number_of_replicas=0,
    )
    inner = create_search_index(config, tmp_path)

    def drop() -> None:
        request = urllib.request.Request(f"{server.info['url']}/{config.index}", method="DELETE")
        with contextlib.suppress(OSError), urllib.request.urlopen(request, timeout=10):
            pass

    class DroppingIndex(SearchIndex):
        """The adapter, deleting its index on stop: a shared node would otherwise
        collect one index per test until cluster.max_shards_per_node (1000)."""

        async def start(self) -> None:
            await inner.start()

        async def stop(self) -> None:
            await inner.stop()
            await asyncio.to_thread(drop)

        async def ping(self) -> None:
            await inner.ping()

        async def upsert(self, doc_id: str, doc: Mapping[str, Any]) -> None:
            await inner.upsert(doc_id, doc)

        async def delete(self, doc_id: str) -> None:
            await inner.delete(doc_id)

        async def search(self, query: SearchQuery) -> SearchResult:
            return await inner.search(query)

    return DroppingIndex()


def make_s3_objects(tmp_path: Path, server: Server) -> ObjectStore:
    import re
    import uuid

    from pydantic import SecretStr

    from dlhub_common.backends import S3ObjectsConfig, create_object_store

    # A bucket per test (lowercase letters, digits and hyphens, 3-63 characters),
    # unique across sessions too, as a shared stack (make stack-up) outlives them.
    name = re.sub(r"[^a-z0-9-]+", "-", tmp_path.name.lower()).strip("-")[-50:].strip("-")
    config = S3ObjectsConfig(
        bucket=f"t-{name or 'x'}-{uuid.uuid4().hex[:8]}",
        endpoint_url=server.info["endpoint_url"],
        region=server.info.get("region", "us-east-1"),
        access_key_id=SecretStr(server.info["access_key_id"]),
        secret_access_key=SecretStr(server.info["secret_access_key"]),
        part_size_bytes=5 << 20,
    )
    return create_object_store(config, tmp_path)


def make_kafka_bus(tmp_path: Path, server: Server) -> EventBus:
    # Topic and group names get a per-test prefix; Kafka allows [a-zA-Z0-9._-], 249 chars.
    from dlhub_common.backends import KafkaBusConfig, create_event_bus
    from tests.contract.conftest import BUS_MAX_MESSAGE_BYTES

    prefix = "t" + "".join(c if c.isalnum() or c in "._-" else "-" for c in tmp_path.name)
    config = KafkaBusConfig(
        bootstrap_servers=server.info["bootstrap_servers"],
        topic_prefix=f"{prefix[:150]}-",
        num_partitions=3,
        request_timeout_ms=15000,
    )
    return create_event_bus(config, tmp_path, BUS_MAX_MESSAGE_BYTES)
