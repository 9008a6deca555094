from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ServableRef(_message.Message):
    __slots__ = ("owner", "name", "version")
    OWNER_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    owner: str
    name: str
    version: int
    def __init__(self, owner: _Optional[str] = ..., name: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class Tensor(_message.Message):
    __slots__ = ("name", "datatype", "shape", "data", "ref")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DATATYPE_FIELD_NUMBER: _ClassVar[int]
    SHAPE_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    REF_FIELD_NUMBER: _ClassVar[int]
    name: str
    datatype: str
    shape: _containers.RepeatedScalarFieldContainer[int]
    data: bytes
    ref: str
    def __init__(self, name: _Optional[str] = ..., datatype: _Optional[str] = ..., shape: _Optional[_Iterable[int]] = ..., data: _Optional[bytes] = ..., ref: _Optional[str] = ...) -> None: ...

class ServableSummary(_message.Message):
    __slots__ = ("owner", "name", "version", "title", "description", "authors", "domains", "servable_type", "identifier", "digest", "publication_date", "visible_to", "latest", "state", "state_reason", "state_changed_at", "doi", "co_owners")
    OWNER_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    AUTHORS_FIELD_NUMBER: _ClassVar[int]
    DOMAINS_FIELD_NUMBER: _ClassVar[int]
    SERVABLE_TYPE_FIELD_NUMBER: _ClassVar[int]
    IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    DIGEST_FIELD_NUMBER: _ClassVar[int]
    PUBLICATION_DATE_FIELD_NUMBER: _ClassVar[int]
    VISIBLE_TO_FIELD_NUMBER: _ClassVar[int]
    LATEST_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    STATE_REASON_FIELD_NUMBER: _ClassVar[int]
    STATE_CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    DOI_FIELD_NUMBER: _ClassVar[int]
    CO_OWNERS_FIELD_NUMBER: _ClassVar[int]
    owner: str
    name: str
    version: int
    title: str
    description: str
    authors: _containers.RepeatedScalarFieldContainer[str]
    domains: _containers.RepeatedScalarFieldContainer[str]
    servable_type: str
    identifier: str
    digest: str
    publication_date: str
    visible_to: _containers.RepeatedScalarFieldContainer[str]
    latest: bool
    state: str
    state_reason: str
    state_changed_at: str
    doi: str
    co_owners: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, owner: _Optional[str] = ..., name: _Optional[str] = ..., version: _Optional[int] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., authors: _Optional[_Iterable[str]] = ..., domains: _Optional[_Iterable[str]] = ..., servable_type: _Optional[str] = ..., identifier: _Optional[str] = ..., digest: _Optional[str] = ..., publication_date: _Optional[str] = ..., visible_to: _Optional[_Iterable[str]] = ..., latest: _Optional[bool] = ..., state: _Optional[str] = ..., state_reason: _Optional[str] = ..., state_changed_at: _Optional[str] = ..., doi: _Optional[str] = ..., co_owners: _Optional[_Iterable[str]] = ...) -> None: ...

class Servable(_message.Message):
    __slots__ = ("summary", "metadata_json")
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    METADATA_JSON_FIELD_NUMBER: _ClassVar[int]
    summary: ServableSummary
    metadata_json: str
    def __init__(self, summary: _Optional[_Union[ServableSummary, _Mapping]] = ..., metadata_json: _Optional[str] = ...) -> None: ...

class ErrorInfo(_message.Message):
    __slots__ = ("code", "message", "details_json", "retryable")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    DETAILS_JSON_FIELD_NUMBER: _ClassVar[int]
    RETRYABLE_FIELD_NUMBER: _ClassVar[int]
    code: str
    message: str
    details_json: str
    retryable: bool
    def __init__(self, code: _Optional[str] = ..., message: _Optional[str] = ..., details_json: _Optional[str] = ..., retryable: _Optional[bool] = ...) -> None: ...

class ArtifactRef(_message.Message):
    __slots__ = ("path", "object_key", "size", "sha256")
    PATH_FIELD_NUMBER: _ClassVar[int]
    OBJECT_KEY_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    path: str
    object_key: str
    size: int
    sha256: str
    def __init__(self, path: _Optional[str] = ..., object_key: _Optional[str] = ..., size: _Optional[int] = ..., sha256: _Optional[str] = ...) -> None: ...
