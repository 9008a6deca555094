from dlhub_common._proto.dlhub.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SearchRequest(_message.Message):
    __slots__ = ("query", "filters", "facets", "offset", "limit", "all_versions", "include_deprecated", "sort")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    FILTERS_FIELD_NUMBER: _ClassVar[int]
    FACETS_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    ALL_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_DEPRECATED_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    query: str
    filters: _containers.RepeatedCompositeFieldContainer[FieldFilter]
    facets: _containers.RepeatedScalarFieldContainer[str]
    offset: int
    limit: int
    all_versions: bool
    include_deprecated: bool
    sort: str
    def __init__(self, query: _Optional[str] = ..., filters: _Optional[_Iterable[_Union[FieldFilter, _Mapping]]] = ..., facets: _Optional[_Iterable[str]] = ..., offset: _Optional[int] = ..., limit: _Optional[int] = ..., all_versions: _Optional[bool] = ..., include_deprecated: _Optional[bool] = ..., sort: _Optional[str] = ...) -> None: ...

class FieldFilter(_message.Message):
    __slots__ = ("field", "values")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    field: str
    values: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, field: _Optional[str] = ..., values: _Optional[_Iterable[str]] = ...) -> None: ...

class SearchResponse(_message.Message):
    __slots__ = ("hits", "total", "facets", "offset")
    HITS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    FACETS_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    hits: _containers.RepeatedCompositeFieldContainer[_types_pb2.ServableSummary]
    total: int
    facets: _containers.RepeatedCompositeFieldContainer[Facet]
    offset: int
    def __init__(self, hits: _Optional[_Iterable[_Union[_types_pb2.ServableSummary, _Mapping]]] = ..., total: _Optional[int] = ..., facets: _Optional[_Iterable[_Union[Facet, _Mapping]]] = ..., offset: _Optional[int] = ...) -> None: ...

class Facet(_message.Message):
    __slots__ = ("field", "buckets")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    BUCKETS_FIELD_NUMBER: _ClassVar[int]
    field: str
    buckets: _containers.RepeatedCompositeFieldContainer[FacetBucket]
    def __init__(self, field: _Optional[str] = ..., buckets: _Optional[_Iterable[_Union[FacetBucket, _Mapping]]] = ...) -> None: ...

class FacetBucket(_message.Message):
    __slots__ = ("value", "count")
    VALUE_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    value: str
    count: int
    def __init__(self, value: _Optional[str] = ..., count: _Optional[int] = ...) -> None: ...
