"""Pipelines (docs/pipelines.md): the :class:`Pipeline` builder and the client's
``publish_pipeline`` / ``describe_pipeline``. A pipeline runs through the
ordinary :meth:`DLHubClient.run <dlhub_sdk.client.DLHubClient.run>`.

A pipeline file (``dlhub pipeline publish pipeline.yaml``) is either a whole
metadata document (``datacite``, ``dlhub``, ``servable``) or the short form::

    name: formation_enthalpy
    title: Formation enthalpy from a composition (SYNTHETIC data)
    authors: ["Ward, Logan"]
    description: parse -> featurize -> predict
    visible_to: [public]
    steps:
      - {name: parse, servable: parse_composition, inputs: $input}
      - {name: featurize, servable: featurize, inputs: parse}
      - {name: predict, servable: predict_enthalpy, inputs: featurize}
    outputs: predict        # optional
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from dlhub_common.errors import InvalidArgument, NotFound
from dlhub_common.metadata import validate_metadata
from dlhub_common.names import parse_ref
from dlhub_common.pipeline_spec import PipelineSpec, describe_steps
from dlhub_sdk.models.base import ServableBuilder

SHORT_KEYS = {
    "name",
    "title",
    "authors",
    "description",
    "visible_to",
    "domains",
    "steps",
    "outputs",
}


class Pipeline(ServableBuilder):
    """A pipeline of published servables; every setter returns the builder.

    Example::

        Pipeline("enthalpy").set_title("...").add_author("Ward, Logan")
            .step("parse", "parse_composition", "$input")
            .step("featurize", "featurize", "parse")
    """

    servable_type = "pipeline"

    def __init__(self, name: str | None = None) -> None:
        super().__init__()
        self._servable = {"type": "pipeline", "pipeline": {"steps": []}}
        if name:
            self.set_name(name)

    def step(self, name: str, servable: str, inputs: str | dict[str, str]) -> Pipeline:
        """Add a step: ``servable`` is ``owner/name[:version]`` or a name of yours
        (frozen to its latest version at publish); ``inputs`` is a source
        (``$input``, ``<step>``, ``<step>.<key>``) or ``{step input: source}``."""
        self._servable["pipeline"]["steps"].append(
            {"name": name, "servable": servable, "inputs": copy.deepcopy(inputs)}
        )
        return self

    def set_outputs(self, outputs: str | dict[str, str]) -> Pipeline:
        """The pipeline's outputs (default: those of the steps nobody reads)."""
        self._servable["pipeline"]["outputs"] = copy.deepcopy(outputs)
        return self

    def to_dict(self, validate: bool = True) -> dict[str, Any]:
        """The metadata document; ``methods.run`` is derived by the registry."""
        doc = {
            "datacite": copy.deepcopy(self._datacite),
            "dlhub": {k: v for k, v in copy.deepcopy(self._dlhub).items() if k != "files"},
            "servable": copy.deepcopy(self._servable),
        }
        if validate:
            check_pipeline_doc(doc)
        return doc

    @classmethod
    def from_file(cls, path: str | Path) -> dict[str, Any]:
        """A pipeline file (YAML or JSON; see the module doc) as a metadata document."""
        import yaml

        text = Path(path).read_text()
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise InvalidArgument(f"{path}: not valid YAML or JSON: {exc}") from None
        return cls.from_mapping(data, source=str(path))

    @classmethod
    def from_mapping(cls, data: Any, *, source: str = "pipeline") -> dict[str, Any]:
        if not isinstance(data, dict):
            raise InvalidArgument(f"{source}: a pipeline is a mapping (name, steps, ...)")
        if "servable" in data:  # a whole metadata document
            doc = copy.deepcopy(data)
            check_pipeline_doc(doc)
            return doc
        unknown = sorted(set(data) - SHORT_KEYS)
        if unknown:
            raise InvalidArgument(
                f"{source}: unknown keys {unknown}; use {sorted(SHORT_KEYS)} or a whole"
                " metadata document"
            )
        if not isinstance(data.get("name"), str) or not isinstance(data.get("steps"), list):
            raise InvalidArgument(f"{source}: give name (a string) and steps (a list)")
        builder = cls(data["name"])
        builder.set_title(str(data.get("title") or data["name"]))
        for author in data.get("authors") or []:
            builder.add_author(str(author))
        if data.get("description"):
            builder.set_abstract(str(data["description"]))
        if data.get("visible_to"):
            builder.set_visibility(list(data["visible_to"]))
        if data.get("domains"):
            builder.set_domains(list(data["domains"]))
        builder._servable["pipeline"]["steps"] = copy.deepcopy(data["steps"])
        if data.get("outputs") is not None:
            builder.set_outputs(data["outputs"])
        return builder.to_dict()


def check_pipeline_doc(doc: dict[str, Any]) -> None:
    """Check what can be checked without the registry (the steps are checked there).

    Raises:
        InvalidArgument: listing the bad fields.
    """
    servable = doc.get("servable")
    if not isinstance(servable, dict) or servable.get("type") != "pipeline":
        raise InvalidArgument("servable.type must be 'pipeline'")
    try:
        PipelineSpec.model_validate(servable.get("pipeline"))
    except ValueError as exc:
        raise InvalidArgument(f"invalid servable.pipeline: {exc}") from None
    probe = copy.deepcopy(doc)
    probe["servable"].setdefault(
        "methods", {"run": {"input": {"type": "any"}, "output": {"type": "any"}}}
    )
    validate_metadata(probe)  # datacite and dlhub blocks


def check_before_publish(metadata: dict[str, Any]) -> None:
    """The SDK's check before a publish: a pipeline's steps are checked by the registry."""
    servable = metadata.get("servable") if isinstance(metadata, dict) else None
    if isinstance(servable, dict) and servable.get("type") == "pipeline":
        check_pipeline_doc(metadata)
    else:
        validate_metadata(metadata)


class PipelinesMixin:
    def _call(self, method: str, request: Any, timeout: float | None = None) -> Any:
        raise NotImplementedError  # DLHubClient._call

    def publish_servable(self, model: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        raise NotImplementedError  # DLHubClient.publish_servable

    def describe_servable(self, name: str, version: int | str | None = None) -> dict[str, Any]:
        raise NotImplementedError  # DLHubClient.describe_servable

    def publish_pipeline(self, pipeline: Pipeline | dict[str, Any] | str | Path) -> dict[str, Any]:
        """Publish a pipeline (a :class:`Pipeline`, a metadata dict, or a pipeline file).

        The registry checks every step as you see it, freezes bare references
        to their latest version and derives ``methods.run``.

        Returns:
            The published version's summary (owner, name, version, digest...).

        Raises:
            InvalidArgument: naming the step and field (``details``) of a bad step.
        """
        if isinstance(pipeline, Pipeline):
            doc = pipeline.to_dict()
        elif isinstance(pipeline, (str, Path)):
            doc = Pipeline.from_file(pipeline)
        else:
            doc = copy.deepcopy(pipeline)
            check_pipeline_doc(doc)
        return self.publish_servable(doc, {})

    def describe_pipeline(self, name: str, version: int | str | None = None) -> dict[str, Any]:
        """``describe_servable`` of a pipeline plus ``steps`` (each step's servable,
        inputs and current state as you see it: ``active``, ``deprecated``,
        ``withdrawn`` or ``not found``) and ``runnable``."""
        meta = self.describe_servable(name, version)
        spec = PipelineSpec.model_validate(meta["servable"].get("pipeline") or {})
        found: dict[str, dict[str, Any] | None] = {}
        for step in spec.steps:
            ref = parse_ref(step.servable)
            try:
                found[step.name] = self.describe_servable(ref.full_name, ref.version or None)
            except NotFound:
                found[step.name] = None
        return {**meta, **describe_steps(spec, found)}


def steps_text(described: dict[str, Any]) -> str:
    """A pipeline's steps, one line each, for the CLI."""
    lines = []
    for s in described["steps"]:
        inputs = json.dumps(s["inputs"]) if isinstance(s["inputs"], dict) else s["inputs"]
        reason = f" ({s['reason']})" if s.get("reason") else ""
        lines.append(f"  {s['name']:16} {s['servable']:36} {s['state']}{reason}  <- {inputs}")
    return "\n".join(lines)
