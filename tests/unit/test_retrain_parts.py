"""Retraining's pure parts: the recipe's validation, the acceptance rule, the
next version's metadata and the data digest."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from dlhub_common.errors import InvalidArgument
from dlhub_common.metadata import validate_metadata
from dlhub_registry.retrain_run import accept, derived_metadata
from dlhub_registry.retrain_sources import digest_of

RECIPE: dict[str, Any] = {
    "module": "train.py",
    "source": {"prefix": "s3://bucket/glass/"},
    "acceptance": {"benchmark": "alice/heldout:1"},
}


def python_doc(training: Any) -> dict[str, Any]:
    return {
        "datacite": {"creators": [{"name": "Doe, Jane"}], "titles": [{"title": "t"}]},
        "dlhub": {"name": "m"},
        "servable": {
            "type": "python",
            "python": "3.11",
            "methods": {
                "run": {
                    "input": {"type": "any"},
                    "output": {"type": "any"},
                    "method_details": {"module": "m.py", "function": "predict"},
                }
            },
            "training": training,
        },
    }


def problems(training: Any) -> list[dict[str, str]]:
    with pytest.raises(InvalidArgument) as info:
        validate_metadata(python_doc(training))
    errors: list[dict[str, str]] = info.value.details["errors"]
    return errors


def test_a_valid_recipe_gets_its_defaults() -> None:
    block = validate_metadata(python_doc(RECIPE)).servable.training
    assert block is not None
    assert block.function == "train"
    assert (block.acceptance.rule, block.acceptance.margin) == ("no_worse", 0.0)
    local = {**RECIPE, "source": {"prefix": "/data/glass/"}}
    assert validate_metadata(python_doc(local)).servable.training is not None


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (
            {"source": {"prefix": "s3://b/p/", "topic": "t"}},
            "servable.training.source",
            "exactly one",
        ),
        ({"source": {}}, "servable.training.source", "exactly one"),
        ({"source": {"prefix": "relative/dir"}}, "servable.training.source", "absolute path"),
        ({"source": {"topic": "bad topic!"}}, "servable.training.source", "letters, digits"),
        ({"module": "../train.py"}, "servable.training.module", "relative path"),
        ({"module": "train.txt"}, "servable.training.module", ".py"),
        ({"function": "not-a-name"}, "servable.training.function", "python function name"),
        (
            {"acceptance": {"benchmark": "alice/heldout"}},
            "servable.training.acceptance.benchmark",
            "pinned",
        ),
        (
            {"acceptance": {"benchmark": "a/b:1", "rule": "best"}},
            "servable.training.acceptance.rule",
            "",
        ),
        (
            {"acceptance": {"benchmark": "a/b:1", "margin": -1}},
            "servable.training.acceptance.margin",
            "",
        ),
        ({"schedule": "daily"}, "servable.training.schedule", ""),
    ],
)
def test_bad_recipes_name_the_field(change: dict[str, Any], field: str, words: str) -> None:
    found = problems({**RECIPE, **change})
    assert any(e["field"].startswith(field) and words in e["problem"] for e in found), found


def test_a_recipe_needs_a_python_environment() -> None:
    doc = python_doc(RECIPE)
    doc["servable"].update(
        type="onnx", methods={"run": {"input": {"type": "any"}, "output": {"type": "any"}}}
    )
    doc["servable"].pop("python")
    with pytest.raises(InvalidArgument) as info:
        validate_metadata(doc)
    assert "a onnx servable has no python environment to train in" in info.value.message


@pytest.mark.parametrize(
    ("metric", "rule", "margin", "candidate", "previous", "passed"),
    [
        ("mae", "no_worse", 0.0, 0.10, 0.10, True),  # equal is no worse
        ("mae", "no_worse", 0.0, 0.11, 0.10, False),
        ("mae", "better_by", 0.05, 0.05, 0.10, True),  # exactly the margin
        ("mae", "better_by", 0.05, 0.06, 0.10, False),
        ("mae", "better_by", 0.0, 0.10, 0.10, False),  # better_by wants strictly better
        ("accuracy", "no_worse", 0.0, 0.91, 0.90, True),
        ("accuracy", "no_worse", 0.0, 0.89, 0.90, False),
        ("accuracy", "better_by", 0.02, 0.93, 0.90, True),
        ("r2", "better_by", 0.02, 0.91, 0.90, False),
    ],
)
def test_the_acceptance_rule(
    metric: str, rule: str, margin: float, candidate: float, previous: float, passed: bool
) -> None:
    ok, reason = accept(metric, rule, margin, candidate, previous)
    assert ok is passed
    assert reason.startswith("accepted" if passed else "rejected")
    assert f"candidate {metric} {candidate:.6g}, current {previous:.6g}" in reason


def test_the_next_versions_metadata() -> None:
    stored = python_doc(RECIPE)
    stored["dlhub"].update(
        owner="alice",
        version=3,
        publication_date="2026-01-01T00:00:00Z",
        identifier="dlhub:alice/m:3",
        digest="sha256:x",
        files={"model": "m.py", "other": ["environment.lock", "train.py", "old.csv"]},
    )
    stored["datacite"].update(
        publicationYear="2026",
        identifier={"identifier": "10.1/x", "identifierType": "DOI"},
        relatedIdentifiers=[
            {"relatedIdentifier": "dlhub:alice/m:2", "relationType": "IsDerivedFrom"},
            {"relatedIdentifier": "10.2/paper", "relationType": "IsDescribedBy"},
        ],
    )
    record = {"metadata": stored, "identifier": "dlhub:alice/m:3"}
    lineage = {
        "derived_from": "alice/m:3",
        "data_digest": "sha256:d",
        "job": "rtj-1",
        "benchmark": "alice/heldout:1",
        "metric": "mae",
        "score": 0.1,
        "previous_score": 0.2,
    }
    doc = derived_metadata(record, lineage, ["m.py", "train.py", "new.csv"])
    assert set(doc["dlhub"]) == {"name", "owner", "files"}
    assert doc["dlhub"]["files"] == {"model": "m.py", "other": ["new.csv", "train.py"]}
    assert "publicationYear" not in doc["datacite"]
    assert "identifier" not in doc["datacite"]
    assert doc["datacite"]["relatedIdentifiers"] == [
        {"relatedIdentifier": "10.2/paper", "relationType": "IsDescribedBy"},
        {
            "relatedIdentifier": "urn:dlhub:alice/m:3",
            "relatedIdentifierType": "URN",
            "relationType": "IsDerivedFrom",
        },
    ]
    assert doc["servable"]["training"]["lineage"] == lineage
    assert stored["dlhub"]["version"] == 3  # the stored record is untouched
    validate_metadata(doc)
    with_doi = derived_metadata({**record, "doi": "10.5/m.3"}, lineage, ["m.py"])
    assert with_doi["datacite"]["relatedIdentifiers"][-1] == {
        "relatedIdentifier": "10.5/m.3",
        "relatedIdentifierType": "DOI",
        "relationType": "IsDerivedFrom",
    }


def test_the_data_digest_covers_keys_and_bytes_in_key_order() -> None:
    a, b = hashlib.sha256(b"a").hexdigest(), hashlib.sha256(b"b").hexdigest()
    expected = hashlib.sha256(f"x.csv\0{a}\ny.csv\0{b}\n".encode()).hexdigest()
    assert digest_of({"y.csv": b, "x.csv": a}) == f"sha256:{expected}"
    assert digest_of({"x.csv": b, "y.csv": a}) != digest_of({"x.csv": a, "y.csv": b})
