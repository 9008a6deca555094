"""The servable metadata document and its validation.

A servable version is described by three blocks, as in the original DLHub:

* ``datacite``: citation metadata in DataCite 4.x JSON (camelCase keys);
* ``dlhub``: name, owner, version, domains, visibility, files, identifiers;
* ``servable``: the model type, its typed run signature and dependencies.

:func:`validate_metadata` checks a whole document at once and reports every
bad field in one :class:`~dlhub_common.errors.InvalidArgument`.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from pydantic import Field, ValidationError, field_validator, model_validator

from dlhub_common.access import ENTRY_RULE, check_entries
from dlhub_common.benchmark_spec import BenchmarkSpec, check_block
from dlhub_common.datacite_schema import datacite_problems
from dlhub_common.errors import InvalidArgument
from dlhub_common.labels import classes_problem
from dlhub_common.metadata_datacite import DataCite, _Block
from dlhub_common.names import SLUG_RE, SLUG_RULE
from dlhub_common.pipeline_spec import PipelineSpec
from dlhub_common.training_spec import TrainingSpec

SERVABLE_TYPES: tuple[str, ...] = (
    "onnx",
    "python",
    "sklearn",
    "torchscript",
    "torch_export",
    "benchmark",  # a data set and a metric, never run (dlhub_common.benchmark_spec)
    "pipeline",  # steps that reference servables (dlhub_common.pipeline_spec)
    "keras",  # Keras 3 (.keras, legacy HDF5) on the torch backend (keras.md)
)
# Types whose runs carry tensors; the others carry one JSON value.
TENSOR_SERVABLE_TYPES: tuple[str, ...] = ("onnx", "torchscript", "torch_export", "keras")
# Types run by a worker process in the servable's own environment, built from
# the registry-resolved environment.lock: python functions, and native
# scikit-learn models (a joblib file loaded only inside that worker).
WORKER_SERVABLE_TYPES = ("python", "sklearn")
# The executor-servable interface versions a python servable may declare.
PYTHON_INTERFACE_VERSIONS = (1,)
# The estimator methods a native scikit-learn servable may call.
SKLEARN_METHODS = ("predict", "predict_proba", "decision_function", "transform")

# ndarray item types and their OIP datatypes.
ITEM_TYPE_TO_DATATYPE: dict[str, str] = {
    "bool": "BOOL",
    "uint8": "UINT8",
    "uint16": "UINT16",
    "uint32": "UINT32",
    "uint64": "UINT64",
    "int8": "INT8",
    "int16": "INT16",
    "int32": "INT32",
    "int64": "INT64",
    "float16": "FP16",
    "float32": "FP32",
    "float64": "FP64",
    "bfloat16": "BF16",
    "string": "BYTES",
    "bytes": "BYTES",
}
DATATYPE_TO_ITEM_TYPE: dict[str, str] = {
    dt: it for it, dt in ITEM_TYPE_TO_DATATYPE.items() if it != "bytes"
}
PYTHON_VERSION_RE = re.compile(r"^3\.\d{1,2}(\.\d{1,2})?\Z")
# A PEP 508 distribution name, optionally with extras.
REQUIREMENT_NAME_RE = re.compile(
    r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?(\[[A-Za-z0-9._,-]+\])?$"
)
IO_TYPES = ("number", "integer", "string", "boolean", "ndarray", "list", "dict", "file", "any")
# Item types of an ndarray: exact dtypes, plus the loose "float" of early DLHub.
ITEM_TYPES = (*ITEM_TYPE_TO_DATATYPE, "float", "number", "integer", "boolean")


# ---------------------------------------------------------------- dlhub


class Files(_Block):
    model: str | None = Field(None, description="Path of the model file among the artifacts")
    other: list[str] = Field(default_factory=list)


class DLHubBlock(_Block):
    name: str
    owner: str | None = None
    version: int | None = None
    domains: list[str] = Field(default_factory=list)
    visible_to: list[str] = Field(default_factory=lambda: ["public"])
    files: Files = Field(default_factory=Files)
    publication_date: str | None = None
    identifier: str | None = None
    digest: str | None = None

    @field_validator("name", "owner")
    @classmethod
    def _slug(cls, value: str | None) -> str | None:
        if value is not None and not SLUG_RE.match(value):
            raise ValueError(SLUG_RULE)
        return value

    @field_validator("visible_to")
    @classmethod
    def _visible(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError(f"must list at least one reader: {ENTRY_RULE}")
        try:
            return check_entries("visible_to", value)
        except InvalidArgument as exc:
            raise ValueError(exc.message) from None


# ---------------------------------------------------------------- servable


class IOSpec(_Block):
    """A typed input or output (DLHub's types)."""

    type: str = Field(description="A DLHub type, or a numpy dtype name for ndarray item types")
    description: str = ""
    shape: list[int | None] | None = None
    item_type: IOSpec | None = None
    properties: dict[str, IOSpec] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> IOSpec:
        if self.type == "ndarray":
            if self.shape is None:
                raise ValueError("ndarray needs 'shape' (use null for a variable dimension)")
            if self.item_type is None:
                raise ValueError("ndarray needs 'item_type', e.g. {'type': 'float32'}")
            if any(d is not None and d < 0 for d in self.shape):
                raise ValueError("shape dimensions must be >= 0 or null")
        if self.type == "dict" and self.properties is None:
            raise ValueError("dict needs 'properties'")
        return self

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in IO_TYPES and value not in ITEM_TYPES:
            raise ValueError(
                f"unknown type {value!r}; use one of {', '.join(IO_TYPES)}"
                f" (ndarray item types: {', '.join(ITEM_TYPES)})"
            )
        return value

    def datatype(self) -> str | None:
        """The OIP datatype of an ndarray whose item type is a dtype, else None."""
        if self.type != "ndarray" or self.item_type is None:
            return None
        return ITEM_TYPE_TO_DATATYPE.get(self.item_type.type)

    def model_dump_doc(self) -> dict[str, Any]:
        """Compact JSON form: only the keys that are set."""
        data: dict[str, Any] = {"type": self.type}
        if self.description:
            data["description"] = self.description
        if self.shape is not None:
            data["shape"] = self.shape
        if self.item_type is not None:
            data["item_type"] = self.item_type.model_dump_doc()
        if self.properties is not None:
            data["properties"] = {k: v.model_dump_doc() for k, v in self.properties.items()}
        return data


class Method(_Block):
    input: IOSpec
    output: IOSpec
    parameters: dict[str, Any] = Field(default_factory=dict)
    method_details: dict[str, Any] = Field(default_factory=dict)


class Batching(_Block):
    """Dynamic batching of one servable (overrides the executor's defaults)."""

    max_batch_size: int = Field(
        ..., ge=1, le=4096, description="Most requests in one model call; 1 = never batched"
    )
    max_queue_delay_ms: float = Field(
        0.0, ge=0, le=1000, description="Longest a batch waits to fill, from its first request"
    )


class ServableBlock(_Block):
    type: str
    methods: dict[str, Method]
    batching: Batching | None = Field(
        None, description="Dynamic batching; default the executor settings"
    )
    cache: bool | None = Field(
        None,
        description="Results may be cached (default: yes for tensor models, no for python ones)",
    )
    dependencies: dict[str, str] = Field(
        default_factory=dict, description="Pinned requirements: package -> version"
    )
    python: str | None = Field(None, description="Python version of a python servable, '3.11'")
    classes: list[str] | None = Field(
        None,
        max_length=4096,
        description="Names of the output's classes or tags, in output order; stream"
        " results then come back as {class: probability}",
    )
    model_summary: str | None = None
    training: TrainingSpec | None = Field(
        None, description="Retraining recipe (python servables; dlhub_common.training_spec)"
    )
    benchmark: BenchmarkSpec | None = Field(
        None, description="How a benchmark scores models (type 'benchmark' only)"
    )
    # type "pipeline": its steps (dlhub_common.pipeline_spec, docs/pipelines.md)
    pipeline: PipelineSpec | None = None

    @field_validator("type")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in SERVABLE_TYPES:
            raise ValueError(f"unknown servable type; supported: {', '.join(SERVABLE_TYPES)}")
        return value

    @field_validator("methods")
    @classmethod
    def _run(cls, value: dict[str, Method]) -> dict[str, Method]:
        if "run" not in value:
            raise ValueError("must define the 'run' method")
        return value

    @model_validator(mode="after")
    def _trainable(self) -> ServableBlock:
        if self.training is not None and self.type not in WORKER_SERVABLE_TYPES:
            raise ValueError(
                f"training: a {self.type} servable has no python environment to train in;"
                f" recipes are for {' and '.join(WORKER_SERVABLE_TYPES)} servables"
            )
        return self

    @model_validator(mode="after")
    def _benchmark(self) -> ServableBlock:
        run = self.methods.get("run")
        problems = check_block(self.type, self.benchmark, run.output if run else None)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @model_validator(mode="after")
    def _pipeline(self) -> ServableBlock:
        if (self.type == "pipeline") != (self.pipeline is not None):
            raise ValueError("a servable has a 'pipeline' block exactly when its type is pipeline")
        return self

    @model_validator(mode="after")
    def _python(self) -> ServableBlock:
        if self.type not in WORKER_SERVABLE_TYPES or "run" not in self.methods:
            return self
        details = self.methods["run"].method_details
        problems = []
        keys = ("module", "function") if self.type == "python" else ("model", "method")
        for key in keys:
            if not isinstance(details.get(key), str) or not details.get(key):
                problems.append(f"methods.run.method_details.{key} is required (a string)")
        if self.type == "sklearn" and details.get("method", "predict") not in SKLEARN_METHODS:
            problems.append(
                f"methods.run.method_details.method {details.get('method')!r} is not one of"
                f" {list(SKLEARN_METHODS)}"
            )
        version = details.get("interface_version", 1)
        if version not in PYTHON_INTERFACE_VERSIONS:
            problems.append(
                f"methods.run.method_details.interface_version {version!r} is not supported"
                f" (supported: {list(PYTHON_INTERFACE_VERSIONS)})"
            )
        if not self.python or not PYTHON_VERSION_RE.match(self.python):
            problems.append("python must name the Python version, e.g. '3.11'")
        for package, pin in self.dependencies.items():
            if (
                not REQUIREMENT_NAME_RE.match(package)
                or not pin
                or any(c.isspace() or c in ";#\\" for c in pin)
            ):
                problems.append(f"dependencies: {package!r}: {pin!r} is not 'package': 'version'")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class Metadata(_Block):
    """A whole metadata document."""

    datacite: DataCite
    dlhub: DLHubBlock
    servable: ServableBlock

    def to_doc(self) -> dict[str, Any]:
        """The canonical JSON-ready dict (DataCite keys in camelCase)."""
        doc = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        doc["servable"]["methods"] = {
            name: {
                **m.model_dump(mode="json", exclude={"input", "output"}),
                "input": m.input.model_dump_doc(),
                "output": m.output.model_dump_doc(),
            }
            for name, m in self.servable.methods.items()
        }
        return doc

    @property
    def run(self) -> Method:
        return self.servable.methods["run"]


def _loc(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc) or "(document)"


def _datacite_errors(block: Any) -> list[dict[str, str]]:
    """The datacite block's problems: the official DataCite 4 schema checks the
    block with DLHub's defaults filled in (descriptionType, relationType...);
    a block DLHub's models cannot read is checked as given."""
    try:
        canonical = DataCite.model_validate(block).model_dump(
            mode="json", by_alias=True, exclude_none=True
        )
    except ValidationError as exc:
        problems = datacite_problems(block)
        named = {p["field"] for p in problems}
        for e in exc.errors():
            field = _loc(("datacite", *e["loc"]))
            if not any(field == n or field.startswith(n + ".") for n in named):
                problems.append({"field": field, "problem": e["msg"]})
        return problems
    return datacite_problems(canonical)


def validate_metadata(doc: Any) -> Metadata:
    """Validate a metadata document.

    Raises:
        InvalidArgument: listing every bad field in the message and in
            ``details["errors"]`` as ``[{"field": ..., "problem": ...}]``.
    """
    if not isinstance(doc, dict):
        raise InvalidArgument("metadata must be a JSON object with datacite, dlhub and servable")
    errors = _datacite_errors(doc.get("datacite")) if "datacite" in doc else []
    try:
        metadata = Metadata.model_validate(doc)
    except ValidationError as exc:
        errors += [
            {"field": _loc(e["loc"]), "problem": e["msg"]}
            for e in exc.errors()
            if "datacite" not in doc or e["loc"][:1] != ("datacite",)
        ]
    else:
        classes = classes_problem(metadata.servable.classes, metadata.run.output.model_dump_doc())
        errors += [{"field": "servable.classes", "problem": classes}] if classes else []
    if errors:
        listing = "; ".join(f"{e['field']}: {e['problem']}" for e in errors)
        raise InvalidArgument(
            f"invalid metadata ({len(errors)} problem(s)): {listing}", details={"errors": errors}
        )
    return metadata


def canonical_json(doc: Any) -> bytes:
    """Deterministic JSON bytes (sorted keys, no spaces) for digests."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def compute_digest(metadata_doc: dict[str, Any], artifacts: dict[str, str]) -> str:
    """sha256 over the artifacts (path -> sha256) and the canonical metadata.

    Fields that are assigned at publish (version, dates, identifiers, the digest
    itself) are left out, so the same bytes and metadata give the same digest.
    """
    doc = json.loads(canonical_json(metadata_doc))
    block = doc.get("dlhub", {})
    for key in ("version", "publication_date", "identifier", "digest"):
        block.pop(key, None)
    doc.get("datacite", {}).pop("publicationYear", None)
    doc.get("datacite", {}).pop("identifier", None)
    h = hashlib.sha256()
    for path in sorted(artifacts):
        h.update(path.encode() + b"\0" + artifacts[path].encode() + b"\n")
    h.update(canonical_json(doc))
    return "sha256:" + h.hexdigest()
