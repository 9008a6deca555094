"""Tests for dlhub_common.metadata: validation, canonical JSON and digests."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from dlhub_common.errors import InvalidArgument
from dlhub_common.metadata import (
    ITEM_TYPE_TO_DATATYPE,
    IOSpec,
    Metadata,
    canonical_json,
    compute_digest,
    validate_metadata,
)


def valid_doc() -> dict[str, Any]:
    """A complete, valid document for a one-input ONNX model."""
    return {
        "datacite": {
            "creators": [{"name": "Doe, Jane", "affiliation": ["Argonne"]}],
            "titles": [{"title": "Tiny linear model"}],
            "descriptions": [{"description": "Y = X @ W + B"}],
            "relatedIdentifiers": [{"relatedIdentifier": "10.1000/xyz"}],
        },
        "dlhub": {"name": "tiny", "domains": ["testing"], "visible_to": ["public"]},
        "servable": {
            "type": "onnx",
            "methods": {
                "run": {
                    "input": {
                        "type": "dict",
                        "properties": {
                            "X": {
                                "type": "ndarray",
                                "shape": [None, 4],
                                "item_type": {"type": "float32"},
                            }
                        },
                    },
                    "output": {
                        "type": "dict",
                        "properties": {
                            "Y": {
                                "type": "ndarray",
                                "shape": [None, 3],
                                "item_type": {"type": "float32"},
                            }
                        },
                    },
                }
            },
        },
    }


def errors_of(doc: Any) -> tuple[InvalidArgument, dict[str, str]]:
    with pytest.raises(InvalidArgument) as info:
        validate_metadata(doc)
    errors = info.value.details["errors"]
    return info.value, {e["field"]: e["problem"] for e in errors}


# ----------------------------------------------------------------- validation


def test_valid_document_passes() -> None:
    meta = validate_metadata(valid_doc())
    assert isinstance(meta, Metadata)
    assert meta.dlhub.name == "tiny"
    assert meta.servable.type == "onnx"
    assert meta.run.input.properties is not None
    assert meta.run.input.properties["X"].datatype() == "FP32"
    assert meta.datacite.creators[0].affiliation == ["Argonne"]
    assert meta.datacite.related_identifiers[0].related_identifier == "10.1000/xyz"


def test_defaults_are_filled_in() -> None:
    meta = validate_metadata(valid_doc())
    assert meta.datacite.publisher == "DLHub"
    assert meta.datacite.resource_type.resource_type_general == "Software"
    assert meta.dlhub.visible_to == ["public"]
    assert meta.dlhub.files.model is None


def test_to_doc_round_trips_with_camel_case_keys() -> None:
    doc = validate_metadata(valid_doc()).to_doc()
    assert "relatedIdentifiers" in doc["datacite"]
    assert "related_identifiers" not in doc["datacite"]
    assert doc["datacite"]["relatedIdentifiers"][0]["relatedIdentifier"] == "10.1000/xyz"
    # The IO specs keep only what is set.
    x = doc["servable"]["methods"]["run"]["input"]["properties"]["X"]
    assert x == {"type": "ndarray", "shape": [None, 4], "item_type": {"type": "float32"}}
    # The canonical document validates again to the same thing.
    assert validate_metadata(doc).to_doc() == doc


def test_every_missing_required_field_is_listed_in_one_error() -> None:
    doc = {"datacite": {}, "dlhub": {}, "servable": {"methods": {}}}
    err, problems = errors_of(doc)
    assert set(problems) == {
        "datacite.creators",
        "datacite.titles",
        "dlhub.name",
        "servable.type",
        "servable.methods",
    }
    assert "run" in problems["servable.methods"]
    assert "5 problem(s)" in err.message
    for field in problems:
        assert field in err.message


def test_missing_methods_block_is_reported() -> None:
    _, problems = errors_of({"datacite": {}, "dlhub": {}, "servable": {}})
    assert "servable.methods" in problems
    assert "servable.type" in problems


def test_missing_run_method_is_reported() -> None:
    doc = valid_doc()
    doc["servable"]["methods"] = {"predict": doc["servable"]["methods"]["run"]}
    _, problems = errors_of(doc)
    assert list(problems) == ["servable.methods"]
    assert "'run'" in problems["servable.methods"]


def test_missing_blocks_are_each_listed() -> None:
    _, problems = errors_of({})
    assert set(problems) == {"datacite", "dlhub", "servable"}


@pytest.mark.parametrize("doc", [[], "metadata", None, 3])
def test_non_object_document_is_rejected(doc: Any) -> None:
    with pytest.raises(InvalidArgument, match="must be a JSON object"):
        validate_metadata(doc)


def test_empty_creators_and_titles_are_rejected() -> None:
    doc = valid_doc()
    doc["datacite"]["creators"] = []
    doc["datacite"]["titles"] = [{"title": ""}]
    _, problems = errors_of(doc)
    assert "datacite.creators" in problems
    assert "datacite.titles.0.title" in problems


def test_unknown_keys_are_rejected_in_every_block() -> None:
    doc = valid_doc()
    doc["datacite"]["colour"] = "blue"
    doc["dlhub"]["colour"] = "blue"
    doc["servable"]["colour"] = "blue"
    doc["extra_block"] = {}
    _, problems = errors_of(doc)
    assert {"datacite.colour", "dlhub.colour", "servable.colour", "extra_block"} <= set(problems)


@pytest.mark.parametrize(
    "name",
    ["Tiny", "tiny.model", "-tiny", "tiny-", "_tiny", "ti ny", "", "a" * 65, "tiny/model", "tïny"],
)
def test_bad_slug_names_are_rejected(name: str) -> None:
    doc = valid_doc()
    doc["dlhub"]["name"] = name
    _, problems = errors_of(doc)
    assert list(problems) == ["dlhub.name"]
    assert "lower-case" in problems["dlhub.name"]


@pytest.mark.parametrize("name", ["a", "tiny", "tiny-model_2", "0abc", "a" * 64])
def test_good_slug_names_pass(name: str) -> None:
    doc = valid_doc()
    doc["dlhub"]["name"] = name
    assert validate_metadata(doc).dlhub.name == name


def test_bad_owner_slug_is_rejected() -> None:
    doc = valid_doc()
    doc["dlhub"]["owner"] = "Alice Smith"
    _, problems = errors_of(doc)
    assert list(problems) == ["dlhub.owner"]


def test_empty_visibility_is_rejected() -> None:
    doc = valid_doc()
    doc["dlhub"]["visible_to"] = []
    _, problems = errors_of(doc)
    assert "at least one reader" in problems["dlhub.visible_to"]


def test_unknown_servable_type_is_rejected() -> None:
    doc = valid_doc()
    doc["servable"]["type"] = "pytorch"
    _, problems = errors_of(doc)
    assert "onnx" in problems["servable.type"]


@pytest.mark.parametrize("bad_type", ["tensor", "float33", "NDARRAY", ""])
def test_unknown_io_type_is_rejected_and_known_types_listed(bad_type: str) -> None:
    doc = valid_doc()
    doc["servable"]["methods"]["run"]["input"] = {"type": bad_type}
    _, problems = errors_of(doc)
    problem = problems["servable.methods.run.input.type"]
    assert repr(bad_type) in problem
    assert "ndarray" in problem
    assert "float32" in problem


def test_unknown_item_type_is_rejected() -> None:
    doc = valid_doc()
    x = doc["servable"]["methods"]["run"]["input"]["properties"]["X"]
    x["item_type"] = {"type": "complex64"}
    _, problems = errors_of(doc)
    assert "servable.methods.run.input.properties.X.item_type.type" in problems


def test_ndarray_without_shape_is_rejected() -> None:
    doc = valid_doc()
    del doc["servable"]["methods"]["run"]["input"]["properties"]["X"]["shape"]
    _, problems = errors_of(doc)
    assert "'shape'" in problems["servable.methods.run.input.properties.X"]


def test_ndarray_without_item_type_is_rejected() -> None:
    doc = valid_doc()
    del doc["servable"]["methods"]["run"]["output"]["properties"]["Y"]["item_type"]
    _, problems = errors_of(doc)
    assert "'item_type'" in problems["servable.methods.run.output.properties.Y"]


def test_ndarray_with_negative_dimension_is_rejected() -> None:
    doc = valid_doc()
    doc["servable"]["methods"]["run"]["input"]["properties"]["X"]["shape"] = [-1, 4]
    _, problems = errors_of(doc)
    assert ">= 0 or null" in problems["servable.methods.run.input.properties.X"]


def test_dict_without_properties_is_rejected() -> None:
    doc = valid_doc()
    doc["servable"]["methods"]["run"]["output"] = {"type": "dict"}
    _, problems = errors_of(doc)
    assert "'properties'" in problems["servable.methods.run.output"]


def test_problems_in_several_blocks_are_all_reported() -> None:
    doc = valid_doc()
    doc["dlhub"]["name"] = "Bad Name"
    doc["servable"]["methods"]["run"]["input"] = {"type": "tensor"}
    del doc["servable"]["methods"]["run"]["output"]["properties"]["Y"]["shape"]
    doc["datacite"]["titles"] = []
    err, problems = errors_of(doc)
    assert set(problems) == {
        "dlhub.name",
        "servable.methods.run.input.type",
        "servable.methods.run.output.properties.Y",
        "datacite.titles",
    }
    assert "4 problem(s)" in err.message


@pytest.mark.parametrize(("item_type", "datatype"), sorted(ITEM_TYPE_TO_DATATYPE.items()))
def test_ndarray_datatype_follows_item_type(item_type: str, datatype: str) -> None:
    spec = IOSpec(type="ndarray", shape=[2], item_type=IOSpec(type=item_type))
    assert spec.datatype() == datatype


def test_loose_item_type_has_no_datatype() -> None:
    spec = IOSpec(type="ndarray", shape=[None], item_type=IOSpec(type="float"))
    assert spec.datatype() is None
    assert IOSpec(type="string").datatype() is None


# ------------------------------------------------------------------ digests


ARTIFACTS = {"model.onnx": "ab" * 32, "vocab.txt": "cd" * 32}


def test_canonical_json_is_sorted_compact_and_utf8() -> None:
    assert canonical_json({"b": 1, "a": [1, {"d": 2, "c": "\u00e9"}]}) == (
        '{"a":[1,{"c":"\u00e9","d":2}],"b":1}'.encode()
    )


def test_canonical_json_ignores_key_order() -> None:
    doc = valid_doc()
    reordered = dict(reversed(list(doc.items())))
    reordered["datacite"] = dict(reversed(list(doc["datacite"].items())))
    assert canonical_json(doc) == canonical_json(reordered)


def test_digest_is_reproducible() -> None:
    doc = validate_metadata(valid_doc()).to_doc()
    first = compute_digest(doc, ARTIFACTS)
    assert first.startswith("sha256:")
    assert len(first) == len("sha256:") + 64
    assert compute_digest(copy.deepcopy(doc), dict(reversed(list(ARTIFACTS.items())))) == first


def test_digest_does_not_modify_its_input() -> None:
    doc = valid_doc()
    doc["dlhub"]["version"] = 3
    before = copy.deepcopy(doc)
    compute_digest(doc, ARTIFACTS)
    assert doc == before


def test_digest_ignores_fields_assigned_at_publish() -> None:
    doc = validate_metadata(valid_doc()).to_doc()
    base = compute_digest(doc, ARTIFACTS)
    assigned = copy.deepcopy(doc)
    assigned["dlhub"].update(
        version=7,
        publication_date="2024-01-02T03:04:05Z",
        identifier="dlhub:alice/tiny:7",
        digest="sha256:" + "0" * 64,
    )
    assigned["datacite"]["publicationYear"] = "2024"
    assigned["datacite"]["identifier"] = {"identifier": "10.1/x", "identifierType": "DOI"}
    assert compute_digest(assigned, ARTIFACTS) == base


def test_changing_an_artifact_hash_changes_the_digest() -> None:
    doc = validate_metadata(valid_doc()).to_doc()
    base = compute_digest(doc, ARTIFACTS)
    assert compute_digest(doc, {**ARTIFACTS, "model.onnx": "ef" * 32}) != base


def test_renaming_adding_or_removing_an_artifact_changes_the_digest() -> None:
    doc = validate_metadata(valid_doc()).to_doc()
    base = compute_digest(doc, ARTIFACTS)
    renamed = {"model2.onnx": ARTIFACTS["model.onnx"], "vocab.txt": ARTIFACTS["vocab.txt"]}
    assert compute_digest(doc, renamed) != base
    assert compute_digest(doc, {"model.onnx": ARTIFACTS["model.onnx"]}) != base
    assert compute_digest(doc, {**ARTIFACTS, "extra.bin": "12" * 32}) != base


def test_changing_described_metadata_changes_the_digest() -> None:
    doc = validate_metadata(valid_doc()).to_doc()
    base = compute_digest(doc, ARTIFACTS)
    for mutate in (
        lambda d: d["datacite"]["titles"][0].update(title="Another title"),
        lambda d: d["dlhub"].update(visible_to=["alice"]),
        lambda d: d["servable"]["methods"]["run"]["input"]["properties"]["X"].update(
            shape=[None, 5]
        ),
    ):
        changed = copy.deepcopy(doc)
        mutate(changed)
        assert compute_digest(changed, ARTIFACTS) != base
