"""Outputs by reference: a run's outputs written under an s3://bucket/prefix.

Each tensor output becomes ``<prefix>/<task_id>/<name>.npy``; the JSON result
of a python servable becomes ``<prefix>/<task_id>/output.json``. The task
manager checked the prefix against ``staging.output_prefixes``.
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

import numpy as np

from dlhub_common.errors import InvalidArgument
from dlhub_common.references import parse
from dlhub_executor.staging.fetch_s3 import S3Source


def _where(outputs_to: str, task_id: str) -> tuple[str, str]:
    ref = parse(outputs_to)
    if ref.scheme != "s3":
        raise InvalidArgument("outputs_to must be an s3://bucket/prefix location")
    prefix = ref.path.strip("/")
    return ref.host, f"{prefix}/{task_id}" if prefix else task_id


async def write_tensors(
    s3: S3Source, outputs_to: str, task_id: str, outputs: dict[str, Any]
) -> dict[str, str]:
    """Write each output as .npy; returns name -> s3:// URL."""
    bucket, base = _where(outputs_to, task_id)
    refs = {}
    for name, array in outputs.items():
        buf = io.BytesIO()
        np.save(buf, np.asarray(array), allow_pickle=False)
        key = f"{base}/{quote(name, safe='')}.npy"
        await s3.put(bucket, key, buf.getvalue(), "application/x-npy")
        refs[name] = f"s3://{bucket}/{key}"
    return refs


async def write_json(s3: S3Source, outputs_to: str, task_id: str, output_json: str) -> str:
    """Write a JSON result; returns its s3:// URL."""
    bucket, base = _where(outputs_to, task_id)
    key = f"{base}/output.json"
    await s3.put(bucket, key, output_json.encode(), "application/json")
    return f"s3://{bucket}/{key}"
