"""The REST API's response bodies (and the multipart publish form), as pydantic
models: they name every body in the OpenAPI document, so generated clients get
types rather than free-form objects.

The routes build their answers as dicts (``dlhub_common.records``/``views``);
these models document those dicts and the tests validate real answers against
them (tests/integration/test_http_clients.py). :func:`answers` attaches one to a
route without re-validating every response at run time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field, RootModel
from typing_extensions import TypeAliasType

# Nesting the schemas spell out. The types are unrolled to this depth rather than
# recursive: openapi-python-client cannot read recursive array items, and an
# open ``{}`` at the bottom would be ``unknown`` to TypeScript. Deeper values are
# accepted and answered all the same; the schemas just stop describing them.
# (Each level multiplies the work of schema-driven fuzzers such as schemathesis.)
JSON_DEPTH = 12  # answers: a signature in the metadata nests about 10 deep
INPUT_DEPTH = 6  # a run's inputs (kept shallow: fuzzers generate these)
TENSOR_DEPTH = 4


def _unrolled(name: str, leaf: Any, depth: int, *, objects: bool) -> Any:
    """``name``: a scalar, or a list (and with ``objects`` a dict) of the next level."""
    level = leaf
    for n in range(depth, 0, -1):
        members: Any = bool | int | float | str | list[level]
        if objects:
            members = members | dict[str, level] | None
        level = TypeAliasType(name if n == 1 else f"{name}{n}", members)
    return level


JsonScalar = TypeAliasType("JsonScalar", bool | int | float | str | None)
TensorScalar = TypeAliasType("TensorScalar", bool | int | float | str)
if TYPE_CHECKING:
    JsonValue = Any
    JsonInput = Any
    TensorData = list[Any]
else:
    # Any JSON value (metadata, a python servable's inputs and output, error details).
    JsonValue = _unrolled("JsonValue", JsonScalar, JSON_DEPTH, objects=True)
    JsonInput = _unrolled("JsonInput", JsonScalar, INPUT_DEPTH, objects=True)
    # OIP tensor data: flat or nested row-major lists of numbers, booleans or strings
    # ("NaN", "Infinity", "-Infinity" for floating-point NaN and infinities).
    TensorData = list[_unrolled("TensorElement", TensorScalar, TENSOR_DEPTH, objects=False)]
JsonObject = dict[str, JsonValue]
Parameters = dict[str, bool | int | float | str]
TaskState = Literal["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED", "UNKNOWN"]


class Model(BaseModel):
    """A response body. Its schema leaves ``additionalProperties`` unsaid: a later
    server may add fields, and generated clients get no catch-all ``unknown``."""


def answers(model: type[BaseModel], status: int = 200, description: str = "OK") -> dict[str, Any]:
    """Route keyword arguments documenting ``model`` as the answer for ``status``."""
    return {
        "response_model": None,
        "responses": {status: {"model": model, "description": description}},
    }


class ServableRef(Model):
    owner: str
    name: str
    version: int


class ServableSummary(Model):
    """One version of a servable, as search, listings and describe show it."""

    owner: str
    name: str
    version: int
    title: str
    description: str
    authors: list[str]
    domains: list[str]
    servable_type: str
    identifier: str
    digest: str
    publication_date: str = Field(description="RFC 3339")
    visible_to: list[str] = Field(description='"public", "user:NAME" or "group:NAME"')
    latest: bool
    state: str = Field(description="active, deprecated or withdrawn")
    state_reason: str
    state_changed_at: str
    doi: str
    co_owners: list[str]


class Whoami(Model):
    username: str | None
    anonymous: bool
    groups: list[str]


class SignIn(Model):
    """How to sign in here."""

    provider: str = Field(description="local (DLHub tokens) or globus (Globus Auth)")
    scope: str | None = Field(None, description="Under Globus: the scope a token must grant")
    start: str | None = Field(
        None, description="Under Globus: where the browser's sign-in starts (GET, a redirect)"
    )


class SignInToken(Model):
    """A signed-in browser's token, from its one-time ticket."""

    token: str = Field(description="A Globus access token for DLHub: send it as a bearer token")
    expires_in: int = Field(description="Seconds until it expires")


class ServableList(Model):
    servables: list[ServableSummary]
    total: int
    next_page_token: str | None = Field(description="null on the last page")


class ServableDescription(Model):
    """A servable version: its summary, its full metadata and every version number."""

    summary: ServableSummary
    metadata: JsonObject = Field(description="The metadata document (docs/metadata.md)")
    versions: list[int] = Field(default_factory=list, description="Every version you may see")


class OriginalDescription(Model):
    """``layout=original``: the original DLHub's three blocks (docs/markup.md)."""

    datacite: JsonObject
    dlhub: JsonObject
    servable: JsonObject


class Description(RootModel[ServableDescription | OriginalDescription]):
    """A servable version, in the layout asked for."""


class PublishedServable(ServableDescription):
    publish_id: str = Field(description="GET /api/v1/publish-jobs/{publish_id} for its log")


class PublishForm(BaseModel):
    """The multipart form of ``POST /api/v1/servables``."""

    metadata: str = Field(description="The metadata JSON (docs/metadata.md)")
    files: list[bytes] = Field(
        default_factory=list,
        description="One part per artifact; its filename is the artifact path",
    )
    uploads: str | None = Field(
        None,
        description="Artifacts sent through /api/v1/uploads:"
        ' JSON [{"path": ..., "upload_id": ...}]',
    )


class VersionList(Model):
    versions: list[ServableSummary] = Field(description="Ascending")


class PublishJob(Model):
    id: str
    owner: str
    state: str
    servable: ServableRef | None
    started_at: str
    finished_at: str | None
    log: list[str]
    error_code: str | None


class PublishJobList(Model):
    jobs: list[PublishJob] = Field(description="Newest first; each log is empty")
    total: int = Field(description="How many jobs match, all pages together")
    offset: int


class SearchResult(Model):
    total: int
    offset: int
    hits: list[ServableSummary]
    facets: dict[str, dict[str, int]] = Field(description="{field: {value: count}}")


class OutputTensor(Model):
    """An OIP JSON tensor with flat data."""

    name: str
    datatype: str
    shape: list[int]
    data: TensorData
    parameters: Parameters | None = None


class Timings(Model):
    queue_ms: float
    compute_ms: float
    total_ms: float
    device: str | None = Field(description='Where the model ran ("cpu", "cuda:0")')
    staging_ms: float
    staging_cache_hits: int


class TaskError(Model):
    code: str
    message: str
    details: JsonObject


class StepTimings(Model):
    total_ms: float
    compute_ms: float
    cache_hit: bool


class PipelineStep(Model):
    name: str
    servable: str = Field(description="owner/name:version")
    state: TaskState
    task_id: str | None
    started_at: str | None
    completed_at: str | None
    timings: StepTimings | None = None


class Task(Model):
    """A run: its state and, once it succeeded, its outputs."""

    task_id: str
    state: TaskState
    created_at: str
    completed_at: str | None
    warnings: list[str]
    servable: ServableRef
    timings: Timings | None = None
    error: TaskError | None = None
    steps: list[PipelineStep] | None = Field(None, description="A pipeline's steps")
    outputs: list[OutputTensor] | None = Field(None, description="A tensor servable's outputs")
    output: JsonValue = Field(None, description="A python servable's JSON result")
    output_refs: dict[str, str] | None = Field(None, description="Outputs by reference")
    labelled: list[dict[str, float]] | None = Field(
        None, description="?labelled=true: {class: probability} per row"
    )


class UploadCreated(Model):
    upload_id: str
    chunk_size: int
    received: int


class UploadWritten(Model):
    received: int


class UploadStatus(Model):
    received: int
    size: int
    complete: bool


class AccessChange(Model):
    """The versions as they are now, and what changed in each."""

    servables: list[ServableSummary]
    changes: list[JsonObject]


class AuditLog(Model):
    entries: list[JsonObject]
    next_page_token: str | None = Field(description="null on the last page")


class StreamBinding(Model):
    id: str
    topic: str
    servable: str = Field(description="owner/name[:version]")
    output_topic: str
    dead_letter_topic: str


class StreamBindings(Model):
    bindings: list[StreamBinding]


class FrameAccepted(Model):
    topic: str
    frame_id: str
    binding: str


class StreamResults(Model):
    topic: str
    results: list[JsonObject]


class RetrainJob(Model):
    id: str
    servable: ServableRef = Field(description="The servable and the version retrained from")
    trigger: str
    state: str
    started_at: str
    finished_at: str | None


class RetrainStarted(Model):
    job: RetrainJob
    merged: bool


class RetrainJobs(Model):
    jobs: list[RetrainJob]


class BenchmarkScore(Model):
    """A scoring run's result (docs/benchmarks.md)."""


class Leaderboard(Model):
    """A benchmark's ranked scores (docs/benchmarks.md)."""


class PipelineDescription(ServableDescription):
    """A pipeline's servable description with its steps (docs/pipelines.md)."""


class Health(Model):
    status: Literal["ok"]


# Bodies only referenced by hand-written request bodies (openapi_extra).
REFERENCED: tuple[type[BaseModel], ...] = (PublishForm,)
