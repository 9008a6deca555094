from dlhub_common._proto.dlhub.v1 import registry_pb2 as _registry_pb2
from dlhub_common._proto.dlhub.v1 import search_pb2 as _search_pb2
from dlhub_common._proto.dlhub.v1 import tasks_pb2 as _tasks_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable
from typing import ClassVar as _ClassVar, Optional as _Optional

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
