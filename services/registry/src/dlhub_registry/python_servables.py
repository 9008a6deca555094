"""Publish-time checks of python servables (DLHub's static-method servables).

A python servable ships its module as an artifact and declares
``servable.methods.run.method_details = {"module", "function",
"interface_version"}``, ``servable.python`` and pinned
``servable.dependencies``. At publish the registry checks that

1. the module is among the artifacts, parses (``ast.parse``) and defines the
   function at top level;
2. the Python version is one this machine can provide (``uv python find``);
3. the dependencies resolve (``uv pip compile --python-version``): the fully
   pinned result becomes the version's extra artifact ``environment.lock``,
   from which executors build the servable's environment.

Any failure is an InvalidArgument (the resolver's own message included), and
the publish stores nothing.
"""

from __future__ import annotations

import ast
import logging
import tempfile
from pathlib import Path, PurePosixPath

from dlhub_common.errors import InvalidArgument
from dlhub_common.metadata import Metadata
from dlhub_common.ports import ObjectInfo, ObjectStore
from dlhub_common.uvtool import find_python, requirements_text, run_uv

log = logging.getLogger("dlhub.registry")

LOCK_PATH = "environment.lock"
RESOLVE_TIMEOUT_S = 300.0
MAX_MODULE_BYTES = 16 * 1024 * 1024


def check_module_source(source: str, module_path: str, function: str) -> None:
    """The module parses and defines ``function`` at top level (``def``).

    Raises:
        InvalidArgument: a syntax error (with its line), or no such function.
    """
    try:
        tree = ast.parse(source, filename=module_path)
    except SyntaxError as exc:
        raise InvalidArgument(
            f"module {module_path!r} does not parse: {exc.msg} (line {exc.lineno})"
        ) from None
    defined = [
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    ]
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            return
        if isinstance(node, ast.AsyncFunctionDef) and node.name == function:
            raise InvalidArgument(
                f"{module_path}: {function!r} is an async function; define it with plain 'def'"
            )
    raise InvalidArgument(
        f"module {module_path!r} defines no top-level function {function!r}"
        f" (top-level definitions: {sorted(defined)})"
    )


def resolver_message(stderr: str) -> str:
    """uv's explanation, without its progress noise, capped."""
    lines = [ln.rstrip() for ln in stderr.strip().splitlines() if ln.strip()]
    text = "\n".join(lines)
    return text[-4000:] if len(text) > 4000 else text


async def check_python_servable(
    metadata: Metadata,
    stored: dict[str, ObjectInfo],
    objects: ObjectStore,
    scratch_dir: Path | None,
) -> bytes:
    """Run the publish-time checks; returns the ``environment.lock`` bytes.

    Raises:
        InvalidArgument: the module, the Python version or the dependencies.
    """
    details = metadata.run.method_details
    module_path = str(details["module"])
    function = str(details["function"])
    version = str(metadata.servable.python)
    if LOCK_PATH in stored:
        raise InvalidArgument(
            f"{LOCK_PATH!r} is written by the registry for python servables; do not upload it"
        )
    if module_path not in stored:
        raise InvalidArgument(
            f"methods.run.method_details.module {module_path!r} is not among the uploaded"
            f" artifacts {sorted(stored)}"
        )
    if not module_path.endswith(".py"):
        raise InvalidArgument(f"module {module_path!r} must be a .py file")
    if stored[module_path].size > MAX_MODULE_BYTES:
        raise InvalidArgument(f"module {module_path!r} is larger than 16 MiB")
    with tempfile.TemporaryDirectory(dir=scratch_dir) as tmp:
        work = Path(tmp)
        local = work / PurePosixPath(module_path).name
        await objects.download(stored[module_path].key, local)
        try:
            source = local.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise InvalidArgument(f"module {module_path!r} is not UTF-8 text") from None
        check_module_source(source, module_path, function)

        lock = await resolve_lock(metadata, work)
    log.info("resolved %d dependencies for python %s", len(metadata.servable.dependencies), version)
    return lock


async def check_sklearn_servable(
    metadata: Metadata,
    stored: dict[str, ObjectInfo],
    scratch_dir: Path | None,
) -> bytes:
    """Publish-time checks of a native scikit-learn servable; returns the
    ``environment.lock`` bytes.

    The model file (``method_details.model``, a joblib pickle) must be among
    the artifacts; it is never opened here (unpickling runs code: only the
    servable's own worker loads it). scikit-learn must be among the pinned
    dependencies, and they must resolve, as for python servables.

    Raises:
        InvalidArgument: the model file, the Python version or the dependencies.
    """
    details = metadata.run.method_details
    model_path = str(details["model"])
    if LOCK_PATH in stored:
        raise InvalidArgument(
            f"{LOCK_PATH!r} is written by the registry for sklearn servables; do not upload it"
        )
    if model_path not in stored:
        raise InvalidArgument(
            f"methods.run.method_details.model {model_path!r} is not among the uploaded"
            f" artifacts {sorted(stored)}"
        )
    if stored[model_path].size == 0:
        raise InvalidArgument(f"model file {model_path!r} is empty")
    if not any(p.lower() == "scikit-learn" for p in metadata.servable.dependencies):
        raise InvalidArgument(
            "a sklearn servable must pin scikit-learn (the version it was saved with)"
            " in servable.dependencies",
            details={"field": "servable.dependencies"},
        )
    with tempfile.TemporaryDirectory(dir=scratch_dir) as tmp:
        lock = await resolve_lock(metadata, Path(tmp))
    log.info("resolved %d dependencies of a sklearn servable", len(metadata.servable.dependencies))
    return lock


async def resolve_lock(metadata: Metadata, work: Path) -> bytes:
    """The Python version exists here and the dependencies resolve (in ``work``).

    Raises:
        InvalidArgument: naming the version, or carrying the resolver's message.
    """
    version = str(metadata.servable.python)
    kind = metadata.servable.type
    if await find_python(version, cwd=work) is None:
        raise InvalidArgument(
            f"python {version} is not available on this DLHub installation;"
            " declare a version it has (e.g. the one DLHub itself runs on)",
            details={"field": "servable.python"},
        )
    (work / "requirements.in").write_text(requirements_text(metadata.servable.dependencies))
    res = await run_uv(
        [
            "pip",
            "compile",
            "requirements.in",
            "--python-version",
            version,
            "--no-config",
            "--no-header",
            "--no-annotate",
            "--quiet",
            "--output-file",
            LOCK_PATH,
        ],
        cwd=work,
        timeout_s=RESOLVE_TIMEOUT_S,
    )
    if res.returncode != 0:
        message = resolver_message(res.stderr) or f"uv exited with status {res.returncode}"
        raise InvalidArgument(
            f"the dependencies of this {kind} servable cannot be resolved: {message}",
            details={"field": "servable.dependencies", "resolver": message},
        )
    return (work / LOCK_PATH).read_bytes()
