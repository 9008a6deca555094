"""Citations of a servable version (dlhub_common.citations), each format parsed back."""

from __future__ import annotations

import copy
import json
from typing import Any

import bibtexparser
import pytest
from lxml import etree

from dlhub_common.citations import FORMATS, cite
from dlhub_common.datacite_schema import datacite_problems
from dlhub_common.errors import InvalidArgument
from dlhub_common.metadata import validate_metadata
from tests.unit.test_datacite4 import FULL, doc_with

SUMMARY = {
    "owner": "alice",
    "name": "mnist",
    "version": 2,
    "identifier": "dlhub:alice/mnist:2",
    "doi": "",
    "publication_date": "2024-05-01T00:00:00+00:00",
}


def described(**summary: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    metadata = validate_metadata(doc_with(copy.deepcopy(FULL))).to_doc()
    metadata["dlhub"].update(owner="alice", name="mnist", version=2)
    metadata["datacite"]["publicationYear"] = "2024"
    return {**SUMMARY, **summary}, metadata


def test_text_is_an_apa_reference_with_the_dlhub_identifier_until_a_doi_is_minted() -> None:
    text = cite(*described(), "text").text
    assert text.startswith("Lecun, Y., & Argonne National Laboratory. (2024). MNIST")
    assert "(Version 2)" in text
    assert text.endswith("dlhub:alice/mnist:2")
    minted = cite(*described(doi="10.12345/dlhub.alice.mnist.v2"), "text").text
    assert minted.endswith("https://doi.org/10.12345/dlhub.alice.mnist.v2")
    assert cite(*described(), "text", style="ieee").text.startswith("[1]Y. Lecun and Argonne")


def test_bibtex_parses_back_with_every_field() -> None:
    summary, metadata = described(doi="10.12345/dlhub.alice.mnist.v2")
    metadata["datacite"]["titles"][0]["title"] = "MNIST {digits} & co"
    library = bibtexparser.parse_string(cite(summary, metadata, "bibtex").text)
    assert not library.failed_blocks
    [entry] = library.entries
    assert entry.entry_type == "software"
    assert entry.key == "alice_mnist_v2"
    fields = {f.key: f.value for f in entry.fields}
    assert fields["author"] == "Lecun, Yann and {Argonne National Laboratory}"
    assert fields["title"] == "{MNIST \\{digits\\} & co}"
    assert (fields["year"], fields["version"]) == ("2024", "2")
    assert fields["doi"] == "10.12345/dlhub.alice.mnist.v2"
    assert fields["publisher"] == "DLHub"


def test_ris_is_one_record_of_tagged_lines() -> None:
    lines = cite(*described(), "ris").text.splitlines()
    assert lines[0] == "TY  - COMP"
    assert lines[-1] == "ER  -"
    assert "AU  - Lecun, Yann" in lines
    assert "AU  - Argonne National Laboratory" in lines
    assert "PY  - 2024" in lines
    assert all(line[2:6] == "  - " or line == "ER  -" for line in lines)


def test_datacite_json_is_a_valid_kernel_4_record() -> None:
    record = json.loads(cite(*described(doi="10.12345/x.y"), "datacite-json").text)
    assert record["doi"] == "10.12345/x.y"
    assert record["types"]["resourceTypeGeneral"] == "InteractiveResource"
    assert record["schemaVersion"] == "http://datacite.org/schema/kernel-4"
    assert {"alternateIdentifier": "dlhub:alice/mnist:2", "alternateIdentifierType": "DLHub"} in (
        record["alternateIdentifiers"]
    )
    assert datacite_problems(record) == []


def test_datacite_xml_is_kernel_4_xml() -> None:
    text = cite(*described(doi="10.12345/x.y"), "datacite-xml").text
    root = etree.fromstring(text.encode())
    ns = {"d": "http://datacite.org/schema/kernel-4"}
    assert root.tag == "{http://datacite.org/schema/kernel-4}resource"
    assert root.findtext("d:identifier", namespaces=ns) == "10.12345/x.y"
    assert root.findtext("d:publicationYear", namespaces=ns) == "2024"
    names = root.findall("d:creators/d:creator/d:creatorName", namespaces=ns)
    assert [n.text for n in names] == ["Lecun, Yann", "Argonne National Laboratory"]
    assert root.find("d:dates", namespaces=ns) is not None


def test_unknown_format_or_style_is_an_invalid_argument() -> None:
    with pytest.raises(InvalidArgument, match="unknown citation format 'word'"):
        cite(*described(), "word")
    with pytest.raises(InvalidArgument, match="unknown citation style"):
        cite(*described(), "text", style="no-such-style")
    assert set(FORMATS) == {"text", "bibtex", "ris", "datacite-json", "datacite-xml"}
