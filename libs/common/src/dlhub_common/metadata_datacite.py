"""The ``datacite`` block of the metadata document, and the base models.

The official DataCite 4 schema (:mod:`dlhub_common.datacite_schema`) is the
authority on the block; these models give the fields DLHub reads their
canonical form and defaults.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel


class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class _CamelBlock(_Block):
    model_config = ConfigDict(
        extra="forbid", populate_by_name=True, alias_generator=to_camel, serialize_by_alias=True
    )


# ---------------------------------------------------------------- datacite


class _DataCiteBlock(_CamelBlock):
    # The official schema (dlhub_common.datacite_schema) is the authority on
    # the datacite block: these models only give the fields DLHub reads their
    # canonical form and defaults, and keep every other DataCite 4 field.
    model_config = ConfigDict(
        extra="allow", populate_by_name=True, alias_generator=to_camel, serialize_by_alias=True
    )


class NameIdentifier(_DataCiteBlock):
    name_identifier: str
    name_identifier_scheme: str = "ORCID"


class Creator(_DataCiteBlock):
    name: str = Field(min_length=1)
    name_type: Literal["Personal", "Organizational"] = "Personal"
    given_name: str | None = None
    family_name: str | None = None
    affiliation: list[str | dict[str, Any]] = Field(default_factory=list)
    name_identifiers: list[NameIdentifier] = Field(default_factory=list)


class Title(_DataCiteBlock):
    title: str = Field(min_length=1)
    title_type: str | None = None


class Description(_DataCiteBlock):
    description: str = Field(min_length=1)
    description_type: str = "Abstract"


class RelatedIdentifier(_DataCiteBlock):
    related_identifier: str = Field(min_length=1)
    related_identifier_type: str = "DOI"
    relation_type: str = "IsDescribedBy"


class Rights(_DataCiteBlock):
    rights: str
    rights_uri: str | None = None


class FundingReference(_DataCiteBlock):
    funder_name: str
    award_number: str | None = None
    award_title: str | None = None


class Identifier(_DataCiteBlock):
    identifier: str
    identifier_type: str

    @model_validator(mode="before")
    @classmethod
    def _rest_names(cls, data: Any) -> Any:
        # alternateIdentifiers in the REST form: alternateIdentifier(Type)
        if isinstance(data, dict) and "alternateIdentifier" in data:
            data = dict(data)
            data.setdefault("identifier", data.pop("alternateIdentifier"))
            if "alternateIdentifierType" in data:
                data.setdefault("identifierType", data.pop("alternateIdentifierType"))
        return data


class ResourceType(_DataCiteBlock):
    resource_type_general: str = "Software"
    resource_type: str = "Model"


class DataCite(_DataCiteBlock):
    """DataCite 4 (kernel 4.5) fields; ``creators`` and ``titles`` are required.

    Fields not named here (contributors, dates, language, geoLocations, sizes,
    formats, version, relatedItems, ...) are kept as given, once the schema
    accepted them.
    """

    creators: list[Creator] = Field(min_length=1)
    titles: list[Title] = Field(min_length=1)
    descriptions: list[Description] = Field(default_factory=list)
    publisher: str | dict[str, Any] = "DLHub"
    publication_year: str | None = None
    resource_type: ResourceType = Field(default_factory=ResourceType)
    subjects: list[dict[str, str]] = Field(default_factory=list)
    related_identifiers: list[RelatedIdentifier] = Field(default_factory=list)
    rights_list: list[Rights] = Field(default_factory=list)
    funding_references: list[FundingReference] = Field(default_factory=list)
    identifier: Identifier | None = None
    alternate_identifiers: list[Identifier] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _rest_names(cls, data: Any) -> Any:
        # The REST form's types and doi, in DLHub's canonical names.
        if isinstance(data, dict) and ("types" in data or "doi" in data):
            data = dict(data)
            if "types" in data and "resourceType" not in data:
                data["resourceType"] = data.pop("types")
            if "doi" in data and "identifier" not in data:
                data["identifier"] = {"identifier": data.pop("doi"), "identifierType": "DOI"}
        return data
