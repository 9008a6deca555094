"""The metadata builder shared by every servable kind.

Method names follow the original DLHub SDK: ``set_title``, ``set_name``,
``set_authors`` / ``add_author``, ``set_abstract``, ``add_related_identifier``,
``set_domains``, ``set_version``, ``set_publication_year``,
``add_alternate_identifier``, ``set_visibility``, ``add_directory``, and
``model.input['description']`` / ``model.output['description']``.
Every setter returns the builder, so calls chain.
"""

from __future__ import annotations

import copy
import fnmatch
from collections.abc import Iterable, Sequence
from itertools import zip_longest
from pathlib import Path
from typing import Any

from dlhub_common.errors import InvalidArgument
from dlhub_common.labels import check_classes
from dlhub_common.metadata import validate_metadata
from dlhub_sdk.models._io_view import IOView


class ServableBuilder:
    """Collects the three metadata blocks and the artifact files."""

    servable_type = ""

    def __init__(self) -> None:
        self._datacite: dict[str, Any] = {
            "creators": [],
            "titles": [],
            "descriptions": [],
            # as the original SDK: DLHub serves models to interact with ("query/response")
            "resourceType": {"resourceTypeGeneral": "InteractiveResource", "resourceType": "Model"},
        }
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

    def set_authors(
        self, authors: Sequence[str], affiliations: Sequence[str | Sequence[str]] = ()
    ) -> ServableBuilder:
        """Set the creators (replacing any), each ``"Family, Given"``; ``affiliations``
        gives each author's affiliation(s), in the same order (the original SDK's call)."""
        if len(affiliations) > len(authors):
            raise InvalidArgument("set_authors: more affiliations than authors")
        self._datacite["creators"] = []
        for author, aff in zip_longest(authors, affiliations, fillvalue=()):
            family, _, given = (p.strip() for p in str(author).partition(","))
            self.add_author(str(author).strip(), [aff] if isinstance(aff, str) else list(aff))
            creator = self._datacite["creators"][-1]
            if family and given:
                creator.update(familyName=family, givenName=given)
        return self

    set_creators = set_authors

    def set_version(self, version: str | int) -> ServableBuilder:
        """The resource's own version (DataCite ``version``; DLHub numbers versions too)."""
        self._datacite["version"] = str(version)
        return self

    def set_publication_year(self, year: str | int) -> ServableBuilder:
        """DataCite ``publicationYear`` (else the year of publishing)."""
        self._datacite["publicationYear"] = str(year)
        return self

    def add_alternate_identifier(self, identifier: str, identifier_type: str) -> ServableBuilder:
        self._datacite.setdefault("alternateIdentifiers", []).append(
            {"identifier": identifier, "identifierType": identifier_type}
        )
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

    def set_visibility(
        self, users: Iterable[str] | None = None, groups: Iterable[str] | None = None
    ) -> ServableBuilder:
        """Who may see and run it: ``users`` (user names or Globus identity
        URNs) and ``groups`` (group names, as ``group:<name>``, or Globus group
        URNs); neither means ``["public"]``, as in the original SDK."""
        entries = list(users or [])
        for group in groups or []:
            entries.append(group if ":" in group else f"group:{group}")
        self._dlhub["visible_to"] = entries or ["public"]
        return self

    def add_file(self, local: str | Path, path: str | None = None) -> ServableBuilder:
        """Ship an extra file with the servable (stored under ``path``)."""
        src = Path(local)
        name = path or src.name
        self._files[name] = src
        self._dlhub["files"].setdefault("other", []).append(name)
        return self

    def add_directory(
        self,
        directory: str | Path,
        include: str | Iterable[str] = (),
        exclude: str | Iterable[str] = (),
        recursive: bool = False,
    ) -> ServableBuilder:
        """Ship every file of ``directory`` (``recursive``: and below), stored
        under its path relative to the directory; ``include`` / ``exclude``
        are file-name patterns (``*.json``)."""
        root = Path(directory)
        if not root.is_dir():
            raise InvalidArgument(f"add_directory: {root} is not a directory")
        inc = [include] if isinstance(include, str) else list(include)
        exc = [exclude] if isinstance(exclude, str) else list(exclude)
        for path in sorted(root.rglob("*") if recursive else root.glob("*")):
            if not path.is_file():
                continue
            if inc and not any(fnmatch.fnmatch(path.name, p) for p in inc):
                continue
            if any(fnmatch.fnmatch(path.name, p) for p in exc):
                continue
            self.add_file(path, path.relative_to(root).as_posix())
        return self

    # -------------------------------------------------------- servable

    def _run_spec(self, side: str) -> dict[str, Any]:
        run = self._servable["methods"].setdefault(
            "run", {"input": {"type": "any"}, "output": {"type": "any"}}
        )
        spec: dict[str, Any] = run[side]
        return spec

    @property
    def input(self) -> IOView:
        """The run method's input: ``model.input['description'] = '...'``; a named
        input of several: ``model.input['x']['description'] = '...'``."""
        return IOView(lambda: self._run_spec("input"))

    @property
    def output(self) -> IOView:
        """The run method's output, as :attr:`input`."""
        return IOView(lambda: self._run_spec("output"))

    def add_dependency(self, package: str, version: str) -> ServableBuilder:
        self._servable["dependencies"][package] = version
        return self

    def set_classes(self, names: Sequence[str]) -> ServableBuilder:
        """Name the output's classes (tags), in output order: results can then come
        back as ``{class: probability}``, highest first (``client.run(...,
        labelled=True)``, docs/streams.md). Their number must match an output's
        values per row (InvalidArgument otherwise)."""
        names = [str(n) for n in names]
        if "run" in self._servable["methods"]:
            check_classes(names, self._servable["methods"]["run"]["output"])
        self._servable["classes"] = names
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
