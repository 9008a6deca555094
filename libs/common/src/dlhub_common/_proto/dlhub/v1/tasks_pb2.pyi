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
TASK_STATE_UNSPECIFIED: TaskState
TASK_STATE_QUEUED: TaskState
TASK_STATE_RUNNING: TaskState
TASK_STATE_SUCCEEDED: TaskState
TASK_STATE_FAILED: TaskState

class TaskTimings(_message.Message):
    __slots__ = ("queue_ms", "compute_ms", "total_ms")
    QUEUE_MS_FIELD_NUMBER: _ClassVar[int]
    COMPUTE_MS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_MS_FIELD_NUMBER: _ClassVar[int]
    queue_ms: float
    compute_ms: float
    total_ms: float
    def __init__(self, queue_ms: _Optional[float] = ..., compute_ms: _Optional[float] = ..., total_ms: _Optional[float] = ...) -> None: ...

class Task(_message.Message):
    __slots__ = ("task_id", "state", "servable", "outputs", "error", "timings", "created_at", "completed_at", "warnings", "output_json")
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
    def __init__(self, task_id: _Optional[str] = ..., state: _Optional[_Union[TaskState, str]] = ..., servable: _Optional[_Union[_types_pb2.ServableRef, _Mapping]] = ..., outputs: _Optional[_Iterable[_Union[_types_pb2.Tensor, _Mapping]]] = ..., error: _Optional[_Union[_types_pb2.ErrorInfo, _Mapping]] = ..., timings: _Optional[_Union[TaskTimings, _Mapping]] = ..., created_at: _Optional[str] = ..., completed_at: _Optional[str] = ..., warnings: _Optional[_Iterable[str]] = ..., output_json: _Optional[str] = ...) -> None: ...

class RunServableRequest(_message.Message):
    __slots__ = ("servable", "inputs", "wait", "timeout_s", "outputs", "inputs_json")
    SERVABLE_FIELD_NUMBER: _ClassVar[int]
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    WAIT_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_S_FIELD_NUMBER: _ClassVar[int]
    OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    INPUTS_JSON_FIELD_NUMBER: _ClassVar[int]
    servable: _types_pb2.ServableRef
    inputs: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tensor]
    wait: bool
    timeout_s: float
    outputs: _containers.RepeatedScalarFieldContainer[str]
    inputs_json: str
    def __init__(self, servable: _Optional[_Union[_types_pb2.ServableRef, _Mapping]] = ..., inputs: _Optional[_Iterable[_Union[_types_pb2.Tensor, _Mapping]]] = ..., wait: _Optional[bool] = ..., timeout_s: _Optional[float] = ..., outputs: _Optional[_Iterable[str]] = ..., inputs_json: _Optional[str] = ...) -> None: ...

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
