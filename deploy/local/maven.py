"""Jars from Maven Central for the JVM engines (Kafka, OpenSearch).

An engine describes its jars as a pom; Maven's ``copy-dependencies`` gathers
them (and their runtime dependencies) into ``<root>/libs``, reusing Maven's own
cache ``~/.m2``. A stamp file with a known text marks the jars complete, so a
second call costs nothing.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def jars_ready(stamp: Path, text: str) -> bool:
    """Whether the jars that ``stamp`` (holding ``text``) vouches for are in place."""
    return stamp.exists() and stamp.read_text() == text


def gather_jars(
    root: Path,
    pom: str,
    *,
    engine: str,
    stamp: Path,
    stamp_text: str,
    required: str | None = None,
    timeout: float | None = None,
) -> None:
    """Gather the runtime dependencies of ``pom`` into ``<root>/libs`` unless ``stamp`` holds
    ``stamp_text`` already.

    The jars go to a staging folder first, which replaces ``libs`` only when
    Maven succeeded (and the jar ``required`` is among them); then ``stamp`` is
    written. Callers that may run at once hold :func:`deploy.local.common.locked`.
    """
    if jars_ready(stamp, stamp_text):
        return
    mvn = shutil.which("mvn")
    if mvn is None:
        raise RuntimeError(f"{engine}: Maven (mvn) is needed to gather the jars")
    root.mkdir(parents=True, exist_ok=True)
    (root / "pom.xml").write_text(pom)
    staging = root / "libs.partial"
    shutil.rmtree(staging, ignore_errors=True)
    result = subprocess.run(
        [
            mvn,
            "-q",
            "-B",
            "-f",
            str(root / "pom.xml"),
            "dependency:copy-dependencies",
            "-DincludeScope=runtime",
            f"-DoutputDirectory={staging}",
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"{engine}: mvn failed ({result.returncode})\n{(result.stdout + result.stderr)[-4000:]}"
        )
    if required is not None and not (staging / required).exists():
        raise RuntimeError(f"{engine}: {required} missing after mvn")
    libs = root / "libs"
    shutil.rmtree(libs, ignore_errors=True)
    staging.rename(libs)
    stamp.write_text(stamp_text)
