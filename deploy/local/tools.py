"""Third-party tools for the gRPC clients and their tests, obtained once and cached.

    python -m deploy.local.tools obtain [TOOL ...]   # build/download (cached), print paths
    python -m deploy.local.tools path TOOL           # the cached binary (obtained when missing)

Every tool is pinned. Go tools are built from the Go module proxy with
``go install`` (Go's own caches: GOMODCACHE, GOCACHE); protoc and the
grpc-java plugin come from Maven Central through Maven (``~/.m2``). The
binaries land in ``~/.cache/dlhub-stack/bin`` (DLHUB_STACK_CACHE), one file
per version, so a second call costs nothing and needs no network.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from deploy.local.common import CACHE, locked

BIN = CACHE / "bin"


@dataclass(frozen=True)
class GoTool:
    """A command built with ``go install package@version``."""

    package: str
    version: str


@dataclass(frozen=True)
class MavenExe:
    """A native executable published on Maven Central (``:exe:<os>-<arch>``)."""

    group: str
    artifact: str
    version: str


PROTOBUF_VERSION = "4.36.2"  # protoc and protobuf-java (clients/java/pom.xml)
GRPC_JAVA_VERSION = "1.83.0"  # protoc-gen-grpc-java and grpc-java (clients/java/pom.xml)

TOOLS: dict[str, GoTool | MavenExe] = {
    "grpcurl": GoTool("github.com/fullstorydev/grpcurl/cmd/grpcurl", "v1.9.4"),
    "protoc-gen-go": GoTool("google.golang.org/protobuf/cmd/protoc-gen-go", "v1.36.12"),
    "protoc-gen-go-grpc": GoTool("google.golang.org/grpc/cmd/protoc-gen-go-grpc", "v1.6.2"),
    "protoc": MavenExe("com.google.protobuf", "protoc", PROTOBUF_VERSION),
    "protoc-gen-grpc-java": MavenExe("io.grpc", "protoc-gen-grpc-java", GRPC_JAVA_VERSION),
}


def _classifier() -> str:
    machine = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch_64", "arm64": "aarch_64"}
    arch = machine.get(platform.machine().lower(), platform.machine().lower())
    system = {"darwin": "osx"}.get(sys.platform, sys.platform.rstrip("0123456789"))
    return f"{system}-{arch}"


def _need(command: str, tool: str) -> str:
    found = shutil.which(command)
    if found is None:
        raise RuntimeError(f"{tool}: `{command}` is needed to obtain it and is not on PATH")
    return found


def _run(cmd: list[str], what: str, env: dict[str, str] | None = None) -> None:
    result = subprocess.run(
        cmd, capture_output=True, text=True, env={**os.environ, **(env or {})}, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"{what}: {cmd[0]} failed ({result.returncode})\n"
            f"{(result.stdout + result.stderr)[-4000:]}"
        )


def path(name: str) -> Path:
    """The cached binary of tool ``name``, obtained (built or downloaded) when missing.

    Raises:
        KeyError: unknown tool.
        RuntimeError: go/mvn missing, or the build or download failed (with its output).
    """
    tool = TOOLS[name]
    target = BIN / f"{name}-{tool.version}"
    if target.exists():
        return target
    with locked(BIN):
        if target.exists():
            return target
        staging = BIN / f".{name}-{tool.version}.partial"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        if isinstance(tool, GoTool):
            go = _need("go", name)
            _run(
                [go, "install", f"{tool.package}@{tool.version}"],
                name,
                {
                    "GOBIN": str(staging),
                    "GOFLAGS": "-buildvcs=false",
                    # Go's default cache even under a test session's private XDG_CACHE_HOME
                    "GOCACHE": os.environ.get("GOCACHE", str(Path.home() / ".cache" / "go-build")),
                },
            )
            built = staging / tool.package.rsplit("/", 1)[1]
        else:
            mvn = _need("mvn", name)
            coords = f"{tool.group}:{tool.artifact}:{tool.version}:exe:{_classifier()}"
            _run(
                [
                    *(mvn, "-q", "-B", "dependency:copy", f"-Dartifact={coords}"),
                    *(f"-DoutputDirectory={staging}", "-Dmdep.stripVersion=true"),
                ],
                name,
            )
            [built] = list(staging.iterdir())
            built.chmod(0o755)
        built.rename(target)
        shutil.rmtree(staging, ignore_errors=True)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.local.tools")
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("obtain")
    p.add_argument("tools", nargs="*", default=list(TOOLS), help=", ".join(TOOLS))
    p = sub.add_parser("path")
    p.add_argument("tool", choices=list(TOOLS))
    args = parser.parse_args(argv)
    unknown = sorted(set(getattr(args, "tools", [])) - set(TOOLS))
    if unknown:
        parser.error(f"unknown tool {', '.join(unknown)}; choose from {', '.join(TOOLS)}")
    try:
        for name in args.tools if args.cmd == "obtain" else [args.tool]:
            print(path(name) if args.cmd == "path" else f"{name}: {path(name)}")
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
