"""Tests for dlhub_common.signature: tensor signatures and input checks."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from dlhub_common.errors import InvalidArgument
from dlhub_common.metadata import IOSpec
from dlhub_common.signature import (
    TensorSpec,
    check_inputs,
    describe_signature,
    tensor_signature,
)

X = TensorSpec("X", "FP32", (None, 4))
MASK = TensorSpec("mask", "BOOL", (None,))
ANY = TensorSpec("blob", None, (2,))
Given = dict[str, tuple[str, Sequence[int]]]


def problems_of(specs: Sequence[TensorSpec], given: Given) -> InvalidArgument:
    with pytest.raises(InvalidArgument) as info:
        check_inputs(specs, given)
    return info.value


# ------------------------------------------------------------- signatures


def ndarray(shape: list[int | None], item: str = "float32") -> IOSpec:
    return IOSpec(type="ndarray", shape=shape, item_type=IOSpec(type=item))


def test_signature_of_a_bare_ndarray_uses_the_default_name() -> None:
    assert tensor_signature(ndarray([None, 4])) == [TensorSpec("input", "FP32", (None, 4))]
    assert tensor_signature(ndarray([3]), default_name="Y") == [TensorSpec("Y", "FP32", (3,))]


def test_signature_of_a_dict_of_ndarrays_keeps_names_and_order() -> None:
    spec = IOSpec(
        type="dict",
        properties={"X": ndarray([None, 4]), "mask": ndarray([None], "bool")},
    )
    assert tensor_signature(spec) == [X, MASK]


def test_loose_item_type_gives_any_datatype() -> None:
    assert tensor_signature(ndarray([2], "float")) == [TensorSpec("input", None, (2,))]


@pytest.mark.parametrize(
    "spec",
    [
        IOSpec(type="string"),
        IOSpec(type="any"),
        IOSpec(type="dict", properties={"X": ndarray([1]), "name": IOSpec(type="string")}),
        IOSpec(type="dict", properties={}),
    ],
)
def test_non_tensor_specs_have_no_signature(spec: IOSpec) -> None:
    assert tensor_signature(spec) == []


def test_describe() -> None:
    assert X.describe() == "X: FP32[?, 4]"
    assert ANY.describe() == "blob: ANY[2]"
    assert TensorSpec("s", "INT64", ()).describe() == "s: INT64[]"
    assert describe_signature([X, MASK]) == "(X: FP32[?, 4], mask: BOOL[?])"
    assert X.oip_shape == [-1, 4]


# ------------------------------------------------------------- check_inputs


@pytest.mark.parametrize(
    ("specs", "given"),
    [
        ([X], {"X": ("FP32", [2, 4])}),
        ([X], {"X": ("FP32", [0, 4])}),
        ([X, MASK], {"X": ("FP32", [5, 4]), "mask": ("BOOL", [5])}),
        ([ANY], {"blob": ("BYTES", [2])}),
        ([ANY], {"blob": ("INT8", [2])}),
        ([TensorSpec("s", "INT64", ())], {"s": ("INT64", [])}),
    ],
)
def test_matching_inputs_pass(specs: list[TensorSpec], given: Given) -> None:
    check_inputs(specs, given)


def test_wrong_datatype() -> None:
    err = problems_of([X], {"X": ("FP64", [2, 4])})
    assert "input 'X' has datatype FP64, expected FP32" in err.message
    assert err.details["problems"] == ["input 'X' has datatype FP64, expected FP32"]


def test_wrong_rank() -> None:
    err = problems_of([X], {"X": ("FP32", [8])})
    assert "input 'X' has shape [8] (rank 1), expected rank 2 [-1, 4]" in err.message


def test_wrong_fixed_dimension() -> None:
    err = problems_of([X], {"X": ("FP32", [2, 5])})
    assert "input 'X' has size 5 on axis 1, expected 4" in err.message


def test_variable_dimension_accepts_any_size() -> None:
    for batch in (0, 1, 1000):
        check_inputs([X], {"X": ("FP32", [batch, 4])})


def test_missing_input() -> None:
    err = problems_of([X, MASK], {"X": ("FP32", [1, 4])})
    assert err.details["problems"] == ["missing input 'mask'"]


def test_no_inputs_at_all() -> None:
    err = problems_of([X], {})
    assert err.details["problems"] == ["missing input 'X'"]


def test_unexpected_input() -> None:
    err = problems_of(
        [X, MASK], {"X": ("FP32", [1, 4]), "mask": ("BOOL", [1]), "extra": ("FP32", [1])}
    )
    assert err.details["problems"] == ["unexpected input 'extra'"]


def test_single_input_may_be_given_under_any_name() -> None:
    check_inputs([X], {"whatever": ("FP32", [3, 4])})


def test_single_input_under_another_name_is_still_checked() -> None:
    err = problems_of([X], {"whatever": ("FP64", [3, 5])})
    assert "input 'X' has datatype FP64, expected FP32" in err.message
    assert "input 'X' has size 5 on axis 1, expected 4" in err.message


def test_renaming_applies_only_to_single_input_signatures() -> None:
    err = problems_of([X, MASK], {"x": ("FP32", [1, 4]), "mask": ("BOOL", [1])})
    assert "missing input 'X'" in err.details["problems"]
    assert "unexpected input 'x'" in err.details["problems"]


def test_every_problem_is_reported_at_once() -> None:
    err = problems_of(
        [X, MASK, ANY],
        {"X": ("FP64", [2, 4, 1]), "blob": ("FP32", [3]), "extra": ("FP32", [1])},
    )
    assert sorted(err.details["problems"]) == sorted(
        [
            "missing input 'mask'",
            "unexpected input 'extra'",
            "input 'X' has datatype FP64, expected FP32",
            "input 'X' has shape [2, 4, 1] (rank 3), expected rank 2 [-1, 4]",
            "input 'blob' has size 3 on axis 0, expected 2",
        ]
    )


def test_message_names_the_expected_signature() -> None:
    err = problems_of([X, MASK], {"X": ("FP64", [2, 4]), "mask": ("BOOL", [2])})
    assert err.message.endswith("Expected signature (X: FP32[?, 4], mask: BOOL[?])")
    assert err.details["expected"] == [
        {"name": "X", "datatype": "FP32", "shape": [-1, 4]},
        {"name": "mask", "datatype": "BOOL", "shape": [-1]},
    ]


def test_empty_signature_rejects_any_input() -> None:
    check_inputs([], {})
    err = problems_of([], {"X": ("FP32", [1])})
    assert err.details["problems"] == ["unexpected input 'X'"]
    assert "Expected signature ()" in err.message
