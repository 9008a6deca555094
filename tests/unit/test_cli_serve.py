"""`dlhub serve executor --servables/--replicas` and `dlhub up --executors`: settings and refusals.

Nothing here starts a service: every case is decided before anything listens.
The processes themselves are exercised in tests/e2e/test_replicas.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dlhub_sdk.cli import _settings, build_parser, main

pytestmark = pytest.mark.timeout(30)


@pytest.fixture(autouse=True)
def hermetic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.startswith("DLHUB_"):
            monkeypatch.delenv(key)
    # restored after the test (_settings sets it); under tmp_path: never the checkout
    monkeypatch.setenv("DLHUB_DATA_DIR", str(tmp_path / "unused"))


def test_servables_flag_sets_executor_options_and_keeps_other_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DLHUB_EXECUTOR_OPTIONS__CONCURRENCY", "7")
    args = build_parser().parse_args(
        ["serve", "executor", "--servables", "alice/a, bob/b", "--data-dir", str(tmp_path)]
    )
    settings = _settings(args)
    assert settings.executor_options.servables == ["alice/a", "bob/b"]
    assert settings.executor_options.concurrency == 7  # merged, not replaced
    assert args.replicas == 1


def test_servables_from_the_environment_when_no_flag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DLHUB_EXECUTOR_OPTIONS__SERVABLES", '["alice/a"]')
    args = build_parser().parse_args(["serve", "executor", "--data-dir", str(tmp_path)])
    assert _settings(args).executor_options.servables == ["alice/a"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["serve", "executor", "--servables", "alice"], "'alice' is not owner/name"),
        (["serve", "executor", "--servables", "Alice/A"], "executor_options.servables"),
        (["serve", "executor", "--replicas", "0"], "--replicas must be at least 1"),
        # the in-process bus cannot reach child processes
        (["serve", "executor", "--replicas", "2"], "bus.type=memory"),
        (["up", "--executors", "0"], "--executors must be at least 1"),
    ],
)
def test_refused_before_anything_starts(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*argv, "--data-dir", str(tmp_path / "data")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: INVALID_ARGUMENT: "), err
    assert message in err
    assert not (tmp_path / "data").exists()  # nothing was created


@pytest.mark.parametrize(
    ("service", "flag", "message"),
    [
        (
            "registry",
            ["--replicas", "2"],
            "applies to `dlhub serve executor` and `dlhub serve gateway`",
        ),
        (
            "taskmanager",
            ["--replicas", "3"],
            "applies to `dlhub serve executor` and `dlhub serve gateway`",
        ),
        ("registry", ["--servables", "a/b"], "applies to `dlhub serve executor` only"),
        ("gateway", ["--servables", "a/b"], "applies to `dlhub serve executor` only"),
    ],
)
def test_executor_flags_on_another_service_are_refused(
    service: str, flag: list[str], message: str
) -> None:
    with pytest.raises(SystemExit, match=message):
        main(["serve", service, *flag])


def test_a_metrics_port_in_use_stops_start_up_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        monkeypatch.setenv("DLHUB_METRICS__PORT", str(taken.getsockname()[1]))
        with pytest.raises(SystemExit, match=r"cannot serve /metrics .*DLHUB_METRICS__PORT"):
            main(["serve", "search", "--data-dir", str(tmp_path / "data")])
    assert not (tmp_path / "data").exists()  # refused before the service was assembled
