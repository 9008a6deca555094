from dlhub_common._proto.dlhub.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PublishServableRequest(_message.Message):
    __slots__ = ("header", "chunk")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    header: PublishHeader
    chunk: ArtifactChunk
    def __init__(self, header: _Optional[_Union[PublishHeader, _Mapping]] = ..., chunk: _Optional[_Union[ArtifactChunk, _Mapping]] = ...) -> None: ...

class PublishHeader(_message.Message):
    __slots__ = ("metadata_json", "artifacts", "uploads")
    METADATA_JSON_FIELD_NUMBER: _ClassVar[int]
    ARTIFACTS_FIELD_NUMBER: _ClassVar[int]
    UPLOADS_FIELD_NUMBER: _ClassVar[int]
    metadata_json: str
    artifacts: _containers.RepeatedCompositeFieldContainer[ArtifactInfo]
    uploads: _containers.RepeatedCompositeFieldContainer[UploadRef]
    def __init__(self, metadata_json: _Optional[str] = ..., artifacts: _Optional[_Iterable[_Union[ArtifactInfo, _Mapping]]] = ..., uploads: _Optional[_Iterable[_Union[UploadRef, _Mapping]]] = ...) -> None: ...

class UploadRef(_message.Message):
    __slots__ = ("path", "upload_id")
    PATH_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_ID_FIELD_NUMBER: _ClassVar[int]
    path: str
    upload_id: str
    def __init__(self, path: _Optional[str] = ..., upload_id: _Optional[str] = ...) -> None: ...

class ArtifactInfo(_message.Message):
    __slots__ = ("path", "size", "sha256")
    PATH_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    path: str
    size: int
    sha256: str
    def __init__(self, path: _Optional[str] = ..., size: _Optional[int] = ..., sha256: _Optional[str] = ...) -> None: ...

class ArtifactChunk(_message.Message):
    __slots__ = ("path", "data")
    PATH_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    path: str
    data: bytes
    def __init__(self, path: _Optional[str] = ..., data: _Optional[bytes] = ...) -> None: ...

class PublishServableResponse(_message.Message):
    __slots__ = ("servable", "publish_id")
    SERVABLE_FIELD_NUMBER: _ClassVar[int]
    PUBLISH_ID_FIELD_NUMBER: _ClassVar[int]
    servable: _types_pb2.Servable
    publish_id: str
    def __init__(self, servable: _Optional[_Union[_types_pb2.Servable, _Mapping]] = ..., publish_id: _Optional[str] = ...) -> None: ...

class GetServableRequest(_message.Message):
    __slots__ = ("ref",)
    REF_FIELD_NUMBER: _ClassVar[int]
    ref: _types_pb2.ServableRef
    def __init__(self, ref: _Optional[_Union[_types_pb2.ServableRef, _Mapping]] = ...) -> None: ...

class GetServableResponse(_message.Message):
    __slots__ = ("servable", "versions", "artifacts", "model_path", "interface_version")
    SERVABLE_FIELD_NUMBER: _ClassVar[int]
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    ARTIFACTS_FIELD_NUMBER: _ClassVar[int]
    MODEL_PATH_FIELD_NUMBER: _ClassVar[int]
    INTERFACE_VERSION_FIELD_NUMBER: _ClassVar[int]
    servable: _types_pb2.Servable
    versions: _containers.RepeatedScalarFieldContainer[int]
    artifacts: _containers.RepeatedCompositeFieldContainer[_types_pb2.ArtifactRef]
    model_path: str
    interface_version: int
    def __init__(self, servable: _Optional[_Union[_types_pb2.Servable, _Mapping]] = ..., versions: _Optional[_Iterable[int]] = ..., artifacts: _Optional[_Iterable[_Union[_types_pb2.ArtifactRef, _Mapping]]] = ..., model_path: _Optional[str] = ..., interface_version: _Optional[int] = ...) -> None: ...

class ListServablesRequest(_message.Message):
    __slots__ = ("owner", "page_size", "page_token", "all_versions")
    OWNER_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ALL_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    owner: str
    page_size: int
    page_token: str
    all_versions: bool
    def __init__(self, owner: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., all_versions: _Optional[bool] = ...) -> None: ...

class ListServablesResponse(_message.Message):
    __slots__ = ("servables", "next_page_token", "total")
    SERVABLES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    servables: _containers.RepeatedCompositeFieldContainer[_types_pb2.ServableSummary]
    next_page_token: str
    total: int
    def __init__(self, servables: _Optional[_Iterable[_Union[_types_pb2.ServableSummary, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total: _Optional[int] = ...) -> None: ...

class ListVersionsRequest(_message.Message):
    __slots__ = ("owner", "name")
    OWNER_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    owner: str
    name: str
    def __init__(self, owner: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class ListVersionsResponse(_message.Message):
    __slots__ = ("versions",)
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    versions: _containers.RepeatedCompositeFieldContainer[_types_pb2.ServableSummary]
    def __init__(self, versions: _Optional[_Iterable[_Union[_types_pb2.ServableSummary, _Mapping]]] = ...) -> None: ...

class DeprecateServableRequest(_message.Message):
    __slots__ = ("ref", "reason")
    REF_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ref: _types_pb2.ServableRef
    reason: str
    def __init__(self, ref: _Optional[_Union[_types_pb2.ServableRef, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class DeprecateServableResponse(_message.Message):
    __slots__ = ("servable",)
    SERVABLE_FIELD_NUMBER: _ClassVar[int]
    servable: _types_pb2.ServableSummary
    def __init__(self, servable: _Optional[_Union[_types_pb2.ServableSummary, _Mapping]] = ...) -> None: ...

class WithdrawServableRequest(_message.Message):
    __slots__ = ("ref", "reason")
    REF_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ref: _types_pb2.ServableRef
    reason: str
    def __init__(self, ref: _Optional[_Union[_types_pb2.ServableRef, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class WithdrawServableResponse(_message.Message):
    __slots__ = ("servable",)
    SERVABLE_FIELD_NUMBER: _ClassVar[int]
    servable: _types_pb2.ServableSummary
    def __init__(self, servable: _Optional[_Union[_types_pb2.ServableSummary, _Mapping]] = ...) -> None: ...

class CreateUploadRequest(_message.Message):
    __slots__ = ("path", "size", "sha256")
    PATH_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    path: str
    size: int
    sha256: str
    def __init__(self, path: _Optional[str] = ..., size: _Optional[int] = ..., sha256: _Optional[str] = ...) -> None: ...

class CreateUploadResponse(_message.Message):
    __slots__ = ("upload_id", "chunk_size", "received")
    UPLOAD_ID_FIELD_NUMBER: _ClassVar[int]
    CHUNK_SIZE_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_FIELD_NUMBER: _ClassVar[int]
    upload_id: str
    chunk_size: int
    received: int
    def __init__(self, upload_id: _Optional[str] = ..., chunk_size: _Optional[int] = ..., received: _Optional[int] = ...) -> None: ...

class WriteUploadRequest(_message.Message):
    __slots__ = ("upload_id", "offset", "data")
    UPLOAD_ID_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    upload_id: str
    offset: int
    data: bytes
    def __init__(self, upload_id: _Optional[str] = ..., offset: _Optional[int] = ..., data: _Optional[bytes] = ...) -> None: ...

class WriteUploadResponse(_message.Message):
    __slots__ = ("received",)
    RECEIVED_FIELD_NUMBER: _ClassVar[int]
    received: int
    def __init__(self, received: _Optional[int] = ...) -> None: ...

class GetUploadRequest(_message.Message):
    __slots__ = ("upload_id",)
    UPLOAD_ID_FIELD_NUMBER: _ClassVar[int]
    upload_id: str
    def __init__(self, upload_id: _Optional[str] = ...) -> None: ...

class GetUploadResponse(_message.Message):
    __slots__ = ("received", "size", "complete")
    RECEIVED_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    COMPLETE_FIELD_NUMBER: _ClassVar[int]
    received: int
    size: int
    complete: bool
    def __init__(self, received: _Optional[int] = ..., size: _Optional[int] = ..., complete: _Optional[bool] = ...) -> None: ...

class GetPublishJobRequest(_message.Message):
    __slots__ = ("publish_id",)
    PUBLISH_ID_FIELD_NUMBER: _ClassVar[int]
    publish_id: str
    def __init__(self, publish_id: _Optional[str] = ...) -> None: ...

class GetPublishJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: PublishJob
    def __init__(self, job: _Optional[_Union[PublishJob, _Mapping]] = ...) -> None: ...

class ListPublishJobsRequest(_message.Message):
    __slots__ = ("state", "name", "offset", "page_size")
    STATE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    state: str
    name: str
    offset: int
    page_size: int
    def __init__(self, state: _Optional[str] = ..., name: _Optional[str] = ..., offset: _Optional[int] = ..., page_size: _Optional[int] = ...) -> None: ...

class ListPublishJobsResponse(_message.Message):
    __slots__ = ("jobs", "total")
    JOBS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    jobs: _containers.RepeatedCompositeFieldContainer[PublishJob]
    total: int
    def __init__(self, jobs: _Optional[_Iterable[_Union[PublishJob, _Mapping]]] = ..., total: _Optional[int] = ...) -> None: ...

class PublishJob(_message.Message):
    __slots__ = ("id", "owner", "state", "servable", "started_at", "finished_at", "log", "error_code")
    ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    SERVABLE_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    LOG_FIELD_NUMBER: _ClassVar[int]
    ERROR_CODE_FIELD_NUMBER: _ClassVar[int]
    id: str
    owner: str
    state: str
    servable: _types_pb2.ServableRef
    started_at: str
    finished_at: str
    log: _containers.RepeatedScalarFieldContainer[str]
    error_code: str
    def __init__(self, id: _Optional[str] = ..., owner: _Optional[str] = ..., state: _Optional[str] = ..., servable: _Optional[_Union[_types_pb2.ServableRef, _Mapping]] = ..., started_at: _Optional[str] = ..., finished_at: _Optional[str] = ..., log: _Optional[_Iterable[str]] = ..., error_code: _Optional[str] = ...) -> None: ...

class VisibleTo(_message.Message):
    __slots__ = ("entries",)
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, entries: _Optional[_Iterable[str]] = ...) -> None: ...

class SetAccessRequest(_message.Message):
    __slots__ = ("ref", "visible_to", "add_co_owners", "remove_co_owners")
    REF_FIELD_NUMBER: _ClassVar[int]
    VISIBLE_TO_FIELD_NUMBER: _ClassVar[int]
    ADD_CO_OWNERS_FIELD_NUMBER: _ClassVar[int]
    REMOVE_CO_OWNERS_FIELD_NUMBER: _ClassVar[int]
    ref: _types_pb2.ServableRef
    visible_to: VisibleTo
    add_co_owners: _containers.RepeatedScalarFieldContainer[str]
    remove_co_owners: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, ref: _Optional[_Union[_types_pb2.ServableRef, _Mapping]] = ..., visible_to: _Optional[_Union[VisibleTo, _Mapping]] = ..., add_co_owners: _Optional[_Iterable[str]] = ..., remove_co_owners: _Optional[_Iterable[str]] = ...) -> None: ...

class AccessChange(_message.Message):
    __slots__ = ("version", "visible_to_before", "visible_to_after", "co_owners_before", "co_owners_after")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    VISIBLE_TO_BEFORE_FIELD_NUMBER: _ClassVar[int]
    VISIBLE_TO_AFTER_FIELD_NUMBER: _ClassVar[int]
    CO_OWNERS_BEFORE_FIELD_NUMBER: _ClassVar[int]
    CO_OWNERS_AFTER_FIELD_NUMBER: _ClassVar[int]
    version: int
    visible_to_before: _containers.RepeatedScalarFieldContainer[str]
    visible_to_after: _containers.RepeatedScalarFieldContainer[str]
    co_owners_before: _containers.RepeatedScalarFieldContainer[str]
    co_owners_after: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, version: _Optional[int] = ..., visible_to_before: _Optional[_Iterable[str]] = ..., visible_to_after: _Optional[_Iterable[str]] = ..., co_owners_before: _Optional[_Iterable[str]] = ..., co_owners_after: _Optional[_Iterable[str]] = ...) -> None: ...

class SetAccessResponse(_message.Message):
    __slots__ = ("servables", "changes", "audit_id")
    SERVABLES_FIELD_NUMBER: _ClassVar[int]
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    AUDIT_ID_FIELD_NUMBER: _ClassVar[int]
    servables: _containers.RepeatedCompositeFieldContainer[_types_pb2.ServableSummary]
    changes: _containers.RepeatedCompositeFieldContainer[AccessChange]
    audit_id: str
    def __init__(self, servables: _Optional[_Iterable[_Union[_types_pb2.ServableSummary, _Mapping]]] = ..., changes: _Optional[_Iterable[_Union[AccessChange, _Mapping]]] = ..., audit_id: _Optional[str] = ...) -> None: ...

class ListAuditRequest(_message.Message):
    __slots__ = ("actor", "action", "target", "since", "page_size", "page_token")
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    actor: str
    action: str
    target: str
    since: str
    page_size: int
    page_token: str
    def __init__(self, actor: _Optional[str] = ..., action: _Optional[str] = ..., target: _Optional[str] = ..., since: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class AuditEntry(_message.Message):
    __slots__ = ("id", "at", "actor", "action", "target", "details_json")
    ID_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    DETAILS_JSON_FIELD_NUMBER: _ClassVar[int]
    id: str
    at: str
    actor: str
    action: str
    target: str
    details_json: str
    def __init__(self, id: _Optional[str] = ..., at: _Optional[str] = ..., actor: _Optional[str] = ..., action: _Optional[str] = ..., target: _Optional[str] = ..., details_json: _Optional[str] = ...) -> None: ...

class ListAuditResponse(_message.Message):
    __slots__ = ("entries", "next_page_token")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[AuditEntry]
    next_page_token: str
    def __init__(self, entries: _Optional[_Iterable[_Union[AuditEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class StreamBinding(_message.Message):
    __slots__ = ("id", "topic", "servable", "output_topic", "dead_letter_topic", "key_field", "input", "creator", "created_at", "max_in_flight", "creator_groups", "creator_identities", "creator_roles")
    ID_FIELD_NUMBER: _ClassVar[int]
    TOPIC_FIELD_NUMBER: _ClassVar[int]
    SERVABLE_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TOPIC_FIELD_NUMBER: _ClassVar[int]
    DEAD_LETTER_TOPIC_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    MAX_IN_FLIGHT_FIELD_NUMBER: _ClassVar[int]
    CREATOR_GROUPS_FIELD_NUMBER: _ClassVar[int]
    CREATOR_IDENTITIES_FIELD_NUMBER: _ClassVar[int]
    CREATOR_ROLES_FIELD_NUMBER: _ClassVar[int]
    id: str
    topic: str
    servable: _types_pb2.ServableRef
    output_topic: str
    dead_letter_topic: str
    key_field: str
    input: str
    creator: str
    created_at: str
    max_in_flight: int
    creator_groups: _containers.RepeatedScalarFieldContainer[str]
    creator_identities: _containers.RepeatedScalarFieldContainer[str]
    creator_roles: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[str] = ..., topic: _Optional[str] = ..., servable: _Optional[_Union[_types_pb2.ServableRef, _Mapping]] = ..., output_topic: _Optional[str] = ..., dead_letter_topic: _Optional[str] = ..., key_field: _Optional[str] = ..., input: _Optional[str] = ..., creator: _Optional[str] = ..., created_at: _Optional[str] = ..., max_in_flight: _Optional[int] = ..., creator_groups: _Optional[_Iterable[str]] = ..., creator_identities: _Optional[_Iterable[str]] = ..., creator_roles: _Optional[_Iterable[str]] = ...) -> None: ...

class CreateBindingRequest(_message.Message):
    __slots__ = ("topic", "servable", "output_topic", "dead_letter_topic", "key_field", "input", "max_in_flight")
    TOPIC_FIELD_NUMBER: _ClassVar[int]
    SERVABLE_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TOPIC_FIELD_NUMBER: _ClassVar[int]
    DEAD_LETTER_TOPIC_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    MAX_IN_FLIGHT_FIELD_NUMBER: _ClassVar[int]
    topic: str
    servable: _types_pb2.ServableRef
    output_topic: str
    dead_letter_topic: str
    key_field: str
    input: str
    max_in_flight: int
    def __init__(self, topic: _Optional[str] = ..., servable: _Optional[_Union[_types_pb2.ServableRef, _Mapping]] = ..., output_topic: _Optional[str] = ..., dead_letter_topic: _Optional[str] = ..., key_field: _Optional[str] = ..., input: _Optional[str] = ..., max_in_flight: _Optional[int] = ...) -> None: ...

class CreateBindingResponse(_message.Message):
    __slots__ = ("binding",)
    BINDING_FIELD_NUMBER: _ClassVar[int]
    binding: StreamBinding
    def __init__(self, binding: _Optional[_Union[StreamBinding, _Mapping]] = ...) -> None: ...

class ListBindingsRequest(_message.Message):
    __slots__ = ("all", "include_principals", "topic")
    ALL_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_PRINCIPALS_FIELD_NUMBER: _ClassVar[int]
    TOPIC_FIELD_NUMBER: _ClassVar[int]
    all: bool
    include_principals: bool
    topic: str
    def __init__(self, all: _Optional[bool] = ..., include_principals: _Optional[bool] = ..., topic: _Optional[str] = ...) -> None: ...

class ListBindingsResponse(_message.Message):
    __slots__ = ("bindings",)
    BINDINGS_FIELD_NUMBER: _ClassVar[int]
    bindings: _containers.RepeatedCompositeFieldContainer[StreamBinding]
    def __init__(self, bindings: _Optional[_Iterable[_Union[StreamBinding, _Mapping]]] = ...) -> None: ...

class DeleteBindingRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class DeleteBindingResponse(_message.Message):
    __slots__ = ("binding",)
    BINDING_FIELD_NUMBER: _ClassVar[int]
    binding: StreamBinding
    def __init__(self, binding: _Optional[_Union[StreamBinding, _Mapping]] = ...) -> None: ...

class RetrainJob(_message.Message):
    __slots__ = ("id", "owner", "name", "base_version", "trigger", "state", "started_at", "finished_at", "log", "error_code", "error", "traceback", "data_digest", "data_objects", "metric", "score", "previous_score", "has_score", "reason", "version", "publish_id", "candidate")
    ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    BASE_VERSION_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    LOG_FIELD_NUMBER: _ClassVar[int]
    ERROR_CODE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    TRACEBACK_FIELD_NUMBER: _ClassVar[int]
    DATA_DIGEST_FIELD_NUMBER: _ClassVar[int]
    DATA_OBJECTS_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_SCORE_FIELD_NUMBER: _ClassVar[int]
    HAS_SCORE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    PUBLISH_ID_FIELD_NUMBER: _ClassVar[int]
    CANDIDATE_FIELD_NUMBER: _ClassVar[int]
    id: str
    owner: str
    name: str
    base_version: int
    trigger: str
    state: str
    started_at: str
    finished_at: str
    log: _containers.RepeatedScalarFieldContainer[str]
    error_code: str
    error: str
    traceback: str
    data_digest: str
    data_objects: _containers.RepeatedScalarFieldContainer[str]
    metric: str
    score: float
    previous_score: float
    has_score: bool
    reason: str
    version: int
    publish_id: str
    candidate: _containers.RepeatedCompositeFieldContainer[_types_pb2.ArtifactRef]
    def __init__(self, id: _Optional[str] = ..., owner: _Optional[str] = ..., name: _Optional[str] = ..., base_version: _Optional[int] = ..., trigger: _Optional[str] = ..., state: _Optional[str] = ..., started_at: _Optional[str] = ..., finished_at: _Optional[str] = ..., log: _Optional[_Iterable[str]] = ..., error_code: _Optional[str] = ..., error: _Optional[str] = ..., traceback: _Optional[str] = ..., data_digest: _Optional[str] = ..., data_objects: _Optional[_Iterable[str]] = ..., metric: _Optional[str] = ..., score: _Optional[float] = ..., previous_score: _Optional[float] = ..., has_score: _Optional[bool] = ..., reason: _Optional[str] = ..., version: _Optional[int] = ..., publish_id: _Optional[str] = ..., candidate: _Optional[_Iterable[_Union[_types_pb2.ArtifactRef, _Mapping]]] = ...) -> None: ...

class RetrainServableRequest(_message.Message):
    __slots__ = ("servable",)
    SERVABLE_FIELD_NUMBER: _ClassVar[int]
    servable: _types_pb2.ServableRef
    def __init__(self, servable: _Optional[_Union[_types_pb2.ServableRef, _Mapping]] = ...) -> None: ...

class RetrainServableResponse(_message.Message):
    __slots__ = ("job", "merged")
    JOB_FIELD_NUMBER: _ClassVar[int]
    MERGED_FIELD_NUMBER: _ClassVar[int]
    job: RetrainJob
    merged: bool
    def __init__(self, job: _Optional[_Union[RetrainJob, _Mapping]] = ..., merged: _Optional[bool] = ...) -> None: ...

class GetRetrainJobRequest(_message.Message):
    __slots__ = ("job_id",)
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    def __init__(self, job_id: _Optional[str] = ...) -> None: ...

class GetRetrainJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: RetrainJob
    def __init__(self, job: _Optional[_Union[RetrainJob, _Mapping]] = ...) -> None: ...

class ListRetrainJobsRequest(_message.Message):
    __slots__ = ("servable", "page_size")
    SERVABLE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    servable: _types_pb2.ServableRef
    page_size: int
    def __init__(self, servable: _Optional[_Union[_types_pb2.ServableRef, _Mapping]] = ..., page_size: _Optional[int] = ...) -> None: ...

class ListRetrainJobsResponse(_message.Message):
    __slots__ = ("jobs",)
    JOBS_FIELD_NUMBER: _ClassVar[int]
    jobs: _containers.RepeatedCompositeFieldContainer[RetrainJob]
    def __init__(self, jobs: _Optional[_Iterable[_Union[RetrainJob, _Mapping]]] = ...) -> None: ...
