"""Tests for dlhub_common.settings: DLHUB_* environment parsing and validation."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from dlhub_common.backends import (
    LocalObjectsConfig,
    MemoryBusConfig,
    SqliteDocumentsConfig,
    SqliteSearchConfig,
)
from dlhub_common.settings import Endpoint, MiB, Settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No DLHUB_* variable from the developer's shell leaks into a test."""
    for key in list(os.environ):
        if key.upper().startswith("DLHUB_"):
            monkeypatch.delenv(key)
    return monkeypatch


def error_fields(exc: ValidationError) -> set[str]:
    return {".".join(str(p) for p in e["loc"]) for e in exc.errors()}


def test_defaults() -> None:
    s = Settings()
    assert s.max_message_bytes == 64 * MiB == 64 * 1024 * 1024
    assert s.max_artifact_bytes == 16 * 1024 * MiB
    assert s.data_dir == Path(".dlhub")
    assert s.default_timeout_s == 60.0
    assert s.gateway.host == "127.0.0.1"
    assert (s.gateway.http_port, s.gateway.grpc_port) == (8000, 8001)
    assert s.gateway.allow_anonymous_reads is True
    assert [e.port for e in (s.registry, s.search_service, s.taskmanager, s.executor)] == [
        8101,
        8102,
        8103,
        8104,
    ]
    assert isinstance(s.documents, SqliteDocumentsConfig)
    assert isinstance(s.search, SqliteSearchConfig)
    assert isinstance(s.objects, LocalObjectsConfig)
    assert isinstance(s.bus, MemoryBusConfig)
    assert s.tokens_file is None
    assert s.executor_options.concurrency == 4
    assert s.log_level == "INFO"


def test_top_level_env_values(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_env.setenv("DLHUB_DATA_DIR", str(tmp_path))
    clean_env.setenv("DLHUB_MAX_MESSAGE_BYTES", str(2 * MiB))
    clean_env.setenv("DLHUB_DEFAULT_TIMEOUT_S", "2.5")
    clean_env.setenv("DLHUB_TOKENS_FILE", str(tmp_path / "t.json"))
    clean_env.setenv("DLHUB_LOG_LEVEL", "DEBUG")
    s = Settings()
    assert s.data_dir == tmp_path
    assert s.max_message_bytes == 2 * MiB
    assert s.default_timeout_s == 2.5
    assert s.tokens_file == tmp_path / "t.json"
    assert s.log_level == "DEBUG"


def test_nested_env_values_use_double_underscore(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("DLHUB_GATEWAY__HTTP_PORT", "9000")
    clean_env.setenv("DLHUB_GATEWAY__ALLOW_ANONYMOUS_READS", "false")
    clean_env.setenv("DLHUB_REGISTRY__PORT", "9101")
    clean_env.setenv("DLHUB_REGISTRY__ADDRESS", "registry.internal:443")
    clean_env.setenv("DLHUB_EXECUTOR_OPTIONS__CONCURRENCY", "8")
    clean_env.setenv("DLHUB_DOCUMENTS__TYPE", "sqlite")
    clean_env.setenv("DLHUB_DOCUMENTS__PATH", "/var/lib/dlhub/docs.db")
    clean_env.setenv("DLHUB_BUS__TYPE", "memory")
    clean_env.setenv("DLHUB_BUS__MAX_MESSAGE_BYTES", "12345")
    s = Settings()
    assert s.gateway.http_port == 9000
    assert s.gateway.grpc_port == 8001  # untouched siblings keep their defaults
    assert s.gateway.allow_anonymous_reads is False
    assert s.registry.port == 9101
    assert s.registry.target() == "registry.internal:443"
    assert s.executor_options.concurrency == 8
    assert s.documents == SqliteDocumentsConfig(path=Path("/var/lib/dlhub/docs.db"))
    assert s.bus == MemoryBusConfig(max_message_bytes=12345)


def test_a_whole_section_as_json(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("DLHUB_GATEWAY", '{"http_port": 7000, "grpc_port": 7001}')
    s = Settings()
    assert (s.gateway.http_port, s.gateway.grpc_port) == (7000, 7001)


def test_env_names_are_case_insensitive(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("dlhub_gateway__http_port", "9100")
    assert Settings().gateway.http_port == 9100


def test_constructor_arguments_beat_the_environment(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("DLHUB_MAX_MESSAGE_BYTES", str(2 * MiB))
    assert Settings(max_message_bytes=3 * MiB).max_message_bytes == 3 * MiB


def test_bad_adapter_type_names_the_setting(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("DLHUB_DOCUMENTS__TYPE", "nonexistent")
    with pytest.raises(ValidationError) as info:
        Settings()
    assert error_fields(info.value) == {"documents"}
    text = str(info.value)
    assert "'nonexistent'" in text
    assert "'sqlite'" in text  # the accepted adapter names are listed


def test_adapter_option_without_its_type_means_the_embedded_adapter(
    clean_env: pytest.MonkeyPatch,
) -> None:
    # Without a TYPE, an adapter section configures the embedded default.
    clean_env.setenv("DLHUB_DOCUMENTS__PATH", "/tmp/docs.db")
    documents = Settings().documents
    assert documents.type == "sqlite"
    assert str(documents.path) == "/tmp/docs.db"


@pytest.mark.parametrize(
    ("env", "field"),
    [
        ("DLHUB_SEARCH__TYPE", "search"),
        ("DLHUB_OBJECTS__TYPE", "objects"),
        ("DLHUB_BUS__TYPE", "bus"),
    ],
)
def test_every_port_rejects_unknown_adapters(
    clean_env: pytest.MonkeyPatch, env: str, field: str
) -> None:
    clean_env.setenv(env, "nonexistent")
    with pytest.raises(ValidationError) as info:
        Settings()
    assert error_fields(info.value) == {field}
    assert "'nonexistent'" in str(info.value)


def test_unknown_top_level_env_variable_is_rejected(clean_env: pytest.MonkeyPatch) -> None:
    # A misspelt name would otherwise be silently ignored by pydantic-settings.
    clean_env.setenv("DLHUB_MAX_MESSAGE_BYTE", str(2 * MiB))
    clean_env.setenv("DLHUB_BOGUS", "1")
    with pytest.raises(ValidationError) as info:
        Settings()
    assert "DLHUB_BOGUS" in str(info.value)
    assert "DLHUB_MAX_MESSAGE_BYTE" in str(info.value)


def test_client_variables_are_not_settings_but_allowed(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("DLHUB_ADDRESS", "127.0.0.1:1")
    clean_env.setenv("DLHUB_TOKEN", "x")
    assert Settings().max_message_bytes == 64 * MiB


def test_unknown_nested_env_variable_is_rejected(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("DLHUB_GATEWAY__HTTP_PROT", "9000")
    with pytest.raises(ValidationError) as info:
        Settings()
    assert error_fields(info.value) == {"gateway.http_prot"}
    assert "Extra inputs are not permitted" in str(info.value)


def test_unknown_adapter_option_is_rejected(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("DLHUB_DOCUMENTS__TYPE", "sqlite")
    clean_env.setenv("DLHUB_DOCUMENTS__URI", "mongodb://x")
    with pytest.raises(ValidationError) as info:
        Settings()
    assert error_fields(info.value) == {"documents.sqlite.uri"}


def test_unknown_constructor_argument_is_rejected() -> None:
    with pytest.raises(ValidationError) as info:
        Settings(bogus=1)  # type: ignore[call-arg]
    assert error_fields(info.value) == {"bogus"}


def test_max_message_bytes_is_at_least_one_mib(clean_env: pytest.MonkeyPatch) -> None:
    assert Settings(max_message_bytes=MiB).max_message_bytes == MiB
    clean_env.setenv("DLHUB_MAX_MESSAGE_BYTES", str(MiB - 1))
    with pytest.raises(ValidationError) as info:
        Settings()
    assert error_fields(info.value) == {"max_message_bytes"}
    assert str(MiB) in str(info.value)


@pytest.mark.parametrize(
    ("env", "value", "field"),
    [
        ("DLHUB_GATEWAY__HTTP_PORT", "70000", "gateway.http_port"),
        ("DLHUB_GATEWAY__GRPC_PORT", "-1", "gateway.grpc_port"),
        ("DLHUB_REGISTRY__PORT", "http", "registry.port"),
        ("DLHUB_MAX_MESSAGE_BYTES", "64MiB", "max_message_bytes"),
        ("DLHUB_DEFAULT_TIMEOUT_S", "0", "default_timeout_s"),
        ("DLHUB_EXECUTOR_OPTIONS__CONCURRENCY", "0", "executor_options.concurrency"),
        ("DLHUB_GATEWAY__ALLOW_ANONYMOUS_READS", "maybe", "gateway.allow_anonymous_reads"),
    ],
)
def test_bad_values_name_their_setting(
    clean_env: pytest.MonkeyPatch, env: str, value: str, field: str
) -> None:
    clean_env.setenv(env, value)
    with pytest.raises(ValidationError) as info:
        Settings()
    assert error_fields(info.value) == {field}


def test_endpoint_target() -> None:
    assert Endpoint(port=8101).target() == "127.0.0.1:8101"
    assert Endpoint(host="0.0.0.0", port=1).target() == "0.0.0.0:1"
    assert Endpoint(port=1, address="svc:2").target() == "svc:2"


def test_resolved_data_dir_is_absolute(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_env.setenv("HOME", str(tmp_path))
    assert Settings(data_dir=Path("~/dlhub")).resolved_data_dir() == tmp_path.resolve() / "dlhub"
    assert Settings(data_dir=Path("rel")).resolved_data_dir().is_absolute()


def test_globus_provider_from_the_environment(clean_env: pytest.MonkeyPatch) -> None:
    client = "0A1B2C3D-1111-4222-8333-444455556666"
    clean_env.setenv("DLHUB_AUTH__PROVIDER", "globus")
    clean_env.setenv("DLHUB_AUTH__GLOBUS__CLIENT_ID", client)
    clean_env.setenv("DLHUB_AUTH__GLOBUS__CLIENT_SECRET", "very-secret")
    clean_env.setenv(
        "DLHUB_AUTH__GLOBUS__REQUIRED_SCOPE", f"https://auth.globus.org/scopes/{client}/all"
    )
    clean_env.setenv("DLHUB_AUTH__ADMINS", f'["alice", "URN:globus:auth:identity:{client}"]')
    s = Settings()
    assert s.auth.provider == "globus"
    assert s.auth.globus.client_secret.get_secret_value() == "very-secret"
    assert "very-secret" not in repr(s)
    assert s.auth.admins == ["alice", f"urn:globus:auth:identity:{client.lower()}"]
    assert Settings(auth={"provider": "local"}).auth.provider == "local"


@pytest.mark.parametrize(
    ("auth", "message"),
    [
        (
            {"provider": "globus"},
            "DLHUB_AUTH__GLOBUS__CLIENT_ID, DLHUB_AUTH__GLOBUS__CLIENT_SECRET",
        ),
        ({"provider": "keycloak"}, "'local' or 'globus'"),
        ({"globus": {"client_id": "not-a-uuid"}}, "must be a Globus client id (a UUID)"),
        ({"globus": {"required_scope": "a b"}}, "one scope string"),
        ({"globus": {"cache_ttl_s": -1}}, "greater than or equal to 0"),
        ({"admins": ["Not A Slug"]}, "auth.admins entry 'Not A Slug'"),
        ({"admins": ["group:physics"]}, "neither a user name nor"),
    ],
)
def test_bad_auth_settings_name_the_problem(auth: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as info:
        Settings(auth=auth)
    assert message in str(info.value)
    assert error_fields(info.value) & {
        "auth",
        "auth.globus",
        "auth.provider",
        "auth.globus.cache_ttl_s",
    }
