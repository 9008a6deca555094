"""Registry core: validate, store and version servables; emit servable events.

:class:`Registry` is the facade the API and the services use. The work is
done in one module per idea:

- :mod:`dlhub_registry.publish`: receive artifacts, publish jobs, discard on
  failure (publishing is all-or-nothing);
- :mod:`dlhub_registry.commit`: check the model, allocate the version, write
  the record, object references, head pointer and PUBLISHED event;
- :mod:`dlhub_registry.lifecycle`: deprecate, withdraw and mint DOIs, with
  their UPDATED events;
- :mod:`dlhub_registry.sharing`: who may see each version and who co-owns
  the servable; every change is in the audit log (:mod:`dlhub_common.audit`);
- :mod:`dlhub_registry.reads`: get, list and resolve the latest version;
- :mod:`dlhub_registry.instances` and :mod:`dlhub_registry.leftovers`: which
  registry processes are alive, and undoing the publishes of dead ones.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from dlhub_common import audit
from dlhub_common.backends import S3ObjectsConfig
from dlhub_common.errors import PermissionDenied, Unauthenticated
from dlhub_common.identity import Principal
from dlhub_common.names import Ref
from dlhub_common.ports import DocumentStore, EventBus, ObjectStore
from dlhub_common.records import SERVABLES
from dlhub_common.retrain_settings import RetrainSettings
from dlhub_common.topics import SEARCH_GROUP, SERVABLE_EVENTS
from dlhub_common.training_spec import Trainer
from dlhub_registry import bindings, lifecycle, reads, sharing
from dlhub_registry.commit import (
    INTERFACE_VERSION,
    METADATA_PATH,
    OBJECT_REFS,
    RESERVED_PATHS,
    onnx_runtime_requirement,
)
from dlhub_registry.datacite import DataCiteClient
from dlhub_registry.instances import INSTANCES, Instance
from dlhub_registry.leftovers import LeftoverCollector
from dlhub_registry.lifecycle import MAX_REASON_CHARS
from dlhub_registry.publish import MAX_ARTIFACTS, AnnouncedArtifact, Publisher, check_artifact_path
from dlhub_registry.publish_jobs import PUBLISH_JOBS
from dlhub_registry.reads import HEADS
from dlhub_registry.retrain import Retrainer
from dlhub_registry.uploads import UploadSessions

__all__ = [
    "HEADS",
    "INTERFACE_VERSION",
    "MAX_ARTIFACTS",
    "MAX_REASON_CHARS",
    "METADATA_PATH",
    "OBJECT_REFS",
    "RESERVED_PATHS",
    "AnnouncedArtifact",
    "Registry",
    "check_artifact_path",
    "onnx_runtime_requirement",
]


class Registry:
    """Servable lifecycle over a DocumentStore, an ObjectStore and an EventBus."""

    def __init__(
        self,
        docs: DocumentStore,
        objects: ObjectStore,
        bus: EventBus,
        *,
        max_artifact_bytes: int,
        scratch_dir: Path | None = None,
        datacite: DataCiteClient | None = None,
        uploads: UploadSessions | None = None,
        instance_dead_after_s: float = 60.0,
        leftovers_interval_s: float = 300.0,
        incomplete_grace_s: float = 24 * 3600.0,
        retrain: RetrainSettings | None = None,
        retrain_s3: S3ObjectsConfig | None = None,
        trainer: Trainer | None = None,
    ) -> None:
        self.docs = docs
        self.objects = objects
        self.bus = bus
        # Mints a DOI for every published version when DataCite is configured.
        self.datacite = datacite
        # Resumable upload sessions (large artifacts); None: not offered.
        self.uploads = uploads
        # This process, with a heartbeat: publish jobs name it.
        self.instance = Instance(docs, dead_after_s=instance_dead_after_s)
        self.leftovers = LeftoverCollector(
            docs,
            objects,
            self.instance,
            uploads,
            interval_s=leftovers_interval_s,
            grace_s=incomplete_grace_s,
            bus=bus,
        )
        self._publisher = Publisher(
            docs,
            objects,
            bus,
            max_artifact_bytes=max_artifact_bytes,
            scratch_dir=scratch_dir,
            datacite=datacite,
            uploads=uploads,
            instance_id=self.instance.id,
        )
        # Training recipes, their triggers and retrain jobs (dlhub_registry.retrain).
        self.retrainer = Retrainer(
            docs,
            objects,
            bus,
            self.instance,
            self.publish,
            config=retrain or RetrainSettings(),
            s3=retrain_s3,
            trainer=trainer,
            scratch_dir=scratch_dir,
        )

    async def start(self) -> None:
        await self.docs.ensure_index(SERVABLES, ["owner", "name", "version"], unique=True)
        await self.docs.ensure_index(OBJECT_REFS, ["key"])
        # Events published before the indexer first joins must wait for it.
        await self.bus.ensure_group([SERVABLE_EVENTS], SEARCH_GROUP)
        await self.docs.ensure_index(HEADS, ["owner"])
        await self.docs.ensure_index(PUBLISH_JOBS, ["owner"])
        await self.docs.ensure_index(PUBLISH_JOBS, ["state"])
        await self.docs.ensure_index(INSTANCES, ["host"])
        await self.docs.ensure_index(sharing.ACCESS_CHANGES, ["state"])
        await audit.ensure_indexes(self.docs)
        await bindings.ensure_indexes(self.docs)
        await self.instance.start()
        if self.uploads is not None:
            await self.uploads.start()
        # after the uploads: recovery removes sessions of committed publishes
        await self.leftovers.start()
        await self.retrainer.start()

    async def stop(self) -> None:
        await self.retrainer.stop()
        await self.leftovers.stop()
        if self.uploads is not None:
            await self.uploads.stop()
        await self.instance.stop()

    # ------------------------------------------------------------ publish

    async def publish(
        self,
        principal: Principal,
        metadata_doc: Any,
        announced: list[AnnouncedArtifact],
        chunks: AsyncIterator[tuple[str, bytes]],
        uploads: list[tuple[str, str]] | None = None,
    ) -> dict[str, Any]:
        """Publish a new version as a publish job; returns the stored record
        with ``publish_id`` added (see :meth:`Publisher.publish
        <dlhub_registry.publish.Publisher.publish>`)."""
        record = await self._publisher.publish(principal, metadata_doc, announced, chunks, uploads)
        await self.retrainer.remember(record)
        return record

    # ------------------------------------------------------------ DOIs

    async def mint_doi(self, principal: Principal, ref: Ref) -> dict[str, Any]:
        """Mint the DOI of one version now (see :func:`dlhub_registry.lifecycle.mint_doi`)."""
        return await lifecycle.mint_doi(self.docs, self.bus, self.datacite, principal, ref)

    # ------------------------------------------------------------ stream bindings

    async def create_binding(
        self, principal: Principal, request: bindings.BindingRequest
    ) -> dict[str, Any]:
        """Store a stream binding (see :func:`dlhub_registry.bindings.create`)."""
        return await bindings.create(self.docs, self.bus, principal, request)

    async def list_bindings(
        self, principal: Principal, *, everyone: bool = False, topic: str = ""
    ) -> list[dict[str, Any]]:
        """The caller's stream bindings (see :func:`dlhub_registry.bindings.listed`)."""
        return await bindings.listed(self.docs, principal, everyone=everyone, topic=topic)

    async def delete_binding(self, principal: Principal, binding_id: str) -> dict[str, Any]:
        """Remove a stream binding (see :func:`dlhub_registry.bindings.delete`)."""
        return await bindings.delete(self.docs, principal, binding_id)

    # ------------------------------------------------------------ read

    async def get(self, principal: Principal, ref: Ref) -> tuple[dict[str, Any], list[int], bool]:
        """Return (record, visible versions ascending, is_latest)
        (see :func:`dlhub_registry.reads.get`)."""
        return await reads.get(self.docs, principal, ref)

    async def versions(self, principal: Principal, owner: str, name: str) -> list[dict[str, Any]]:
        """Every version of ``owner/name`` the caller may see, ascending
        (see :func:`dlhub_registry.reads.versions`)."""
        return await reads.versions(self.docs, principal, owner, name)

    async def list(
        self,
        principal: Principal,
        *,
        owner: str = "",
        all_versions: bool = False,
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[list[dict[str, Any]], int]:
        """Servables the caller may see, newest first; returns (page, total)."""
        return await reads.list_servables(
            self.docs,
            principal,
            owner=owner,
            all_versions=all_versions,
            offset=offset,
            limit=limit,
        )

    # ------------------------------------------------------------ lifecycle

    async def set_state(
        self, principal: Principal, ref: Ref, state: str, reason: str
    ) -> dict[str, Any]:
        """Deprecate or withdraw one version (the latest when ``ref.version`` is 0)
        (see :func:`dlhub_registry.lifecycle.set_state`)."""
        return await lifecycle.set_state(self.docs, self.bus, principal, ref, state, reason)

    # ------------------------------------------------------------ access

    async def set_access(
        self, principal: Principal, request: sharing.AccessRequest
    ) -> sharing.AccessResult:
        """Change who may see one or every version and who co-owns the servable
        (see :func:`dlhub_registry.sharing.set_access`)."""
        return await sharing.set_access(
            self.docs, self.bus, principal, request, instance_id=self.instance.id
        )

    # ------------------------------------------------------------ audit

    async def audit(
        self, principal: Principal, query: audit.AuditQuery
    ) -> tuple[list[dict[str, Any]], bool]:
        """One page of the audit log, newest first, and whether more follow.

        Raises:
            Unauthenticated: anonymous caller.
            PermissionDenied: the caller is not an administrator.
        """
        if principal.anonymous:
            raise Unauthenticated("the audit log is for administrators: sign in (pass a token)")
        if not principal.admin:
            raise PermissionDenied("only administrators may read the audit log")
        return await audit.entries(self.docs, query)
