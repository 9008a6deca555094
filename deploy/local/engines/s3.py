"""S3 for the local stack: moto's server, from PyPI (a dev dependency).

moto starts in about a second and keeps everything in memory. It speaks the
S3 API well enough for the contract suite (multipart uploads, copies,
conditional writes, presigned URLs) and enforces the 5 MiB minimum part size,
but it does not verify request signatures, so a wrong secret key goes
unnoticed here.
"""

from __future__ import annotations

import importlib.util
import sys
import urllib.error
import urllib.request
from pathlib import Path

from deploy.local.common import Server, free_port, launch

ACCESS_KEY_ID = "test"
SECRET_ACCESS_KEY = "test"  # moto accepts any credentials
REGION = "us-east-1"
BUCKET = "dlhub"


def obtain(cache: Path) -> None:
    """Nothing to download: check that moto's server is installed."""
    for module in ("moto.server", "werkzeug", "flask"):
        if importlib.util.find_spec(module) is None:
            raise RuntimeError(
                f"s3: {module} is missing; install the dev dependencies (uv sync) "
                "which include moto[server]"
            )


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status < 500)
    except urllib.error.HTTPError as exc:  # any HTTP answer means it is serving
        return exc.code < 500


def start(workdir: Path, cache: Path, ports: dict[str, int] | None = None) -> Server:
    """Start moto's server on 127.0.0.1; returns once it answers HTTP."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = (ports or {}).get("s3") or free_port()
    process_env = {
        # Spill large objects to the work folder, not the system temp folder.
        "TMPDIR": str(workdir),
        "MOTO_PORT": str(port),
        "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
        "AWS_DEFAULT_REGION": REGION,
    }
    endpoint = f"http://127.0.0.1:{port}"
    return launch(
        "s3",
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        workdir=workdir,
        log=workdir / "moto.log",
        ports={"s3": port},
        env={
            "DLHUB_OBJECTS__TYPE": "s3",
            "DLHUB_OBJECTS__ENDPOINT_URL": endpoint,
            "DLHUB_OBJECTS__BUCKET": BUCKET,
            "DLHUB_OBJECTS__ACCESS_KEY_ID": ACCESS_KEY_ID,
            "DLHUB_OBJECTS__SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
        },
        info={
            "endpoint_url": endpoint,
            "access_key_id": ACCESS_KEY_ID,
            "secret_access_key": SECRET_ACCESS_KEY,
            "region": REGION,
            "engine": "moto",
        },
        ready=lambda: _answers(f"{endpoint}/moto-api/"),
        timeout=30,
        what="s3 (moto)",
        stop_timeout=5,
        process_env=process_env,
        cwd=workdir,
    )
