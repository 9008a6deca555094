from dlhub_common._proto.dlhub.v1 import benchmarks_pb2 as _benchmarks_pb2
from dlhub_common._proto.dlhub.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TaskState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TASK_STATE_UNSPECIFIED: _ClassVar[TaskState]
    TASK_STATE_QUEUED: _ClassVar[TaskState]
    TASK_STATE_RUNNING: _ClassVar[TaskState]
    TASK_STATE_SUCCEEDED: _ClassVar[TaskState]
    TASK_STATE_FAILED: _ClassVar[TaskState]
    TASK_STATE_CANCELLED: _ClassVar[TaskState]
TASK_STATE_UNSPECIFIED: TaskState
TASK_STATE_QUEUED: TaskState
TASK_STATE_RUNNING: TaskState
TASK_STATE_SUCCEEDED: TaskState
TASK_STATE_FAILED: TaskState
TASK_STATE_CANCELLED: TaskState

class TaskTimings(_message.Message):
    __slots__ = ("queue_ms", "compute_ms", "total_ms", "batch_size", "cache_hit", "device", "staging_ms", "staging_cache_hits")
    QUEUE_MS_FIELD_NUMBER: _ClassVar[int]
    COMPUTE_MS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_MS_FIELD_NUMBER: _ClassVar[int]
    BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    CACHE_HIT_FIELD_NUMBER: _ClassVar[int]
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    STAGING_MS_FIELD_NUMBER: _ClassVar[int]
    STAGING_CACHE_HITS_FIELD_NUMBER: _ClassVar[int]
    queue_ms: float
    compute_ms: float
    total_ms: float
    batch_size: int
    cache_hit: bool
    device: str
    staging_ms: float
    staging_cache_hits: int
    def __init__(self, queue_ms: _Optional[float] = ..., compute_ms: _Optional[float] = ..., total_ms: _Optional[float] = ..., batch_size: _Optional[int] = ..., cache_hit: _Optional[bool] = ..., device: _Optional[str] = ..., staging_ms: _Optional[float] = ..., staging_cache_hits: _Optional[int] = ...) -> None: ...

class Task(_message.Message):
    __slots__ = ("task_id", "state", "servable", "outputs", "error", "timings", "created_at", "completed_at", "warnings", "output_json", "output_refs", "steps")
    class OutputRefsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    SERVABLE_FIELD_NUMBER: _ClassVar[int]
    OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    TIMINGS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_JSON_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_REFS_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    state: TaskState
    servable: _types_pb2.ServableRef
    outputs: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tensor]
    error: _types_pb2.ErrorInfo
    timings: TaskTimings
    created_at: str
    completed_at: str
    warnings: _containers.RepeatedScalarFieldContainer[str]
    output_json: str
    output_refs: _containers.ScalarMap[str, str]
    steps: _containers.RepeatedCompositeFieldContainer[PipelineStep]
    def __init__(self, task_id: _Optional[str] = ..., state: _Optional[_Union[TaskState, str]] = ..., servable: _Optional[_Union[_types_pb2.ServableRef, _Mapping]] = ..., outputs: _Optional[_Iterable[_Union[_types_pb2.Tensor, _Mapping]]] = ..., error: _Optional[_Union[_types_pb2.ErrorInfo, _Mapping]] = ..., timings: _Optional[_Union[TaskTimings, _Mapping]] = ..., created_at: _Optional[str] = ..., completed_at: _Optional[str] = ..., warnings: _Optional[_Iterable[str]] = ..., output_json: _Optional[str] = ..., output_refs: _Optional[_Mapping[str, str]] = ..., steps: _Optional[_Iterable[_Union[PipelineStep, _Mapping]]] = ...) -> None: ...

class PipelineStep(_message.Message):
    __slots__ = ("name", "servable", "state", "task_id", "timings", "error", "outputs", "output_json", "started_at", "completed_at", "output_bytes_not_kept")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SERVABLE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    TIMINGS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_JSON_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_BYTES_NOT_KEPT_FIELD_NUMBER: _ClassVar[int]
    name: str
    servable: _types_pb2.ServableRef
    state: TaskState
    task_id: str
    timings: TaskTimings
    error: _types_pb2.ErrorInfo
    outputs: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tensor]
    output_json: str
    started_at: str
    completed_at: str
    output_bytes_not_kept: int
    def __init__(self, name: _Optional[str] = ..., servable: _Optional[_Union[_types_pb2.ServableRef, _Mapping]] = ..., state: _Optional[_Union[TaskState, str]] = ..., task_id: _Optional[str] = ..., timings: _Optional[_Union[TaskTimings, _Mapping]] = ..., error: _Optional[_Union[_types_pb2.ErrorInfo, _Mapping]] = ..., outputs: _Optional[_Iterable[_Union[_types_pb2.Tensor, _Mapping]]] = ..., output_json: _Optional[str] = ..., started_at: _Optional[str] = ..., completed_at: _Optional[str] = ..., output_bytes_not_kept: _Optional[int] = ...) -> None: ...

class RunServableRequest(_message.Message):
    __slots__ = ("servable", "inputs", "wait", "timeout_s", "outputs", "inputs_json", "no_cache", "outputs_to", "caller_token")
    SERVABLE_FIELD_NUMBER: _ClassVar[int]
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    WAIT_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_S_FIELD_NUMBER: _ClassVar[int]
    OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    INPUTS_JSON_FIELD_NUMBER: _ClassVar[int]
    NO_CACHE_FIELD_NUMBER: _ClassVar[int]
    OUTPUTS_TO_FIELD_NUMBER: _ClassVar[int]
    CALLER_TOKEN_FIELD_NUMBER: _ClassVar[int]
    servable: _types_pb2.ServableRef
    inputs: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tensor]
    wait: bool
    timeout_s: float
    outputs: _containers.RepeatedScalarFieldContainer[str]
    inputs_json: str
    no_cache: bool
    outputs_to: str
    caller_token: str
    def __init__(self, servable: _Optional[_Union[_types_pb2.ServableRef, _Mapping]] = ..., inputs: _Optional[_Iterable[_Union[_types_pb2.Tensor, _Mapping]]] = ..., wait: _Optional[bool] = ..., timeout_s: _Optional[float] = ..., outputs: _Optional[_Iterable[str]] = ..., inputs_json: _Optional[str] = ..., no_cache: _Optional[bool] = ..., outputs_to: _Optional[str] = ..., caller_token: _Optional[str] = ...) -> None: ...

class RunServableResponse(_message.Message):
    __slots__ = ("task",)
    TASK_FIELD_NUMBER: _ClassVar[int]
    task: Task
    def __init__(self, task: _Optional[_Union[Task, _Mapping]] = ...) -> None: ...

class GetTaskRequest(_message.Message):
    __slots__ = ("task_id", "wait", "timeout_s")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    WAIT_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_S_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    wait: bool
    timeout_s: float
    def __init__(self, task_id: _Optional[str] = ..., wait: _Optional[bool] = ..., timeout_s: _Optional[float] = ...) -> None: ...

class GetTaskResponse(_message.Message):
    __slots__ = ("task",)
    TASK_FIELD_NUMBER: _ClassVar[int]
    task: Task
    def __init__(self, task: _Optional[_Union[Task, _Mapping]] = ...) -> None: ...

class CancelTaskRequest(_message.Message):
    __slots__ = ("task_id",)
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    def __init__(self, task_id: _Optional[str] = ...) -> None: ...

class CancelTaskResponse(_message.Message):
    __slots__ = ("task",)
    TASK_FIELD_NUMBER: _ClassVar[int]
    task: Task
    def __init__(self, task: _Optional[_Union[Task, _Mapping]] = ...) -> None: ...

class GetStatisticsRequest(_message.Message):
    __slots__ = ("servable",)
    SERVABLE_FIELD_NUMBER: _ClassVar[int]
    servable: _types_pb2.ServableRef
    def __init__(self, servable: _Optional[_Union[_types_pb2.ServableRef, _Mapping]] = ...) -> None: ...

class ModelStatistics(_message.Message):
    __slots__ = ("servable", "inference_count", "execution_count", "success_count", "failure_count", "cache_hit_count", "cache_miss_count", "success_ns", "queue_ns", "compute_ns", "failure_ns", "cache_hit_ns", "last_inference_ms", "batch_executions")
    class BatchExecutionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: int
        def __init__(self, key: _Optional[int] = ..., value: _Optional[int] = ...) -> None: ...
    SERVABLE_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_COUNT_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_COUNT_FIELD_NUMBER: _ClassVar[int]
    SUCCESS_COUNT_FIELD_NUMBER: _ClassVar[int]
    FAILURE_COUNT_FIELD_NUMBER: _ClassVar[int]
    CACHE_HIT_COUNT_FIELD_NUMBER: _ClassVar[int]
    CACHE_MISS_COUNT_FIELD_NUMBER: _ClassVar[int]
    SUCCESS_NS_FIELD_NUMBER: _ClassVar[int]
    QUEUE_NS_FIELD_NUMBER: _ClassVar[int]
    COMPUTE_NS_FIELD_NUMBER: _ClassVar[int]
    FAILURE_NS_FIELD_NUMBER: _ClassVar[int]
    CACHE_HIT_NS_FIELD_NUMBER: _ClassVar[int]
    LAST_INFERENCE_MS_FIELD_NUMBER: _ClassVar[int]
    BATCH_EXECUTIONS_FIELD_NUMBER: _ClassVar[int]
    servable: _types_pb2.ServableRef
    inference_count: int
    execution_count: int
    success_count: int
    failure_count: int
    cache_hit_count: int
    cache_miss_count: int
    success_ns: int
    queue_ns: int
    compute_ns: int
    failure_ns: int
    cache_hit_ns: int
    last_inference_ms: int
    batch_executions: _containers.ScalarMap[int, int]
    def __init__(self, servable: _Optional[_Union[_types_pb2.ServableRef, _Mapping]] = ..., inference_count: _Optional[int] = ..., execution_count: _Optional[int] = ..., success_count: _Optional[int] = ..., failure_count: _Optional[int] = ..., cache_hit_count: _Optional[int] = ..., cache_miss_count: _Optional[int] = ..., success_ns: _Optional[int] = ..., queue_ns: _Optional[int] = ..., compute_ns: _Optional[int] = ..., failure_ns: _Optional[int] = ..., cache_hit_ns: _Optional[int] = ..., last_inference_ms: _Optional[int] = ..., batch_executions: _Optional[_Mapping[int, int]] = ...) -> None: ...

class GetStatisticsResponse(_message.Message):
    __slots__ = ("models",)
    MODELS_FIELD_NUMBER: _ClassVar[int]
    models: _containers.RepeatedCompositeFieldContainer[ModelStatistics]
    def __init__(self, models: _Optional[_Iterable[_Union[ModelStatistics, _Mapping]]] = ...) -> None: ...

class GetServableStatsRequest(_message.Message):
    __slots__ = ("servable", "since")
    SERVABLE_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    servable: _types_pb2.ServableRef
    since: str
    def __init__(self, servable: _Optional[_Union[_types_pb2.ServableRef, _Mapping]] = ..., since: _Optional[str] = ...) -> None: ...

class UsageCounts(_message.Message):
    __slots__ = ("invocations", "errors", "refused", "latency_p50_ms", "latency_p95_ms", "unique_callers", "last_used_at")
    INVOCATIONS_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    REFUSED_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P50_MS_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P95_MS_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_CALLERS_FIELD_NUMBER: _ClassVar[int]
    LAST_USED_AT_FIELD_NUMBER: _ClassVar[int]
    invocations: int
    errors: int
    refused: int
    latency_p50_ms: float
    latency_p95_ms: float
    unique_callers: int
    last_used_at: str
    def __init__(self, invocations: _Optional[int] = ..., errors: _Optional[int] = ..., refused: _Optional[int] = ..., latency_p50_ms: _Optional[float] = ..., latency_p95_ms: _Optional[float] = ..., unique_callers: _Optional[int] = ..., last_used_at: _Optional[str] = ...) -> None: ...

class ServableVersionUsage(_message.Message):
    __slots__ = ("version", "counts")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    COUNTS_FIELD_NUMBER: _ClassVar[int]
    version: int
    counts: UsageCounts
    def __init__(self, version: _Optional[int] = ..., counts: _Optional[_Union[UsageCounts, _Mapping]] = ...) -> None: ...

class ServableUsageDay(_message.Message):
    __slots__ = ("day", "version", "counts")
    DAY_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    COUNTS_FIELD_NUMBER: _ClassVar[int]
    day: str
    version: int
    counts: UsageCounts
    def __init__(self, day: _Optional[str] = ..., version: _Optional[int] = ..., counts: _Optional[_Union[UsageCounts, _Mapping]] = ...) -> None: ...

class GetServableStatsResponse(_message.Message):
    __slots__ = ("servable", "since", "until", "totals", "versions", "days", "days_visible")
    SERVABLE_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    UNTIL_FIELD_NUMBER: _ClassVar[int]
    TOTALS_FIELD_NUMBER: _ClassVar[int]
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    DAYS_FIELD_NUMBER: _ClassVar[int]
    DAYS_VISIBLE_FIELD_NUMBER: _ClassVar[int]
    servable: _types_pb2.ServableRef
    since: str
    until: str
    totals: UsageCounts
    versions: _containers.RepeatedCompositeFieldContainer[ServableVersionUsage]
    days: _containers.RepeatedCompositeFieldContainer[ServableUsageDay]
    days_visible: bool
    def __init__(self, servable: _Optional[_Union[_types_pb2.ServableRef, _Mapping]] = ..., since: _Optional[str] = ..., until: _Optional[str] = ..., totals: _Optional[_Union[UsageCounts, _Mapping]] = ..., versions: _Optional[_Iterable[_Union[ServableVersionUsage, _Mapping]]] = ..., days: _Optional[_Iterable[_Union[ServableUsageDay, _Mapping]]] = ..., days_visible: _Optional[bool] = ...) -> None: ...
