"""Tests for dlhub_common.names: slugs, references and versions."""

from __future__ import annotations

import pytest

from dlhub_common.errors import InvalidArgument
from dlhub_common.names import SLUG_RE, Ref, check_slug, parse_ref, parse_version


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("alice/tiny", Ref("alice", "tiny", 0)),
        ("alice.tiny", Ref("alice", "tiny", 0)),
        ("alice/tiny:3", Ref("alice", "tiny", 3)),
        ("alice/tiny@3", Ref("alice", "tiny", 3)),
        ("alice.tiny:12", Ref("alice", "tiny", 12)),
        ("alice.tiny@12", Ref("alice", "tiny", 12)),
        ("alice/tiny:latest", Ref("alice", "tiny", 0)),
        ("alice/tiny:0", Ref("alice", "tiny", 0)),
        ("  alice/tiny:2  ", Ref("alice", "tiny", 2)),
        ("a-b_c/d_e-f", Ref("a-b_c", "d_e-f", 0)),
    ],
)
def test_parse_ref_forms(text: str, expected: Ref) -> None:
    assert parse_ref(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "alice",
        "alice/",
        "/tiny",
        "alice/tiny/extra",
        "alice.tiny.extra",
        "alice/tiny:",
        "alice tiny",
        "alice/ti ny",
        "alice/tiny:3:4",
    ],
)
def test_malformed_refs_are_rejected(text: str) -> None:
    with pytest.raises(InvalidArgument, match="invalid"):
        parse_ref(text)


def test_malformed_ref_message_shows_the_expected_form() -> None:
    with pytest.raises(InvalidArgument) as info:
        parse_ref("just-a-name")
    assert "'just-a-name'" in info.value.message
    assert "owner/name" in info.value.message


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Alice/tiny", "owner"),
        ("alice/Tiny", "name"),
        ("-alice/tiny", "owner"),
        ("alice/tiny-", "name"),
    ],
)
def test_refs_with_bad_slugs_name_the_bad_part(text: str, kind: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        parse_ref(text)
    assert info.value.message.startswith(f"invalid {kind} ")
    assert kind in info.value.details


@pytest.mark.parametrize("text", ["alice/tiny:x", "alice/tiny:-1", "alice/tiny@1.5"])
def test_refs_with_bad_versions_are_rejected(text: str) -> None:
    with pytest.raises(InvalidArgument, match="invalid version"):
        parse_ref(text)


def test_explicit_version_overrides_the_one_in_the_text() -> None:
    assert parse_ref("alice/tiny:3", 5) == Ref("alice", "tiny", 5)
    assert parse_ref("alice/tiny:3", "5") == Ref("alice", "tiny", 5)
    assert parse_ref("alice/tiny", "latest") == Ref("alice", "tiny", 0)


def test_empty_explicit_version_keeps_the_one_in_the_text() -> None:
    assert parse_ref("alice/tiny:3", "") == Ref("alice", "tiny", 3)
    assert parse_ref("alice/tiny:3", None) == Ref("alice", "tiny", 3)


def test_bad_explicit_version_is_rejected() -> None:
    with pytest.raises(InvalidArgument, match="invalid version 'two'"):
        parse_ref("alice/tiny", "two")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, 0), ("", 0), ("latest", 0), ("0", 0), ("1", 1), ("42", 42), (7, 7), (0, 0)],
)
def test_parse_version(value: str | int | None, expected: int) -> None:
    assert parse_version(value) == expected


@pytest.mark.parametrize("value", ["-1", -3, "1.5", "v2", "LATEST", "one", "1e3"])
def test_parse_version_rejects_non_positive_integers(value: str | int) -> None:
    with pytest.raises(InvalidArgument, match="expected a positive integer"):
        parse_version(value)


def test_ref_views() -> None:
    latest = Ref("alice", "tiny")
    pinned = Ref("alice", "tiny", 4)
    assert latest.version == 0
    assert latest.full_name == pinned.full_name == "alice/tiny"
    assert latest.oip_name == "alice.tiny"
    assert str(latest) == "alice/tiny"
    assert str(pinned) == "alice/tiny:4"
    assert parse_ref(str(pinned)) == pinned
    assert parse_ref(pinned.oip_name) == latest


@pytest.mark.parametrize("value", ["a", "z9", "tiny-model", "tiny_model", "0", "a" * 64])
def test_check_slug_accepts(value: str) -> None:
    assert check_slug("name", value) == value


@pytest.mark.parametrize(
    "value", ["", "A", "a.b", "a/b", "-a", "a-", "_a", "a_", "a b", "a" * 65, "caf\u00e9"]
)
def test_check_slug_rejects_with_the_rule(value: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        check_slug("owner", value)
    assert info.value.message.startswith(f"invalid owner {value!r}")
    assert "lower-case letters" in info.value.message
    assert info.value.details == {"owner": value}


@pytest.mark.parametrize("text", ["alice\n", "tiny\n", "a\n"])
def test_a_trailing_newline_is_not_a_slug(text: str) -> None:
    """``$`` in a pattern matches before a final newline; slugs end at the string's end."""
    assert SLUG_RE.match(text) is None
    assert SLUG_RE.match(text.strip()) is not None
