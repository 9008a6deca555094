"""The metadata builder shared by every servable kind.

Method names follow the original DLHub SDK: ``set_title``, ``set_name``,
``add_author``, ``set_abstract``, ``add_related_identifier``, ``set_domains``...
Every setter returns the builder, so calls chain.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from dlhub_common.metadata import validate_metadata


class ServableBuilder:
    """Collects the three metadata blocks and the artifact files."""

    servable_type = ""

    def __init__(self) -> None:
        self._datacite: dict[str, Any] = {"creators": [], "titles": [], "descriptions": []}
        self._dlhub: dict[str, Any] = {"domains": [], "visible_to": ["public"], "files": {}}
        self._servable: dict[str, Any] = {
            "type": self.servable_type,
            "methods": {},
            "dependencies": {},
        }
        self._files: dict[str, Path] = {}

    # -------------------------------------------------------- datacite

    def set_title(self, title: str) -> ServableBuilder:
        self._datacite["titles"] = [{"title": title}]
        return self

    def add_author(
        self, name: str, affiliations: str | list[str] | None = None, orcid: str | None = None
    ) -> ServableBuilder:
        """Add a creator, ``"Family, Given"`` or ``"Given Family"``."""
        creator: dict[str, Any] = {"name": name}
        if affiliations:
            creator["affiliation"] = (
                [affiliations] if isinstance(affiliations, str) else affiliations
            )
        if orcid:
            creator["nameIdentifiers"] = [
                {"nameIdentifier": orcid, "nameIdentifierScheme": "ORCID"}
            ]
        self._datacite["creators"].append(creator)
        return self

    def set_abstract(self, text: str) -> ServableBuilder:
        self._datacite["descriptions"] = [{"description": text, "descriptionType": "Abstract"}]
        return self

    set_description = set_abstract

    def add_related_identifier(
        self, identifier: str, identifier_type: str = "DOI", relation_type: str = "IsDescribedBy"
    ) -> ServableBuilder:
        self._datacite.setdefault("relatedIdentifiers", []).append(
            {
                "relatedIdentifier": identifier,
                "relatedIdentifierType": identifier_type,
                "relationType": relation_type,
            }
        )
        return self

    def add_rights(self, rights: str, uri: str | None = None) -> ServableBuilder:
        entry = {"rights": rights, **({"rightsUri": uri} if uri else {})}
        self._datacite.setdefault("rightsList", []).append(entry)
        return self

    def add_funding_reference(
        self, funder: str, award_number: str | None = None
    ) -> ServableBuilder:
        entry = {"funderName": funder, **({"awardNumber": award_number} if award_number else {})}
        self._datacite.setdefault("fundingReferences", []).append(entry)
        return self

    # -------------------------------------------------------- dlhub

    def set_name(self, name: str) -> ServableBuilder:
        self._dlhub["name"] = name
        return self

    def set_domains(self, domains: list[str]) -> ServableBuilder:
        self._dlhub["domains"] = list(domains)
        return self

    def set_visibility(self, users: list[str]) -> ServableBuilder:
        """Who may see and run it: ``["public"]`` or user names."""
        self._dlhub["visible_to"] = list(users)
        return self

    def add_file(self, local: str | Path, path: str | None = None) -> ServableBuilder:
        """Ship an extra file with the servable (stored under ``path``)."""
        src = Path(local)
        name = path or src.name
        self._files[name] = src
        self._dlhub["files"].setdefault("other", []).append(name)
        return self

    # -------------------------------------------------------- servable

    def add_dependency(self, package: str, version: str) -> ServableBuilder:
        self._servable["dependencies"][package] = version
        return self

    def set_classes(self, names: list[str]) -> ServableBuilder:
        """Name the output's classes (tags), in output order: stream results then
        come back as ``{class: probability}``, highest first (docs/streams.md)."""
        self._servable["classes"] = [str(n) for n in names]
        return self

    def set_batching(self, max_batch_size: int, max_queue_delay_ms: float = 0.0) -> ServableBuilder:
        """Dynamic batching of this servable (overrides the executor's defaults)."""
        self._servable["batching"] = {
            "max_batch_size": max_batch_size,
            "max_queue_delay_ms": max_queue_delay_ms,
        }
        return self

    def set_training(
        self,
        module: str | Path,
        *,
        benchmark: str,
        prefix: str | None = None,
        topic: str | None = None,
        function: str = "train",
        rule: str = "no_worse",
        margin: float = 0.0,
    ) -> ServableBuilder:
        """Attach a training recipe (docs/retraining.md): ``module`` (a local
        file, shipped with the servable) defines ``function(data_dir,
        previous_artifacts_dir)``; new data arrives under ``prefix`` or on
        ``topic``; a candidate becomes the next version when its score on
        ``benchmark`` (``owner/name:version``) passes ``rule``."""
        src = Path(module)
        if src.exists() and src.name not in self._files:
            self.add_file(src)
        source = {"prefix": prefix} if prefix is not None else {"topic": topic}
        self._servable["training"] = {
            "module": src.name,
            "function": function,
            "source": source,
            "acceptance": {"benchmark": benchmark, "rule": rule, "margin": margin},
        }
        return self

    def files(self) -> dict[str, Path]:
        return dict(self._files)

    def to_dict(self, validate: bool = True) -> dict[str, Any]:
        """The metadata document; validated unless ``validate=False``."""
        doc = {
            "datacite": copy.deepcopy(self._datacite),
            "dlhub": copy.deepcopy(self._dlhub),
            "servable": copy.deepcopy(self._servable),
        }
        if validate:
            validate_metadata(doc)
        return doc
