"""The parser's side of mistakes: "did you mean" for misspelt subcommands and flags,
``--version``, and shell completion (argcomplete)."""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from importlib import metadata
from typing import Any, NoReturn

_CHOICE = re.compile(r"invalid choice: '([^']*)' \(choose from (.*)\)")
_UNKNOWN = re.compile(r"unrecognized arguments: (.*)")


def version_text() -> str:
    """``dlhub <sdk version>`` (and the server package's, when it is installed)."""
    parts = []
    for dist in ("dlhub-sdk", "dlhub-server"):
        try:
            parts.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            continue
    return "dlhub (" + ", ".join(parts) + ")"


def _close(word: str, options: list[str]) -> list[str]:
    return difflib.get_close_matches(word, options, n=3, cutoff=0.6)


class DLHubParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors suggest the nearest subcommand or flag."""

    def error(self, message: str) -> NoReturn:
        hint = self._hint(message)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}{hint}\n")

    def _hint(self, message: str) -> str:
        match = _CHOICE.search(message)
        if match:
            choices = [c.strip(" '") for c in match.group(2).split(",")]
            near = _close(match.group(1), choices)
            return f"\n  did you mean: {' or '.join(near)}?" if near else ""
        match = _UNKNOWN.search(message)
        if match:
            flags = [s for a in self._actions for s in a.option_strings]
            flags += [
                s for p in self._subparsers_in_use() for a in p._actions for s in a.option_strings
            ]
            hints = []
            for word in match.group(1).split():
                if word.startswith("-"):
                    near = _close(word.split("=")[0], sorted(set(flags)))
                    if near:
                        hints.append(f"{word}: did you mean {' or '.join(near)}?")
            return "".join(f"\n  {h}" for h in hints)
        return ""

    def _subparsers_in_use(self) -> list[argparse.ArgumentParser]:
        """The subcommand parsers named on this command line (where unknown flags landed)."""
        out: list[argparse.ArgumentParser] = []
        parser: argparse.ArgumentParser = self
        argv = sys.argv[1:] if self._argv is None else self._argv
        for word in argv:
            sub = next(
                (a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None
            )
            if sub is None or word not in sub.choices:
                continue
            parser = sub.choices[word]
            out.append(parser)
        return out

    _argv: list[str] | None = None

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:
        self._argv = list(args) if args is not None else None
        return super().parse_args(args, namespace)


def enable_completion(parser: argparse.ArgumentParser, **options: Any) -> None:
    """Answer a shell's completion request (argcomplete), then exit; a no-op otherwise.

    Set it up once: ``eval "$(register-python-argcomplete dlhub)"`` (bash/zsh), or
    ``register-python-argcomplete --shell fish dlhub | source``.
    """
    import argcomplete

    argcomplete.autocomplete(parser, **options)  # options: output_stream, exit_method


ENTRY_POINTS = "dlhub.cli"  # each: a callable that adds subcommands to ``dlhub``
SERVER_COMMANDS = {
    "up": "run the whole mesh on the embedded backends (needs dlhub-server)",
    "serve": "run one service alone, distributed mode (needs dlhub-server)",
}
INSTALL_SERVER = (
    "`dlhub {command}` runs DLHub's services, which come with the server package:"
    " pip install dlhub-server (in a checkout of DLHub: make install)"
)


def add_server_commands(sub: Any) -> None:
    """Subcommands other installed packages add (``dlhub.cli`` entry points: dlhub-server's
    ``up`` and ``serve``); without the server package, ``up`` and ``serve`` say how to
    install it."""
    for entry in metadata.entry_points(group=ENTRY_POINTS):
        entry.load()(sub)
    for name, help_text in SERVER_COMMANDS.items():
        if name not in sub.choices:
            p = sub.add_parser(name, help=help_text, add_help=False)
            p.add_argument("rest", nargs=argparse.REMAINDER)
            p.set_defaults(func=_missing_server, server_command=name)


def _missing_server(args: argparse.Namespace) -> int:
    print(f"error: {INSTALL_SERVER.format(command=args.server_command)}", file=sys.stderr)
    return 1
