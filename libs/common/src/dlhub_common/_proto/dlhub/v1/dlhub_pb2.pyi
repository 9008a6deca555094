from dlhub_common._proto.dlhub.v1 import registry_pb2 as _registry_pb2
from dlhub_common._proto.dlhub.v1 import search_pb2 as _search_pb2
from dlhub_common._proto.dlhub.v1 import tasks_pb2 as _tasks_pb2
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor
