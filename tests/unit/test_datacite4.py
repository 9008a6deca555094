"""The datacite block against the official DataCite 4.5 schema (dlhub_common.datacite_schema)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from dlhub_common.datacite_schema import to_kernel4
from dlhub_common.errors import InvalidArgument
from dlhub_common.metadata import validate_metadata

ORCID = "0000-0002-1825-0097"  # ORCID's own example, valid checksum
ROR = "https://ror.org/05gvnxz63"  # Argonne


def doc_with(datacite: dict[str, Any]) -> dict[str, Any]:
    return {
        "datacite": datacite,
        "dlhub": {"name": "m"},
        "servable": {
            "type": "onnx",
            "methods": {"run": {"input": {"type": "any"}, "output": {"type": "any"}}},
        },
    }


FULL: dict[str, Any] = {
    "creators": [
        {
            "name": "Lecun, Yann",
            "givenName": "Yann",
            "familyName": "Lecun",
            "affiliation": [
                "New York University",
                {
                    "name": "Argonne",
                    "affiliationIdentifier": ROR,
                    "affiliationIdentifierScheme": "ROR",
                },
            ],
            "nameIdentifiers": [
                {
                    "nameIdentifier": ORCID,
                    "nameIdentifierScheme": "ORCID",
                    "schemeUri": "https://orcid.org",
                }
            ],
        },
        {"name": "Argonne National Laboratory", "nameType": "Organizational"},
    ],
    "titles": [{"title": "MNIST"}, {"title": "Digits", "titleType": "Subtitle", "lang": "en"}],
    "contributors": [
        {"name": "Cortes, Corinna", "contributorType": "DataCurator", "nameType": "Personal"}
    ],
    "dates": [
        {"date": "2024-05-01", "dateType": "Created"},
        {"date": "2024", "dateType": "Issued"},
        {"date": "2024-01/2024-06", "dateType": "Collected"},
        {"date": "2024-05-01T10:00:00Z", "dateType": "Updated", "dateInformation": "retrained"},
    ],
    "language": "en",
    "geoLocations": [
        {
            "geoLocationPlace": "Lemont, IL",
            "geoLocationPoint": {"pointLongitude": -87.98, "pointLatitude": 41.71},
        }
    ],
    "sizes": ["1.2 MB"],
    "formats": ["application/x-hdf5"],
    "version": "1.0",
    "subjects": [{"subject": "digit recognition", "subjectScheme": "keywords"}],
    "relatedIdentifiers": [
        {
            "relatedIdentifier": "10.1109/CVPR.2007.383157",
            "relatedIdentifierType": "DOI",
            "relationType": "IsDescribedBy",
        },
        {
            "relatedIdentifier": "https://github.com/DLHub-Argonne/dlhub_sdk",
            "relatedIdentifierType": "URL",
            "relationType": "IsSupplementTo",
        },
    ],
    "rightsList": [{"rights": "MIT", "rightsUri": "https://opensource.org/licenses/MIT"}],
    "fundingReferences": [{"funderName": "DOE", "awardNumber": "DE-AC02-06CH11357"}],
    "alternateIdentifiers": [{"identifier": "mnist-v1", "identifierType": "Local"}],
    "resourceType": {"resourceTypeGeneral": "InteractiveResource", "resourceType": "Model"},
    "identifier": {"identifier": "10.YET/UNASSIGNED", "identifierType": "DOI"},
}


def problems_of(datacite: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(InvalidArgument) as info:
        validate_metadata(doc_with(datacite))
    return {e["field"]: e["problem"] for e in info.value.details["errors"]}


def test_a_full_datacite_4_record_is_accepted_and_kept_whole() -> None:
    out = validate_metadata(doc_with(copy.deepcopy(FULL))).to_doc()["datacite"]
    for key in ("contributors", "dates", "language", "geoLocations", "sizes", "formats", "version"):
        assert out[key] == FULL[key]
    assert out["creators"][0]["affiliation"] == FULL["creators"][0]["affiliation"]
    assert out["resourceType"] == FULL["resourceType"]
    assert out["identifier"] == FULL["identifier"]


def test_the_rest_api_form_is_accepted_in_dlhubs_canonical_names() -> None:
    rest = to_kernel4(copy.deepcopy(FULL), year="2024")
    rest["doi"] = "10.12345/dlhub.alice.m.v1"
    out = validate_metadata(doc_with(rest)).to_doc()["datacite"]
    assert out["resourceType"]["resourceTypeGeneral"] == "InteractiveResource"
    assert out["identifier"] == {"identifier": "10.12345/dlhub.alice.m.v1", "identifierType": "DOI"}
    assert out["publisher"] == {"name": "DLHub"}
    assert out["alternateIdentifiers"] == [{"identifier": "mnist-v1", "identifierType": "Local"}]


def test_every_bad_field_is_named_at_once() -> None:
    bad = copy.deepcopy(FULL)
    bad["dates"][0]["date"] = "2024-13-45"
    bad["resourceType"]["resourceTypeGeneral"] = "Spaceship"
    bad["creators"][0]["nameIdentifiers"][0]["nameIdentifier"] = "0000-0002-1825-0098"
    bad["creators"][0]["affiliation"][1]["affiliationIdentifier"] = "https://ror.org/nope!"
    bad["relatedIdentifiers"][0]["relatedIdentifier"] = "not-a-doi"
    bad["contributors"][0]["contributorType"] = "Friend"
    bad["geoLocations"][0]["geoLocationPoint"]["pointLatitude"] = 123
    bad["colour"] = "blue"
    problems = problems_of(bad)
    assert "not a DataCite date" in problems["datacite.dates.0.date"]
    assert "'Spaceship' is not one of" in problems["datacite.resourceType.resourceTypeGeneral"]
    assert "not a valid ORCID" in problems["datacite.creators.0.nameIdentifiers.0.nameIdentifier"]
    assert "not a valid ROR" in problems["datacite.creators.0.affiliation.1.affiliationIdentifier"]
    assert "not a valid DOI" in problems["datacite.relatedIdentifiers.0.relatedIdentifier"]
    assert "'Friend' is not one of" in problems["datacite.contributors.0.contributorType"]
    assert "123" in problems["datacite.geoLocations.0.geoLocationPoint.pointLatitude"]
    assert "unknown field" in problems["datacite.colour"]
    assert len(problems) == 8


@pytest.mark.parametrize(
    ("date", "ok"),
    [
        ("2024", True),
        ("2024-02", True),
        ("2024-02-29", True),
        ("2023-02-29", False),
        ("2024-02-01T12:30:00+02:00", True),
        ("2020/2024", True),
        ("2020-01-01/", True),
        ("yesterday", False),
        ("2024-1-5", False),
    ],
)
def test_dates_follow_datacite(date: str, ok: bool) -> None:
    block = copy.deepcopy(FULL)
    block["dates"] = [{"date": date, "dateType": "Valid"}]
    if ok:
        validate_metadata(doc_with(block))
    else:
        assert "datacite.dates.0.date" in problems_of(block)


def test_a_minted_doi_and_urls_are_checked() -> None:
    block = copy.deepcopy(FULL)
    block["identifier"] = {"identifier": "10.x/bad", "identifierType": "DOI"}
    block["rightsList"][0]["rightsUri"] = "not a uri"
    problems = problems_of(block)
    assert "not a DOI" in problems["datacite.identifier.identifier"]
    assert "not a valid uri" in problems["datacite.rightsList.0.rightsUri"]


def test_a_malformed_orcid_alone_is_refused_with_its_path() -> None:
    block = copy.deepcopy(FULL)
    block["creators"][0]["nameIdentifiers"][0]["nameIdentifier"] = "1234"
    assert list(problems_of(block)) == ["datacite.creators.0.nameIdentifiers.0.nameIdentifier"]
