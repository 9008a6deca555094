"""Training recipes (``servable.training``) and the trainer contract.

A python (or scikit-learn) servable may carry a recipe::

    "training": {
        "module": "train.py", "function": "train",
        "source": {"prefix": "s3://bucket/prefix/"} | {"topic": "glass.new-data"},
        "acceptance": {"benchmark": "owner/name:version",
                       "rule": "no_worse" | "better_by", "margin": 0.0}
    }

``train(data_dir, previous_artifacts_dir)`` runs in the servable's own
environment and returns a directory or a list of file paths: the files that
replace (or join) the previous version's artifacts in the candidate. A
version published by a retrain also carries ``lineage`` (written by the
registry): where it came from, on which data and with which score.

The registry owns recipes, triggers and jobs (``dlhub_registry.retrain``);
the heavy work (train, predict) is behind :class:`Trainer`, implemented by
the executor package (``dlhub_executor.training``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

_SLUG = r"[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?"
_REF = re.compile(rf"^{_SLUG}/{_SLUG}:[1-9][0-9]{{0,17}}\Z")
_TOPIC = re.compile(r"^[A-Za-z0-9._-]{1,200}$")
_FUNCTION = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TrainingSource(_Block):
    """Where new data arrives: an object-store prefix or a bus topic."""

    prefix: str | None = Field(
        None, description="s3://bucket/prefix/ or a local directory (file:///path/ or /path/)"
    )
    topic: str | None = Field(None, description="Bus topic of 'new data' events")

    @model_validator(mode="after")
    def _one(self) -> TrainingSource:
        if (self.prefix is None) == (self.topic is None):
            raise ValueError("give exactly one of prefix or topic")
        if self.prefix is not None:
            p = self.prefix
            if p.startswith("s3://"):
                if not re.match(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$", p):
                    raise ValueError(f"prefix {p!r}: expected s3://bucket/prefix/")
            elif not (p.startswith("file:///") or p.startswith("/")):
                raise ValueError(f"prefix {p!r}: expected s3://bucket/prefix/ or an absolute path")
        if self.topic is not None and not _TOPIC.match(self.topic):
            raise ValueError(f"topic {self.topic!r}: letters, digits, '.', '_' and '-' only")
        return self


class Acceptance(_Block):
    """When a candidate may become the next version."""

    benchmark: str = Field(description="The benchmark it is scored on, owner/name:version")
    rule: Literal["no_worse", "better_by"] = "no_worse"
    margin: float = Field(0.0, ge=0, description="better_by: how much better the score must be")

    @field_validator("benchmark")
    @classmethod
    def _ref(cls, value: str) -> str:
        if not _REF.match(value):
            raise ValueError(f"{value!r} is not owner/name:version (a pinned benchmark version)")
        return value


class Lineage(_Block):
    """Where a retrained version came from (written by the registry)."""

    derived_from: str = Field(description="owner/name:version of the previous version")
    data_digest: str = Field(description="sha256 over the staged data (key and sha256 of each)")
    job: str = Field(description="The retrain job id; its log is the training log")
    benchmark: str
    metric: str
    score: float
    previous_score: float


class TrainingSpec(_Block):
    module: str = Field(min_length=1, description="The artifact holding the train function")
    function: str = Field("train", description="train(data_dir, previous_artifacts_dir)")
    source: TrainingSource
    acceptance: Acceptance
    lineage: Lineage | None = None

    @field_validator("function")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not _FUNCTION.match(value):
            raise ValueError(f"{value!r} is not a python function name")
        return value

    @field_validator("module")
    @classmethod
    def _python_file(cls, value: str) -> str:
        if not value.endswith(".py") or value.startswith("/") or ".." in value.split("/"):
            raise ValueError(f"{value!r}: name a .py artifact by its relative path")
        return value


# ---------------------------------------------------------------- trainer contract


@dataclass(frozen=True)
class TrainLimits:
    cpu_time_s: int
    memory_bytes: int
    wall_timeout_s: float


@dataclass(frozen=True)
class Environment:
    """A servable's isolated environment: its python version and ``environment.lock``."""

    python: str
    lock: bytes


@dataclass(frozen=True)
class TrainCall:
    """One run of a training function.

    ``previous_dir`` holds the previous version's artifacts (the train module
    among them); ``data_dir`` the staged new data; the function's files are
    copied into ``out_dir`` (relative paths kept).
    """

    env: Environment
    previous_dir: str
    module: str
    function: str
    data_dir: str
    out_dir: str
    limits: TrainLimits


@dataclass(frozen=True)
class TrainOutcome:
    files: list[str]  # relative paths under out_dir
    log: str = ""  # the function's prints (tail)


@dataclass(frozen=True)
class PredictCall:
    """Run a servable's ``run`` method over ``inputs``: one call per batch of
    ``batch_size`` examples, sent as one JSON list (the benchmark contract),
    which must answer with a list of as many predictions."""

    env: Environment
    bundle_dir: str
    servable_type: str  # python | sklearn
    method_details: dict[str, Any]
    inputs: list[Any]
    batch_size: int
    call_timeout_s: float


class Trainer(Protocol):
    """Runs training functions and scores models (the executor implements it)."""

    async def train(self, call: TrainCall) -> TrainOutcome:
        """Run the function with the limits.

        Raises:
            ServableError: the function raised (``details["traceback"]``).
            DeadlineExceeded: it ran past the wall-clock limit.
            ResourceExhausted: it ran past the CPU-time or memory limit.
            InvalidArgument: it returned something other than a directory or files.
        """
        ...

    async def predict(self, call: PredictCall) -> list[Any]:
        """One output per input, in order.

        Raises:
            ServableError: the model failed on an input.
        """
        ...
