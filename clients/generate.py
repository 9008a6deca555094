"""Generate the Go, TypeScript and Java gRPC clients from protos/ into clients/<language>/.

    python clients/generate.py            # regenerate (``make clients``)
    python clients/generate.py --check    # fail when stale (``make clients-check``)

One protoc (from Maven Central) compiles every language, with pinned plugins:
protoc-gen-go and protoc-gen-go-grpc (Go module proxy), protoc-gen-ts_proto
(ts-proto, from clients/typescript's package-lock.json) and protoc-gen-grpc-java
(Maven Central); deploy/local/tools.py obtains and caches them, so a second run
needs no network. The generated code is committed, as `make protos` commits
the Python stubs: `go get`, `npm install` and Maven then build the clients
without any code generator, and CI checks it is fresh.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
REPO = ROOT.parent
sys.path.insert(0, str(REPO))

from deploy.local import tools  # noqa: E402

PROTOS = REPO / "protos"
GO_MODULE = "github.com/DLHub-Argonne/dlhub/clients/go"
# Go packages per proto package (no go_package option in the .proto files:
# they are shared with the Python stubs and stay language-neutral).
GO_PACKAGES = {"dlhub/v1": "dlhubv1", "inference": "inference"}
TS_OPTIONS = "outputServices=grpc-js,env=node,esModuleInterop=true,useExactTypes=false"
# What each language's generated code is, relative to clients/.
OUTPUTS = {
    "go": ["go/dlhubv1", "go/inference"],
    "typescript": ["typescript/src/gen"],
    "java": ["java/src/main/java/dlhub", "java/src/main/java/inference"],
}


def ts_proto_plugin() -> Path:
    """protoc-gen-ts_proto from clients/typescript/node_modules (``npm ci`` when missing)."""
    plugin = ROOT / "typescript" / "node_modules" / ".bin" / "protoc-gen-ts_proto"
    if not plugin.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("typescript: npm is needed to install ts-proto and is not on PATH")
        env = {**os.environ, "npm_config_cache": str(tools.CACHE / "npm")}
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--prefer-offline"],
            cwd=ROOT / "typescript",
            env=env,
            check=True,
        )
    return plugin


def generate(out: Path) -> None:
    """Write every language's generated code under ``out`` (laid out like clients/)."""
    protos = sorted(str(p.relative_to(PROTOS)) for p in PROTOS.rglob("*.proto"))
    go_maps = [
        f"M{p}={GO_MODULE}/{GO_PACKAGES[str(Path(p).parent)]};{GO_PACKAGES[str(Path(p).parent)]}"
        for p in protos
    ]
    for folder in ["go", "typescript/src/gen", "java/src/main/java"]:
        (out / folder).mkdir(parents=True, exist_ok=True)
    args = [
        str(tools.path("protoc")),
        f"-I{PROTOS}",
        f"--plugin=protoc-gen-go={tools.path('protoc-gen-go')}",
        f"--plugin=protoc-gen-go-grpc={tools.path('protoc-gen-go-grpc')}",
        f"--plugin=protoc-gen-ts_proto={ts_proto_plugin()}",
        f"--plugin=protoc-gen-grpc-java={tools.path('protoc-gen-grpc-java')}",
        f"--go_out={out / 'go'}",
        f"--go_opt=module={GO_MODULE}",
        *[f"--go_opt={m}" for m in go_maps],
        f"--go-grpc_out={out / 'go'}",
        f"--go-grpc_opt=module={GO_MODULE}",
        *[f"--go-grpc_opt={m}" for m in go_maps],
        f"--ts_proto_out={out / 'typescript/src/gen'}",
        f"--ts_proto_opt={TS_OPTIONS}",
        f"--java_out={out / 'java/src/main/java'}",
        f"--grpc-java_out={out / 'java/src/main/java'}",
        *protos,
    ]
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"protoc failed ({result.returncode}):\n{result.stderr[-4000:]}")


def _same(a: Path, b: Path) -> bool:
    cmp = filecmp.dircmp(a, b)
    if cmp.left_only or cmp.right_only or cmp.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, cmp.common_files, shallow=False)
    return not mismatch and not errors and all(_same(a / d, b / d) for d in cmp.common_dirs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python clients/generate.py")
    parser.add_argument("--check", action="store_true", help="fail when clients/ is stale")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        try:
            generate(out)
        except (RuntimeError, subprocess.CalledProcessError) as exc:
            print(exc, file=sys.stderr)
            return 1
        stale = [
            rel
            for rels in OUTPUTS.values()
            for rel in rels
            if not (ROOT / rel).is_dir() or not _same(out / rel, ROOT / rel)
        ]
        if args.check:
            if stale:
                print(f"generated clients are stale ({', '.join(stale)}): run 'make clients'")
                return 1
            print("clients up to date")
            return 0
        for rels in OUTPUTS.values():
            for rel in rels:
                shutil.rmtree(ROOT / rel, ignore_errors=True)
                shutil.copytree(out / rel, ROOT / rel)
        print(f"generated {', '.join(OUTPUTS)} clients into clients/ ({len(stale)} changed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
