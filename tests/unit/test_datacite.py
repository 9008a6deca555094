"""DataCite settings and the metadata -> DataCite JSON:API mapping (no network)."""

from __future__ import annotations

import os
from typing import Any

import pytest
from pydantic import ValidationError

from dlhub_common.errors import InvalidArgument
from dlhub_common.metadata import validate_metadata
from dlhub_common.settings import DataCiteSettings, Settings
from dlhub_registry.datacite import DataCiteClient, datacite_attributes, doi_for

PASSWORD = "n0t-in-any-repr"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for key in list(os.environ):
        if key.upper().startswith("DLHUB_"):
            monkeypatch.delenv(key)
    return monkeypatch


def enabled(**overrides: Any) -> dict[str, Any]:
    return {
        "enabled": True,
        "repository_id": "DLHUB.TEST",
        "password": PASSWORD,
        "prefix": "10.12345",
        **overrides,
    }


# ------------------------------------------------------------------ settings


def test_minting_is_off_by_default() -> None:
    s = Settings().datacite
    assert s.enabled is False
    assert s.api_url == "https://api.datacite.org"
    assert s.publish is True
    assert s.landing_url == (
        "http://127.0.0.1:8000/api/v1/servables/{owner}/{name}?version={version}"
    )
    assert s.timeout_s > 0


def test_settings_from_the_environment_keep_the_password_secret(
    clean_env: pytest.MonkeyPatch,
) -> None:
    clean_env.setenv("DLHUB_DATACITE__ENABLED", "true")
    clean_env.setenv("DLHUB_DATACITE__API_URL", "https://api.test.datacite.org")
    clean_env.setenv("DLHUB_DATACITE__REPOSITORY_ID", "DLHUB.TEST")
    clean_env.setenv("DLHUB_DATACITE__PASSWORD", PASSWORD)
    clean_env.setenv("DLHUB_DATACITE__PREFIX", "10.12345")
    clean_env.setenv("DLHUB_DATACITE__PUBLISH", "false")
    settings = Settings()
    s = settings.datacite
    assert (s.enabled, s.repository_id, s.prefix, s.publish) == (
        True,
        "DLHUB.TEST",
        "10.12345",
        False,
    )
    assert s.password.get_secret_value() == PASSWORD
    for text in (repr(settings), str(settings), settings.model_dump_json()):
        assert PASSWORD not in text


@pytest.mark.parametrize("missing", ["repository_id", "password", "prefix"])
def test_enabled_needs_credentials_and_a_prefix(missing: str) -> None:
    with pytest.raises(ValidationError, match=f"DLHUB_DATACITE__{missing.upper()}"):
        DataCiteSettings.model_validate(enabled(**{missing: ""}))


def test_disabled_needs_nothing() -> None:
    assert DataCiteSettings().enabled is False


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("prefix", "12345", "prefix must look like 10.12345"),
        ("landing_url", "https://x/{owner}/{servable}", "landing_url may use only"),
        ("api_url", "api.datacite.org", "api_url must be an http"),
    ],
)
def test_bad_values_are_named(field: str, value: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as info:
        DataCiteSettings.model_validate(enabled(**{field: value}))
    assert PASSWORD not in str(info.value)


def test_unknown_datacite_setting_is_rejected(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("DLHUB_DATACITE__PASWORD", "typo")
    with pytest.raises(ValidationError):
        Settings()


# ------------------------------------------------------------------ mapping


def test_the_doi_is_lower_case_and_names_the_version() -> None:
    assert doi_for("10.12345", "alice", "my_model", 2) == "10.12345/dlhub.alice.my_model.v2"
    assert doi_for("10.ABC", "a", "b", 1) == "10.abc/dlhub.a.b.v1"


def metadata_doc(**datacite: Any) -> dict[str, Any]:
    doc = {
        "datacite": {"creators": [{"name": "Doe, Jane"}], "titles": [{"title": "T"}], **datacite},
        "dlhub": {"name": "m", "domains": ["chemistry"]},
        "servable": {
            "type": "onnx",
            "methods": {"run": {"input": {"type": "any"}, "output": {"type": "any"}}},
        },
    }
    out = validate_metadata(doc).to_doc()
    out["dlhub"].update(owner="alice", version=4, identifier="dlhub:alice/m:4")
    out["datacite"].setdefault("publicationYear", "2025")
    return out


def test_attributes_map_the_datacite_block() -> None:
    doc = metadata_doc(
        resourceType={"resourceTypeGeneral": "Model", "resourceType": "Neural network"},
        subjects=[{"subject": "catalysis"}],
        alternateIdentifiers=[{"identifier": "abc", "identifierType": "Local"}],
        publisher="Argonne",
    )
    a = datacite_attributes(doc, doi="10.1/x", prefix="10.1", url="https://l/x")
    assert a["types"] == {"resourceTypeGeneral": "Model", "resourceType": "Neural network"}
    assert a["publisher"] == "Argonne"
    assert a["publicationYear"] == 2025
    assert a["subjects"] == [{"subject": "catalysis"}]  # domains only fill in when none
    assert a["alternateIdentifiers"] == [
        {"alternateIdentifier": "abc", "alternateIdentifierType": "Local"},
        {"alternateIdentifier": "dlhub:alice/m:4", "alternateIdentifierType": "DLHub"},
    ]
    assert a["creators"] == [{"name": "Doe, Jane", "nameType": "Personal"}]
    assert a["version"] == "4"
    assert a["schemaVersion"] == "http://datacite.org/schema/kernel-4"
    assert "descriptions" not in a  # empty lists are left out
    assert "event" not in a


def test_a_publication_year_datacite_cannot_read_is_an_invalid_argument() -> None:
    doc = metadata_doc()
    doc["datacite"]["publicationYear"] = "MMXXV"  # validation refuses it earlier (test_datacite4)
    with pytest.raises(InvalidArgument, match="publicationYear"):
        datacite_attributes(doc, doi="10.1/x", prefix="10.1", url="https://l/x")


def test_client_fills_the_landing_url_and_doi_from_a_record() -> None:
    client = DataCiteClient(
        DataCiteSettings.model_validate(
            enabled(prefix="10.12345", landing_url="https://hub/{owner}/{name}/{version}")
        )
    )
    record = {"owner": "alice", "name": "m", "version": 4, "metadata": metadata_doc()}
    a = client.attributes(record)
    assert (a["doi"], a["prefix"], a["url"]) == (
        "10.12345/dlhub.alice.m.v4",
        "10.12345",
        "https://hub/alice/m/4",
    )
    assert a["subjects"] == [{"subject": "chemistry"}]
    assert client.scrub(f"x {PASSWORD} y") == "x *** y"
