from dlhub_common._proto.dlhub.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ServableEventKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SERVABLE_EVENT_KIND_UNSPECIFIED: _ClassVar[ServableEventKind]
    SERVABLE_EVENT_KIND_PUBLISHED: _ClassVar[ServableEventKind]
    SERVABLE_EVENT_KIND_UPDATED: _ClassVar[ServableEventKind]
    SERVABLE_EVENT_KIND_REMOVED: _ClassVar[ServableEventKind]
SERVABLE_EVENT_KIND_UNSPECIFIED: ServableEventKind
SERVABLE_EVENT_KIND_PUBLISHED: ServableEventKind
SERVABLE_EVENT_KIND_UPDATED: ServableEventKind
SERVABLE_EVENT_KIND_REMOVED: ServableEventKind

class WorkItem(_message.Message):
    __slots__ = ("task_id", "servable", "digest", "servable_type", "artifacts", "inputs", "outputs", "enqueued_unix_ns", "deadline_unix_ns", "model_path", "inputs_json", "runtime_json", "interface_version", "batching", "task_record_json", "caller_token", "outputs_to")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    SERVABLE_FIELD_NUMBER: _ClassVar[int]
    DIGEST_FIELD_NUMBER: _ClassVar[int]
    SERVABLE_TYPE_FIELD_NUMBER: _ClassVar[int]
    ARTIFACTS_FIELD_NUMBER: _ClassVar[int]
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    ENQUEUED_UNIX_NS_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_UNIX_NS_FIELD_NUMBER: _ClassVar[int]
    MODEL_PATH_FIELD_NUMBER: _ClassVar[int]
    INPUTS_JSON_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_JSON_FIELD_NUMBER: _ClassVar[int]
    INTERFACE_VERSION_FIELD_NUMBER: _ClassVar[int]
    BATCHING_FIELD_NUMBER: _ClassVar[int]
    TASK_RECORD_JSON_FIELD_NUMBER: _ClassVar[int]
    CALLER_TOKEN_FIELD_NUMBER: _ClassVar[int]
    OUTPUTS_TO_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    servable: _types_pb2.ServableRef
    digest: str
    servable_type: str
    artifacts: _containers.RepeatedCompositeFieldContainer[_types_pb2.ArtifactRef]
    inputs: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tensor]
    outputs: _containers.RepeatedScalarFieldContainer[str]
    enqueued_unix_ns: int
    deadline_unix_ns: int
    model_path: str
    inputs_json: str
    runtime_json: str
    interface_version: int
    batching: BatchingPolicy
    task_record_json: str
    caller_token: str
    outputs_to: str
    def __init__(self, task_id: _Optional[str] = ..., servable: _Optional[_Union[_types_pb2.ServableRef, _Mapping]] = ..., digest: _Optional[str] = ..., servable_type: _Optional[str] = ..., artifacts: _Optional[_Iterable[_Union[_types_pb2.ArtifactRef, _Mapping]]] = ..., inputs: _Optional[_Iterable[_Union[_types_pb2.Tensor, _Mapping]]] = ..., outputs: _Optional[_Iterable[str]] = ..., enqueued_unix_ns: _Optional[int] = ..., deadline_unix_ns: _Optional[int] = ..., model_path: _Optional[str] = ..., inputs_json: _Optional[str] = ..., runtime_json: _Optional[str] = ..., interface_version: _Optional[int] = ..., batching: _Optional[_Union[BatchingPolicy, _Mapping]] = ..., task_record_json: _Optional[str] = ..., caller_token: _Optional[str] = ..., outputs_to: _Optional[str] = ...) -> None: ...

class BatchingPolicy(_message.Message):
    __slots__ = ("max_batch_size", "max_queue_delay_ms")
    MAX_BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    MAX_QUEUE_DELAY_MS_FIELD_NUMBER: _ClassVar[int]
    max_batch_size: int
    max_queue_delay_ms: float
    def __init__(self, max_batch_size: _Optional[int] = ..., max_queue_delay_ms: _Optional[float] = ...) -> None: ...

class WorkResult(_message.Message):
    __slots__ = ("task_id", "ok", "outputs", "error", "compute_ns", "executor_id", "started_unix_ns", "finished_unix_ns", "output_json", "batch_size", "device", "task_record_json", "staging_ns", "staging_cache_hits", "output_refs")
    class OutputRefsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    OK_FIELD_NUMBER: _ClassVar[int]
    OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    COMPUTE_NS_FIELD_NUMBER: _ClassVar[int]
    EXECUTOR_ID_FIELD_NUMBER: _ClassVar[int]
    STARTED_UNIX_NS_FIELD_NUMBER: _ClassVar[int]
    FINISHED_UNIX_NS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_JSON_FIELD_NUMBER: _ClassVar[int]
    BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    TASK_RECORD_JSON_FIELD_NUMBER: _ClassVar[int]
    STAGING_NS_FIELD_NUMBER: _ClassVar[int]
    STAGING_CACHE_HITS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_REFS_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    ok: bool
    outputs: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tensor]
    error: _types_pb2.ErrorInfo
    compute_ns: int
    executor_id: str
    started_unix_ns: int
    finished_unix_ns: int
    output_json: str
    batch_size: int
    device: str
    task_record_json: str
    staging_ns: int
    staging_cache_hits: int
    output_refs: _containers.ScalarMap[str, str]
    def __init__(self, task_id: _Optional[str] = ..., ok: _Optional[bool] = ..., outputs: _Optional[_Iterable[_Union[_types_pb2.Tensor, _Mapping]]] = ..., error: _Optional[_Union[_types_pb2.ErrorInfo, _Mapping]] = ..., compute_ns: _Optional[int] = ..., executor_id: _Optional[str] = ..., started_unix_ns: _Optional[int] = ..., finished_unix_ns: _Optional[int] = ..., output_json: _Optional[str] = ..., batch_size: _Optional[int] = ..., device: _Optional[str] = ..., task_record_json: _Optional[str] = ..., staging_ns: _Optional[int] = ..., staging_cache_hits: _Optional[int] = ..., output_refs: _Optional[_Mapping[str, str]] = ...) -> None: ...

class TaskControl(_message.Message):
    __slots__ = ("kind", "task_id", "unix_ns")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[TaskControl.Kind]
        KIND_CANCEL: _ClassVar[TaskControl.Kind]
    KIND_UNSPECIFIED: TaskControl.Kind
    KIND_CANCEL: TaskControl.Kind
    KIND_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    UNIX_NS_FIELD_NUMBER: _ClassVar[int]
    kind: TaskControl.Kind
    task_id: str
    unix_ns: int
    def __init__(self, kind: _Optional[_Union[TaskControl.Kind, str]] = ..., task_id: _Optional[str] = ..., unix_ns: _Optional[int] = ...) -> None: ...

class ExecutorAnnouncement(_message.Message):
    __slots__ = ("executor_id", "servables", "unix_ns", "stopping")
    EXECUTOR_ID_FIELD_NUMBER: _ClassVar[int]
    SERVABLES_FIELD_NUMBER: _ClassVar[int]
    UNIX_NS_FIELD_NUMBER: _ClassVar[int]
    STOPPING_FIELD_NUMBER: _ClassVar[int]
    executor_id: str
    servables: _containers.RepeatedScalarFieldContainer[str]
    unix_ns: int
    stopping: bool
    def __init__(self, executor_id: _Optional[str] = ..., servables: _Optional[_Iterable[str]] = ..., unix_ns: _Optional[int] = ..., stopping: _Optional[bool] = ...) -> None: ...

class ServableEvent(_message.Message):
    __slots__ = ("kind", "servable", "event_unix_ns")
    KIND_FIELD_NUMBER: _ClassVar[int]
    SERVABLE_FIELD_NUMBER: _ClassVar[int]
    EVENT_UNIX_NS_FIELD_NUMBER: _ClassVar[int]
    kind: ServableEventKind
    servable: _types_pb2.Servable
    event_unix_ns: int
    def __init__(self, kind: _Optional[_Union[ServableEventKind, str]] = ..., servable: _Optional[_Union[_types_pb2.Servable, _Mapping]] = ..., event_unix_ns: _Optional[int] = ...) -> None: ...
