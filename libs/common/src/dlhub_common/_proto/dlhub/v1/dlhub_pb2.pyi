from dlhub_common._proto.dlhub.v1 import benchmarks_pb2 as _benchmarks_pb2
from dlhub_common._proto.dlhub.v1 import registry_pb2 as _registry_pb2
from dlhub_common._proto.dlhub.v1 import search_pb2 as _search_pb2
from dlhub_common._proto.dlhub.v1 import tasks_pb2 as _tasks_pb2
from dlhub_common._proto.dlhub.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class WhoAmIRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class WhoAmIResponse(_message.Message):
    __slots__ = ("username", "anonymous", "groups")
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    ANONYMOUS_FIELD_NUMBER: _ClassVar[int]
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    username: str
    anonymous: bool
    groups: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, username: _Optional[str] = ..., anonymous: _Optional[bool] = ..., groups: _Optional[_Iterable[str]] = ...) -> None: ...

class RunStreamRequest(_message.Message):
    __slots__ = ("request_id", "run")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    RUN_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    run: _tasks_pb2.RunServableRequest
    def __init__(self, request_id: _Optional[str] = ..., run: _Optional[_Union[_tasks_pb2.RunServableRequest, _Mapping]] = ...) -> None: ...

class RunStreamResponse(_message.Message):
    __slots__ = ("request_id", "task", "error")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    TASK_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    task: _tasks_pb2.Task
    error: _types_pb2.ErrorInfo
    def __init__(self, request_id: _Optional[str] = ..., task: _Optional[_Union[_tasks_pb2.Task, _Mapping]] = ..., error: _Optional[_Union[_types_pb2.ErrorInfo, _Mapping]] = ...) -> None: ...
