from dlhub_common._proto.dlhub.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ScoreBenchmarkRequest(_message.Message):
    __slots__ = ("benchmark", "servable", "all", "timeout_s")
    BENCHMARK_FIELD_NUMBER: _ClassVar[int]
    SERVABLE_FIELD_NUMBER: _ClassVar[int]
    ALL_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_S_FIELD_NUMBER: _ClassVar[int]
    benchmark: _types_pb2.ServableRef
    servable: _types_pb2.ServableRef
    all: bool
    timeout_s: float
    def __init__(self, benchmark: _Optional[_Union[_types_pb2.ServableRef, _Mapping]] = ..., servable: _Optional[_Union[_types_pb2.ServableRef, _Mapping]] = ..., all: _Optional[bool] = ..., timeout_s: _Optional[float] = ...) -> None: ...

class BenchmarkScore(_message.Message):
    __slots__ = ("servable", "benchmark", "benchmark_digest", "metric", "higher_is_better", "value", "examples", "scored_at", "scored_by", "rank", "elapsed_ms")
    SERVABLE_FIELD_NUMBER: _ClassVar[int]
    BENCHMARK_FIELD_NUMBER: _ClassVar[int]
    BENCHMARK_DIGEST_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    HIGHER_IS_BETTER_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    EXAMPLES_FIELD_NUMBER: _ClassVar[int]
    SCORED_AT_FIELD_NUMBER: _ClassVar[int]
    SCORED_BY_FIELD_NUMBER: _ClassVar[int]
    RANK_FIELD_NUMBER: _ClassVar[int]
    ELAPSED_MS_FIELD_NUMBER: _ClassVar[int]
    servable: _types_pb2.ServableSummary
    benchmark: _types_pb2.ServableRef
    benchmark_digest: str
    metric: str
    higher_is_better: bool
    value: float
    examples: int
    scored_at: str
    scored_by: str
    rank: int
    elapsed_ms: float
    def __init__(self, servable: _Optional[_Union[_types_pb2.ServableSummary, _Mapping]] = ..., benchmark: _Optional[_Union[_types_pb2.ServableRef, _Mapping]] = ..., benchmark_digest: _Optional[str] = ..., metric: _Optional[str] = ..., higher_is_better: _Optional[bool] = ..., value: _Optional[float] = ..., examples: _Optional[int] = ..., scored_at: _Optional[str] = ..., scored_by: _Optional[str] = ..., rank: _Optional[int] = ..., elapsed_ms: _Optional[float] = ...) -> None: ...

class ScoreOutcome(_message.Message):
    __slots__ = ("servable", "score", "already_scored", "error")
    SERVABLE_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    ALREADY_SCORED_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    servable: _types_pb2.ServableRef
    score: BenchmarkScore
    already_scored: bool
    error: _types_pb2.ErrorInfo
    def __init__(self, servable: _Optional[_Union[_types_pb2.ServableRef, _Mapping]] = ..., score: _Optional[_Union[BenchmarkScore, _Mapping]] = ..., already_scored: _Optional[bool] = ..., error: _Optional[_Union[_types_pb2.ErrorInfo, _Mapping]] = ...) -> None: ...

class SkippedServable(_message.Message):
    __slots__ = ("servable", "reason")
    SERVABLE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    servable: _types_pb2.ServableRef
    reason: str
    def __init__(self, servable: _Optional[_Union[_types_pb2.ServableRef, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class ScoreBenchmarkResponse(_message.Message):
    __slots__ = ("benchmark", "outcomes", "skipped")
    BENCHMARK_FIELD_NUMBER: _ClassVar[int]
    OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_FIELD_NUMBER: _ClassVar[int]
    benchmark: _types_pb2.ServableSummary
    outcomes: _containers.RepeatedCompositeFieldContainer[ScoreOutcome]
    skipped: _containers.RepeatedCompositeFieldContainer[SkippedServable]
    def __init__(self, benchmark: _Optional[_Union[_types_pb2.ServableSummary, _Mapping]] = ..., outcomes: _Optional[_Iterable[_Union[ScoreOutcome, _Mapping]]] = ..., skipped: _Optional[_Iterable[_Union[SkippedServable, _Mapping]]] = ...) -> None: ...

class GetLeaderboardRequest(_message.Message):
    __slots__ = ("benchmark", "limit")
    BENCHMARK_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    benchmark: _types_pb2.ServableRef
    limit: int
    def __init__(self, benchmark: _Optional[_Union[_types_pb2.ServableRef, _Mapping]] = ..., limit: _Optional[int] = ...) -> None: ...

class GetLeaderboardResponse(_message.Message):
    __slots__ = ("benchmark", "metric", "higher_is_better", "entries")
    BENCHMARK_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    HIGHER_IS_BETTER_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    benchmark: _types_pb2.ServableSummary
    metric: str
    higher_is_better: bool
    entries: _containers.RepeatedCompositeFieldContainer[BenchmarkScore]
    def __init__(self, benchmark: _Optional[_Union[_types_pb2.ServableSummary, _Mapping]] = ..., metric: _Optional[str] = ..., higher_is_better: _Optional[bool] = ..., entries: _Optional[_Iterable[_Union[BenchmarkScore, _Mapping]]] = ...) -> None: ...
