"""Data prefixes of training recipes: list what is there, stage what is new.

A prefix is ``s3://bucket/prefix/`` (read with the ``staging.s3`` settings,
else the object store's S3 settings, else the AWS chain) or a local
directory (``file:///path/`` or ``/path/``: embedded mode, examples). An
object is identified by its key and ETag (S3) or its path, size and
modification time (local), so an object written again under the same key
is new again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from dlhub_common.backends import S3ObjectsConfig
from dlhub_common.errors import DLHubError, FailedPrecondition, ResourceExhausted, Unavailable
from dlhub_common.settings import Settings


@dataclass(frozen=True)
class SourceObject:
    key: str  # relative to the prefix
    tag: str  # ETag, or size and mtime
    size: int
    full: str = ""  # the whole S3 key

    @property
    def seen_as(self) -> str:
        return f"{self.tag} {self.key}"


def s3_settings(settings: Settings) -> S3ObjectsConfig:
    """S3 access for data prefixes: ``staging.s3``, else the object store's S3."""
    own = settings.staging.s3
    store = settings.objects if isinstance(settings.objects, S3ObjectsConfig) else None
    if own.endpoint_url or store is None:
        return S3ObjectsConfig(
            bucket="retrain-unused",
            endpoint_url=own.endpoint_url,
            region=own.region,
            access_key_id=own.access_key_id,
            secret_access_key=own.secret_access_key,
            create_bucket=False,
        )
    return store.model_copy(update={"create_bucket": False})


def _split_s3(prefix: str) -> tuple[str, str]:
    rest = prefix[len("s3://") :]
    bucket, _, key_prefix = rest.partition("/")
    return bucket, key_prefix


def _local_root(prefix: str) -> Path:
    return Path(prefix[len("file://") :] if prefix.startswith("file://") else prefix)


@contextlib.asynccontextmanager
async def _s3_client(s3: S3ObjectsConfig | None) -> AsyncIterator[Any]:
    from dlhub_common.adapters._s3_calls import open_client

    # no settings: the AWS chain (environment, config files, instance role)
    async with open_client(
        s3 or S3ObjectsConfig(bucket="retrain-unused", create_bucket=False)
    ) as client:
        yield client


async def list_prefix(s3: S3ObjectsConfig | None, prefix: str) -> list[SourceObject]:
    """Every object under ``prefix``, sorted by key.

    Raises:
        Unavailable: the store does not answer or refuses (the message names the prefix).
    """
    if prefix.startswith("s3://"):
        bucket, key_prefix = _split_s3(prefix)
        found: list[SourceObject] = []
        try:
            async with _s3_client(s3) as client:
                paginator = client.get_paginator("list_objects_v2")
                async for page in paginator.paginate(Bucket=bucket, Prefix=key_prefix):
                    for item in page.get("Contents", []):
                        key = str(item["Key"])
                        if key.endswith("/"):
                            continue
                        found.append(
                            SourceObject(
                                key[len(key_prefix) :].lstrip("/"),
                                str(item.get("ETag", "")).strip('"'),
                                int(item.get("Size", 0)),
                                key,
                            )
                        )
        except DLHubError:
            raise
        except Exception as exc:  # botocore errors: never echo credentials
            raise Unavailable(f"cannot list {prefix}: {type(exc).__name__}") from None
        return sorted(found, key=lambda o: o.key)
    root = _local_root(prefix)
    if not root.is_dir():
        return []
    out = []
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            st = path.stat()
            out.append(
                SourceObject(
                    path.relative_to(root).as_posix(), f"{st.st_size}-{st.st_mtime_ns}", st.st_size
                )
            )
    return sorted(out, key=lambda o: o.key)


def _safe_target(data_dir: Path, key: str) -> Path:
    parts = [p for p in PurePosixPath(key).parts if p not in ("", ".", "..", "/")]
    if not parts:
        raise FailedPrecondition(f"object key {key!r} cannot be staged")
    return data_dir.joinpath(*parts)


async def stage(
    s3: S3ObjectsConfig | None,
    prefix: str,
    objects: list[SourceObject],
    data_dir: Path,
    max_bytes: int,
) -> str:
    """Copy ``objects`` into ``data_dir`` (keys kept as relative paths);
    returns the data set's digest: sha256 over each key and its sha256.

    Raises:
        ResourceExhausted: more than ``max_bytes`` in all.
        Unavailable: the store does not answer.
    """
    total = sum(o.size for o in objects)
    if total > max_bytes:
        raise ResourceExhausted(
            f"{len(objects)} new objects under {prefix} hold {total} bytes, more than"
            f" DLHUB_RETRAIN__MAX_DATA_BYTES ({max_bytes})"
        )
    digests: list[tuple[str, str]] = []
    if prefix.startswith("s3://"):
        bucket, _key_prefix = _split_s3(prefix)
        try:
            async with _s3_client(s3) as client:
                for obj in objects:
                    target = _safe_target(data_dir, obj.key)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    response = await client.get_object(Bucket=bucket, Key=obj.full)
                    h = hashlib.sha256()
                    with target.open("wb") as out:
                        body = response["Body"]
                        while chunk := await body.read(1 << 20):
                            h.update(chunk)
                            out.write(chunk)
                    digests.append((obj.key, h.hexdigest()))
        except DLHubError:
            raise
        except Exception as exc:
            raise Unavailable(
                f"cannot read the new data under {prefix}: {type(exc).__name__}"
            ) from None
    else:
        root = _local_root(prefix)
        for obj in objects:
            target = _safe_target(data_dir, obj.key)
            target.parent.mkdir(parents=True, exist_ok=True)
            h = hashlib.sha256()
            with (root / obj.key).open("rb") as src, target.open("wb") as out:
                while chunk := src.read(1 << 20):
                    h.update(chunk)
                    out.write(chunk)
            digests.append((obj.key, h.hexdigest()))
    return digest_of(dict(digests))


def digest_of(files: dict[str, str]) -> str:
    """sha256 over each (key, sha256 of its bytes), in key order."""
    h = hashlib.sha256()
    for key, sha in sorted(files.items()):
        h.update(key.encode() + b"\0" + sha.encode() + b"\n")
    return "sha256:" + h.hexdigest()
