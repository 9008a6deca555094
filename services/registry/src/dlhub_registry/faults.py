"""Named fault-injection points, for crash tests only.

``DLHUB_FAULTPOINT=<name>`` makes the registry SIGKILL itself when it reaches
the point ``<name>``, as a crash would (no clean-up handler runs), in the
manner of etcd's gofail failpoints. The variable is read once, at import;
unset, every point is one string comparison.

Points, in the order a publish reaches them:

* ``upload.mid_write``: a WriteUpload stream has stored and counted its first
  chunk and more is due;
* ``publish.mid_store``: an artifact's bytes have all been handed to the
  object store, which has not finished storing them (a temporary file, or an
  S3 multipart upload, exists);
* ``publish.after_upload``: every artifact is stored, nothing is committed;
* ``publish.mid_commit``: the version record and its object references are
  written, the head pointer is not moved;
* ``publish.after_commit``: record and head are written, the PUBLISHED event
  is not sent.
"""

from __future__ import annotations

import logging
import os
import signal

log = logging.getLogger("dlhub.registry.faults")

POINTS = frozenset(
    {
        "upload.mid_write",
        "publish.mid_store",
        "publish.after_upload",
        "publish.mid_commit",
        "publish.after_commit",
    }
)
_ARMED = os.environ.get("DLHUB_FAULTPOINT", "")
if _ARMED and _ARMED not in POINTS:
    raise SystemExit(f"DLHUB_FAULTPOINT={_ARMED!r} names no fault point; known: {sorted(POINTS)}")


def faultpoint(name: str) -> None:
    """SIGKILL this process when ``DLHUB_FAULTPOINT`` names ``name``."""
    if name == _ARMED:
        log.critical("fault point %s reached: killing the process (DLHUB_FAULTPOINT)", name)
        for handler in logging.getLogger().handlers:
            handler.flush()
        os.kill(os.getpid(), signal.SIGKILL)
