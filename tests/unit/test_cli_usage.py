"""The CLI's usage side: "did you mean", --version, shell completion, tables that fit
their content, and the default servable name of ``dlhub publish --function``."""

from __future__ import annotations

import io
import re
from importlib import metadata
from pathlib import Path

import pytest

from dlhub_sdk.cli import build_parser, main
from dlhub_sdk.cli.human import describe_summary, render, servables_table
from dlhub_sdk.cli.publish import _model_builder
from dlhub_sdk.cli.usage import enable_completion


def test_a_misspelt_subcommand_gets_did_you_mean(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["serch", "digits"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'serch'" in err
    assert "did you mean: search" in err
    with pytest.raises(SystemExit):
        main(["token", "craete"])
    assert "did you mean: create?" in capsys.readouterr().err


def test_a_misspelt_flag_gets_did_you_mean(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["search", "digits", "--jsn", "--limt", "3"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "--jsn: did you mean --json?" in err
    assert "--limt: did you mean --limit?" in err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert f"dlhub-sdk {metadata.version('dlhub-sdk')}" in capsys.readouterr().out


def test_shell_completion_completes_subcommands_and_flags(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What bash asks through argcomplete (`eval "$(register-python-argcomplete dlhub)"`)."""
    import argcomplete.finders
    import argcomplete.io

    # its debug stream is fd 9 by default: here that may be one of pytest's own
    monkeypatch.setattr(
        argcomplete.finders.CompletionFinder,
        "_init_debug_stream",
        lambda _self: setattr(argcomplete.io, "debug_stream", io.StringIO()),
    )

    def complete(line: str) -> set[str]:
        for key, value in {
            "_ARGCOMPLETE": "1",
            "_ARGCOMPLETE_IFS": "\n",
            "COMP_LINE": line,
            "COMP_POINT": str(len(line)),
        }.items():
            monkeypatch.setenv(key, value)
        out = io.StringIO()

        def stop(code: int = 0) -> None:
            raise SystemExit(code)

        with pytest.raises(SystemExit) as info:
            enable_completion(build_parser(), output_stream=out, exit_method=stop)
        assert info.value.code == 0
        return {w.strip() for w in out.getvalue().split("\n") if w.strip()}

    assert {"search", "serve"} <= complete("dlhub se")
    assert "--include-deprecated" in complete("dlhub search --inc")


def test_tables_fit_their_content() -> None:
    rows = [
        {
            "owner": "alice",
            "name": "a-rather-long-servable-name",
            "version": 12,
            "servable_type": "torchscript",
            "title": "Digits",
        },
        {"owner": "b", "name": "c", "version": 1, "servable_type": "onnx", "title": "x"},
    ]
    lines = render(servables_table(rows)).splitlines()
    header, first, second = lines[0], lines[2], lines[3]
    assert first.split() == ["alice/a-rather-long-servable-name", "12", "torchscript", "Digits"]
    # every column starts where its header does: nothing spills into the next one
    assert first.index("torchscript") == second.index("onnx") == header.index("TYPE")
    assert first.index("Digits") == second.rindex("x") == header.index("TITLE")


def test_publish_function_default_name_is_the_file_name(tmp_path: Path) -> None:
    module = tmp_path / "glass_model.py"
    module.write_text("def predict(x):\n    return x\n")
    args = build_parser().parse_args(
        ["publish", str(module), "--function", "predict", "--author", "A; B"]
    )
    assert _model_builder(args)._dlhub["name"] == "glass-model"  # the help: "file name"
    args = build_parser().parse_args(
        ["publish", str(module), "--function", "predict", "--name", "mine", "--author", "A"]
    )
    assert _model_builder(args)._dlhub["name"] == "mine"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [{"owner": "a", "name": "b", "version": 1, "servable_type": "onnx", "title": "t"}]
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\x1b[" in render(servables_table(rows), stream=_Terminal())
    assert "\x1b[" not in render(servables_table(rows), stream=io.StringIO())
    meta = {"dlhub": {"owner": "a", "name": "b", "version": 1}, "datacite": {}}
    colour = re.compile("\x1b\\[[0-9;]*(3|9)[0-7]")  # a foreground colour (bold is not)
    assert colour.search(render(describe_summary(meta, None, None), stream=_Terminal()))
    monkeypatch.setenv("NO_COLOR", "1")
    assert not colour.search(render(describe_summary(meta, None, None), stream=_Terminal()))


def test_the_upload_progress_bar_is_rich_on_a_terminal() -> None:
    from dlhub_sdk.cli.output import ProgressBar

    mib = 1 << 20
    screen = _Terminal()
    bar = ProgressBar(screen)
    for done in (0, 50 * mib, 100 * mib):
        bar(done, 100 * mib)
    bar.write("resumed an earlier upload")
    bar.close()
    text = screen.getvalue()
    assert "uploading" in text
    assert "100.0/100.0 MiB" in text
    assert "resumed an earlier upload" in text
    piped = io.StringIO()  # elsewhere: the plain one-line bar
    plain = ProgressBar(piped)
    plain(100 * mib, 100 * mib)
    plain.close()
    assert "100.0%" in piped.getvalue()
