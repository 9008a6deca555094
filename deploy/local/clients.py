"""Build the Go, TypeScript and Java gRPC clients' smoke programs and run them.

    python -m deploy.local.clients build [LANGUAGE ...]
    python -m deploy.local.clients smoke ADDRESS TOKEN [owner/name] [--language L ...]

Each smoke program (clients/<language>/) checks health, searches, describes
the servable, runs it through dlhub.v1 and through OIP ModelInfer, and prints
``key: value`` lines (``dlhub.v1 label: 0``). Downloads are cached: Go's
module and build caches, Maven's ``~/.m2``, npm's cache under
``~/.cache/dlhub-stack/npm``; a build with warm caches needs no network.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from deploy.local.common import CACHE

CLIENTS = Path(__file__).resolve().parents[2] / "clients"
LANGUAGES = ("go", "typescript", "java")
BUILD_TIMEOUT_S = 600.0
RUN_TIMEOUT_S = 120.0


def _tool(command: str, language: str) -> str:
    found = shutil.which(command)
    if found is None:
        raise RuntimeError(f"{language} client: `{command}` is needed and is not on PATH")
    return found


def _run(cmd: list[str], cwd: Path, what: str, timeout: float) -> str:
    env = {
        # Go's default build cache, pinned: a test session's private XDG_CACHE_HOME must
        # not make Go rebuild the standard library and grpc-go from nothing (minutes)
        "GOCACHE": str(Path.home() / ".cache" / "go-build"),
        **os.environ,
        "npm_config_cache": str(CACHE / "npm"),
        "GOFLAGS": "-buildvcs=false",
    }
    try:
        result = subprocess.run(
            cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"{what}: no answer after {timeout:.0f}s") from exc
    if result.returncode != 0:
        raise RuntimeError(
            f"{what}: {Path(cmd[0]).name} failed ({result.returncode})\n"
            f"{(result.stdout + result.stderr)[-4000:]}"
        )
    return result.stdout


def build(language: str) -> list[str]:
    """Build ``language``'s smoke program; returns the command line that runs it."""
    folder = CLIENTS / language
    what = f"building the {language} client"
    if language == "go":
        _run(
            [_tool("go", language), "build", "-o", "bin/smoke", "./cmd/smoke"],
            folder,
            what,
            BUILD_TIMEOUT_S,
        )
        return [str(folder / "bin" / "smoke")]
    if language == "typescript":
        if not (folder / "node_modules" / ".bin" / "tsc").exists():
            npm = _tool("npm", language)
            _run(
                [npm, "ci", "--no-audit", "--no-fund", "--prefer-offline"],
                folder,
                what,
                BUILD_TIMEOUT_S,
            )
        _run(
            [str(folder / "node_modules" / ".bin" / "tsc"), "-p", "."],
            folder,
            what,
            BUILD_TIMEOUT_S,
        )
        return [_tool("node", language), str(folder / "dist" / "smoke" / "smoke.js")]
    if language == "java":
        mvn = _tool("mvn", language)
        _run(
            [mvn, "-q", "-B", "package", "dependency:copy-dependencies", "-DincludeScope=runtime"],
            folder,
            what,
            BUILD_TIMEOUT_S,
        )
        classpath = (
            f"{folder / 'target' / 'classes'}{os.pathsep}{folder / 'target' / 'dependency' / '*'}"
        )
        return [_tool("java", language), "-cp", classpath, "org.dlhub.smoke.Smoke"]
    raise ValueError(f"unknown language {language!r}; choose from {', '.join(LANGUAGES)}")


def smoke(command: list[str], address: str, token: str, servable: str) -> dict[str, str]:
    """Run a built smoke program; returns its ``key: value`` lines as a dict."""
    out = _run([*command, address, token, servable], CLIENTS, f"smoke {command[-1]}", RUN_TIMEOUT_S)
    return dict(
        (key.strip(), value.strip())
        for key, sep, value in (line.partition(":") for line in out.splitlines())
        if sep
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.local.clients")
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("build")
    p.add_argument("languages", nargs="*", default=list(LANGUAGES))
    p = sub.add_parser("smoke")
    p.add_argument("address")
    p.add_argument("token")
    p.add_argument("servable", nargs="?", default="local/digits")
    p.add_argument("--language", action="append", choices=LANGUAGES)
    args = parser.parse_args(argv)
    languages = args.languages if args.cmd == "build" else args.language or list(LANGUAGES)
    try:
        for language in languages:
            t0 = time.monotonic()
            command = build(language)
            built = time.monotonic() - t0
            if args.cmd == "build":
                print(f"{language}: built in {built:.1f}s")
                continue
            result = smoke(command, args.address, args.token, args.servable)
            print(f"{language}: built in {built:.1f}s, ran in {time.monotonic() - t0 - built:.1f}s")
            for key, value in result.items():
                print(f"  {key}: {value}")
    except (RuntimeError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
