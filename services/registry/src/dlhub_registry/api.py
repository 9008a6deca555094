"""RegistryApi over the registry core: protobuf in, protobuf out."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from typing import Any

from dlhub_common._proto.dlhub.v1 import registry_pb2, types_pb2
from dlhub_common.audit import AuditQuery
from dlhub_common.errors import FailedPrecondition, InvalidArgument, PermissionDenied
from dlhub_common.identity import current_principal
from dlhub_common.names import Ref, check_slug
from dlhub_common.records import DEPRECATED, WITHDRAWN, servable_pb, summary_pb
from dlhub_registry import retrain_jobs
from dlhub_registry.bindings import BindingRequest
from dlhub_registry.core import AnnouncedArtifact, Registry
from dlhub_registry.publish_jobs import DEFAULT_PAGE, get_job, job_pb, list_jobs
from dlhub_registry.sharing import AccessRequest
from dlhub_registry.uploads import UploadSessions

MAX_PAGE = 1000


def ref_of(pb: object) -> Ref:
    owner = check_slug("owner", getattr(pb, "owner", ""))
    name = check_slug("name", getattr(pb, "name", ""))
    version = int(getattr(pb, "version", 0))
    if version < 0:
        raise InvalidArgument(f"invalid version {version}: expected a positive integer")
    return Ref(owner, name, version)


def decode_page_token(token: str) -> int:
    if not token:
        return 0
    try:
        offset = int(json.loads(base64.urlsafe_b64decode(token.encode()))["o"])
    except (ValueError, KeyError, TypeError):
        raise InvalidArgument("invalid page_token") from None
    if offset < 0:
        raise InvalidArgument("invalid page_token")
    return offset


def encode_page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode()


class RegistryAPI:
    """In-process implementation of dlhub_common.apis.RegistryApi."""

    def __init__(self, core: Registry) -> None:
        self.core = core

    async def publish_servable(
        self, requests: AsyncIterator[registry_pb2.PublishServableRequest]
    ) -> registry_pb2.PublishServableResponse:
        it = aiter(requests)
        first = await anext(it, None)
        if first is None or first.WhichOneof("part") != "header":
            raise InvalidArgument("a publish stream must start with a header message")
        header = first.header
        try:
            metadata = json.loads(header.metadata_json)
        except ValueError as exc:
            raise InvalidArgument(f"metadata_json is not valid JSON: {exc}") from None
        announced = [
            AnnouncedArtifact(a.path, a.size if a.size or a.sha256 else -1, a.sha256.lower())
            for a in header.artifacts
        ]

        uploads = [(u.path, u.upload_id) for u in header.uploads]

        async def chunks() -> AsyncIterator[tuple[str, bytes]]:
            async for msg in it:
                if msg.WhichOneof("part") != "chunk":
                    raise InvalidArgument("only chunk messages may follow the header")
                yield msg.chunk.path, msg.chunk.data

        record = await self.core.publish(
            current_principal.get(), metadata, announced, chunks(), uploads
        )
        return registry_pb2.PublishServableResponse(
            servable=servable_pb(record, latest=True), publish_id=record.get("publish_id", "")
        )

    async def get_publish_job(
        self, request: registry_pb2.GetPublishJobRequest
    ) -> registry_pb2.GetPublishJobResponse:
        doc = await get_job(self.core.docs, current_principal.get(), request.publish_id)
        return registry_pb2.GetPublishJobResponse(job=job_pb(doc))

    async def list_publish_jobs(
        self, request: registry_pb2.ListPublishJobsRequest
    ) -> registry_pb2.ListPublishJobsResponse:
        docs, total = await list_jobs(
            self.core.docs,
            current_principal.get(),
            state=request.state,
            name=request.name,
            offset=request.offset,
            limit=request.page_size or DEFAULT_PAGE,
        )
        return registry_pb2.ListPublishJobsResponse(
            jobs=[job_pb(d, with_log=False) for d in docs], total=total
        )

    def _uploads(self) -> UploadSessions:
        if self.core.uploads is None:
            raise FailedPrecondition("this registry does not offer upload sessions")
        return self.core.uploads

    async def create_upload(
        self, request: registry_pb2.CreateUploadRequest
    ) -> registry_pb2.CreateUploadResponse:
        sessions = self._uploads()
        doc = await sessions.create(
            current_principal.get(), request.path, request.size, request.sha256
        )
        return registry_pb2.CreateUploadResponse(
            upload_id=doc["id"], chunk_size=sessions.chunk_size, received=0
        )

    async def write_upload(
        self, requests: AsyncIterator[registry_pb2.WriteUploadRequest]
    ) -> registry_pb2.WriteUploadResponse:
        async def messages() -> AsyncIterator[tuple[str, int, bytes]]:
            async for msg in requests:
                yield msg.upload_id, msg.offset, msg.data

        received = await self._uploads().write(current_principal.get(), messages())
        return registry_pb2.WriteUploadResponse(received=received)

    async def get_upload(
        self, request: registry_pb2.GetUploadRequest
    ) -> registry_pb2.GetUploadResponse:
        doc = await self._uploads().get(current_principal.get(), request.upload_id)
        received, size = int(doc["received"]), int(doc["size"])
        return registry_pb2.GetUploadResponse(
            received=received, size=size, complete=received == size
        )

    async def get_servable(
        self, request: registry_pb2.GetServableRequest
    ) -> registry_pb2.GetServableResponse:
        record, versions, latest = await self.core.get(current_principal.get(), ref_of(request.ref))
        return registry_pb2.GetServableResponse(
            servable=servable_pb(record, latest=latest),
            versions=versions,
            artifacts=[
                types_pb2.ArtifactRef(
                    path=a["path"], object_key=a["key"], size=a["size"], sha256=a["sha256"]
                )
                for a in record["artifacts"]
            ],
            model_path=record.get("model_path", ""),
            # records of releases before interface versions read as 1
            interface_version=int(record.get("interface_version") or 1),
        )

    async def list_servables(
        self, request: registry_pb2.ListServablesRequest
    ) -> registry_pb2.ListServablesResponse:
        if request.owner:
            check_slug("owner", request.owner)
        size = request.page_size or 50
        if not 0 < size <= MAX_PAGE:
            raise InvalidArgument(f"page_size must be between 1 and {MAX_PAGE}")
        offset = decode_page_token(request.page_token)
        records, total = await self.core.list(
            current_principal.get(),
            owner=request.owner,
            all_versions=request.all_versions,
            offset=offset,
            limit=size,
        )
        nxt = offset + len(records)
        return registry_pb2.ListServablesResponse(
            servables=[summary_pb(r) for r in records],
            total=total,
            next_page_token=encode_page_token(nxt) if nxt < total else "",
        )

    async def list_versions(
        self, request: registry_pb2.ListVersionsRequest
    ) -> registry_pb2.ListVersionsResponse:
        owner = check_slug("owner", request.owner)
        name = check_slug("name", request.name)
        records = await self.core.versions(current_principal.get(), owner, name)
        return registry_pb2.ListVersionsResponse(versions=[summary_pb(r) for r in records])

    async def deprecate_servable(
        self, request: registry_pb2.DeprecateServableRequest
    ) -> registry_pb2.DeprecateServableResponse:
        record = await self.core.set_state(
            current_principal.get(), ref_of(request.ref), DEPRECATED, request.reason
        )
        return registry_pb2.DeprecateServableResponse(servable=summary_pb(record))

    async def withdraw_servable(
        self, request: registry_pb2.WithdrawServableRequest
    ) -> registry_pb2.WithdrawServableResponse:
        record = await self.core.set_state(
            current_principal.get(), ref_of(request.ref), WITHDRAWN, request.reason
        )
        return registry_pb2.WithdrawServableResponse(servable=summary_pb(record))

    async def set_access(
        self, request: registry_pb2.SetAccessRequest
    ) -> registry_pb2.SetAccessResponse:
        result = await self.core.set_access(
            current_principal.get(),
            AccessRequest(
                ref=ref_of(request.ref),
                visible_to=(
                    list(request.visible_to.entries) if request.HasField("visible_to") else None
                ),
                add_co_owners=list(request.add_co_owners),
                remove_co_owners=list(request.remove_co_owners),
            ),
        )
        return registry_pb2.SetAccessResponse(
            servables=[summary_pb(r) for r in result.records],
            changes=[
                registry_pb2.AccessChange(
                    version=int(r["version"]),
                    visible_to_before=result.before[int(r["version"])]["visible_to"],
                    visible_to_after=r.get("visible_to", []),
                    co_owners_before=result.before[int(r["version"])]["co_owners"],
                    co_owners_after=r.get("co_owners", []),
                )
                for r in result.records
            ],
            audit_id=result.audit_id,
        )

    async def list_audit(
        self, request: registry_pb2.ListAuditRequest
    ) -> registry_pb2.ListAuditResponse:
        offset = decode_page_token(request.page_token)
        entries, more = await self.core.audit(
            current_principal.get(),
            AuditQuery(
                actor=request.actor,
                action=request.action,
                target=request.target,
                since=request.since,
                offset=offset,
                limit=request.page_size or 50,
            ),
        )
        return registry_pb2.ListAuditResponse(
            entries=[
                registry_pb2.AuditEntry(
                    id=e["id"],
                    at=e["at"],
                    actor=e["actor"],
                    action=e["action"],
                    target=e["target"],
                    details_json=json.dumps(e.get("details") or {}, sort_keys=True),
                )
                for e in entries
            ],
            next_page_token=encode_page_token(offset + len(entries)) if more else "",
        )

    async def create_binding(
        self, request: registry_pb2.CreateBindingRequest
    ) -> registry_pb2.CreateBindingResponse:
        doc = await self.core.create_binding(
            current_principal.get(),
            BindingRequest(
                topic=request.topic,
                ref=ref_of(request.servable),
                output_topic=request.output_topic,
                dead_letter_topic=request.dead_letter_topic,
                key_field=request.key_field,
                input=request.input,
                max_in_flight=request.max_in_flight,
            ),
        )
        return registry_pb2.CreateBindingResponse(binding=binding_pb(doc))

    async def list_bindings(
        self, request: registry_pb2.ListBindingsRequest
    ) -> registry_pb2.ListBindingsResponse:
        who = current_principal.get()
        if request.include_principals and not who.admin:
            raise PermissionDenied("only administrators may list the creators' principals")
        docs = await self.core.list_bindings(who, everyone=request.all, topic=request.topic)
        return registry_pb2.ListBindingsResponse(
            bindings=[binding_pb(d, principal=request.include_principals) for d in docs]
        )

    async def delete_binding(
        self, request: registry_pb2.DeleteBindingRequest
    ) -> registry_pb2.DeleteBindingResponse:
        doc = await self.core.delete_binding(current_principal.get(), request.id)
        return registry_pb2.DeleteBindingResponse(binding=binding_pb(doc))

    async def retrain_servable(
        self, request: registry_pb2.RetrainServableRequest
    ) -> registry_pb2.RetrainServableResponse:
        ref = ref_of(request.servable)
        doc, merged = await self.core.retrainer.trigger(
            current_principal.get(), ref.owner, ref.name
        )
        return registry_pb2.RetrainServableResponse(job=retrain_jobs.job_pb(doc), merged=merged)

    async def get_retrain_job(
        self, request: registry_pb2.GetRetrainJobRequest
    ) -> registry_pb2.GetRetrainJobResponse:
        doc = await retrain_jobs.visible_job(
            self.core.docs, current_principal.get(), request.job_id[:100]
        )
        return registry_pb2.GetRetrainJobResponse(job=retrain_jobs.job_pb(doc))

    async def list_retrain_jobs(
        self, request: registry_pb2.ListRetrainJobsRequest
    ) -> registry_pb2.ListRetrainJobsResponse:
        ref = ref_of(request.servable)
        size = request.page_size or 50
        if not 0 < size <= MAX_PAGE:
            raise InvalidArgument(f"page_size must be between 1 and {MAX_PAGE}")
        docs = await self.core.retrainer.jobs(current_principal.get(), ref.owner, ref.name, size)
        return registry_pb2.ListRetrainJobsResponse(jobs=[retrain_jobs.job_pb(d) for d in docs])


def binding_pb(doc: dict[str, Any], *, principal: bool = False) -> registry_pb2.StreamBinding:
    pb = registry_pb2.StreamBinding(
        id=doc["id"],
        topic=doc["topic"],
        servable=types_pb2.ServableRef(**doc["servable"]),
        output_topic=doc["output_topic"],
        dead_letter_topic=doc["dead_letter_topic"],
        key_field=doc["key_field"],
        input=doc.get("input", ""),
        creator=doc["creator"],
        created_at=doc["created_at"],
        max_in_flight=int(doc["max_in_flight"]),
    )
    if principal:
        pb.creator_groups.extend(doc.get("creator_groups", []))
        pb.creator_identities.extend(doc.get("creator_identities", []))
        pb.creator_roles.extend(doc.get("creator_roles", []))
    return pb
