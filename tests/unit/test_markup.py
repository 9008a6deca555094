"""The original markup API on the SDK builders, labelled results and the original layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dlhub_common.errors import InvalidArgument
from dlhub_common.labels import classes_problem, labelled
from dlhub_common.metadata import validate_metadata
from dlhub_common.original_layout import original_layout
from dlhub_sdk.models import OnnxServable
from tests.tiny_onnx import tiny_onnx


@pytest.fixture
def onnx_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.onnx"
    path.write_bytes(tiny_onnx(np.ones((4, 3)), np.zeros(3)))
    return path


def test_the_original_calls_fill_the_three_blocks(onnx_file: Path, tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    (extra / "sub").mkdir(parents=True)
    for name in ("a.json", "b.txt", "sub/c.json"):
        (extra / name).write_text(name)
    model = OnnxServable(onnx_file, classes=["cat", "dog", "eel"])
    model.set_title("Tiny").set_name("tiny")
    model.set_authors(["Lecunn, Yann", "Cortes, Corinna"], [["NYU", "Bell Labs"], "Google"])
    model.set_version("2.1").set_publication_year(2007)
    model.add_alternate_identifier("tiny-1", "Local")
    model.set_visibility(users=["bob"], groups=["lab"])
    model.add_directory(extra, include="*.json", recursive=True)
    model.input["description"] = "four numbers"
    model.output["Y"]["description"] = "three scores"
    doc = model.to_dict()
    datacite = doc["datacite"]
    assert datacite["creators"] == [
        {
            "name": "Lecunn, Yann",
            "familyName": "Lecunn",
            "givenName": "Yann",
            "affiliation": ["NYU", "Bell Labs"],
        },
        {"name": "Cortes, Corinna", "familyName": "Cortes", "givenName": "Corinna",
         "affiliation": ["Google"]},
    ]  # fmt: skip
    assert (datacite["version"], datacite["publicationYear"]) == ("2.1", "2007")
    assert datacite["alternateIdentifiers"] == [{"identifier": "tiny-1", "identifierType": "Local"}]
    assert doc["dlhub"]["visible_to"] == ["bob", "group:lab"]
    assert doc["dlhub"]["files"]["other"] == ["a.json", "sub/c.json"]
    assert set(model.files()) == {"tiny.onnx", "a.json", "sub/c.json"}
    run = doc["servable"]["methods"]["run"]
    assert run["input"]["description"] == "four numbers"
    assert run["output"]["properties"]["Y"]["description"] == "three scores"
    assert model.output["Y"]["description"] == "three scores"
    assert doc["servable"]["classes"] == ["cat", "dog", "eel"]
    assert OnnxServable(onnx_file).set_visibility().to_dict(validate=False)["dlhub"][
        "visible_to"
    ] == ["public"]


def test_markup_mistakes_are_named(onnx_file: Path, tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument, match="classes lists 2 names but no output has 2"):
        OnnxServable(onnx_file, classes=["cat", "dog"])
    with pytest.raises(InvalidArgument, match="more affiliations than authors"):
        OnnxServable(onnx_file).set_authors(["A, B"], [["x"], ["y"]])
    with pytest.raises(InvalidArgument, match="is not a directory"):
        OnnxServable(onnx_file).add_directory(tmp_path / "nope")
    with pytest.raises(KeyError, match="not a field of this spec nor one of its names"):
        _ = OnnxServable(onnx_file).input["Z"]


def test_labelled_rows_are_sorted_and_refused_when_they_cannot_be() -> None:
    rows = labelled(
        ["a", "b", "c"],
        {"label": np.array([1, 0]), "p": np.array([[0.2, 0.7, 0.1], [0.5, 0.2, 0.3]])},
    )
    assert rows == [{"b": 0.7, "a": 0.2, "c": 0.1}, {"a": 0.5, "c": 0.3, "b": 0.2}]
    assert [list(r) for r in rows] == [["b", "a", "c"], ["a", "c", "b"]]
    with pytest.raises(InvalidArgument, match="declares no classes"):
        labelled([], {"p": np.zeros((1, 3))})
    with pytest.raises(InvalidArgument, match="no output has one value per class"):
        labelled(["a", "b"], {"p": np.zeros((1, 3))})
    output = {"type": "dict", "properties": {"p": {"type": "ndarray", "shape": [None, 3]}}}
    assert classes_problem(["a", "b", "c"], output) is None
    assert classes_problem(["a"], {"type": "any"}) is None  # nothing to compare with
    assert "no output has 2 values per row ('p': 3)" in str(classes_problem(["a", "b"], output))


def test_original_layout_fills_in_what_dlhub_assigned(onnx_file: Path) -> None:
    model = OnnxServable(onnx_file, name="tiny", classes=["a", "b", "c"]).set_title("Tiny")
    metadata = validate_metadata(model.add_author("Doe, Jane").to_dict()).to_doc()
    summary = {
        "owner": "alice",
        "version": 3,
        "identifier": "dlhub:alice/tiny:3",
        "doi": "10.12345/dlhub.alice.tiny.v3",
        "publication_date": "2025-02-03T04:05:06Z",
        "digest": "sha256:ab",
        "visible_to": ["public"],
    }
    layout = original_layout(summary, metadata)
    assert layout["datacite"]["identifier"] == {
        "identifier": "10.12345/dlhub.alice.tiny.v3",
        "identifierType": "DOI",
    }
    assert layout["datacite"]["publicationYear"] == "2025"
    assert layout["datacite"]["creators"] == [{"creatorName": "Doe, Jane", "affiliations": []}]
    assert layout["dlhub"]["id"] == "dlhub:alice/tiny:3"
    assert (layout["dlhub"]["version"], layout["dlhub"]["digest"]) == (3, "sha256:ab")
    run = layout["servable"]["methods"]["run"]
    assert run["input"]["shape"] == [None, 4]  # the one named tensor, shown as itself
    assert run["method_details"]["classes"] == ["a", "b", "c"]
    assert layout["servable"]["shim"] == "onnx.OnnxServable"
    assert layout["servable"]["dependencies"]["python"] == metadata["servable"]["dependencies"]
