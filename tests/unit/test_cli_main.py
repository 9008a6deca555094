"""The CLI's entry point: what happens around every command."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import types
import dlhub_sdk.cli as cli

def flood(_args):
    for _ in range(200000):
        print("x" * 80)
    return 0

args = types.SimpleNamespace(func=flood, json=False)
cli.build_parser = lambda: types.SimpleNamespace(parse_args=lambda argv: args)
raise SystemExit(cli.main([]))
"""


def test_a_reader_that_goes_away_ends_the_command_quietly() -> None:
    """`dlhub describe x | head` stops without a BrokenPipeError traceback."""
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None
    proc.stdout.read(100)
    proc.stdout.close()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 141
    assert b"Traceback" not in err
    assert b"BrokenPipe" not in err
