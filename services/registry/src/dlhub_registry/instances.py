"""Registry instances: which registry processes are alive.

Each registry process registers itself in the DocumentStore collection
``registry_instances`` (``{id, host, pid, started_at, heartbeat}``) and renews
its heartbeat every quarter of ``dead_after_s``; a clean stop removes the
document. Publish jobs carry the id of the instance running them, so any
replica can tell a job whose process died (heartbeat older than
``dead_after_s``, or on this host and in this process-id namespace a process
id that no longer runs, so a restart recovers at once) from one still in
progress on another replica.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
import uuid
from typing import Any

from dlhub_common.ports import DocumentStore
from dlhub_registry.periodic import Periodic

log = logging.getLogger("dlhub.registry.instances")

INSTANCES = "registry_instances"


def _host() -> str:
    """This host, as far as process ids mean anything: the host name and, on
    Linux, the process-id namespace (containers sharing a host name through
    host networking have namespaces of their own)."""
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    return f"{socket.gethostname()}/{namespace}" if namespace else socket.gethostname()


def _pid_runs(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


class Instance:
    """This registry process, with its heartbeat."""

    def __init__(self, docs: DocumentStore, *, dead_after_s: float) -> None:
        self.docs = docs
        self.id = uuid.uuid4().hex
        self.host = _host()
        self.pid = os.getpid()
        self.dead_after_s = dead_after_s
        # the next beat retries a failed one; others may see us dead meanwhile
        self._timer = Periodic(
            "dlhub-registry-heartbeat",
            dead_after_s / 4,
            self._beat,
            lambda _exc: log.warning("could not renew the heartbeat of registry %s", self.id),
        )

    async def start(self) -> None:
        await self._beat()
        self._timer.start()

    async def stop(self) -> None:
        await self._timer.stop()
        with contextlib.suppress(Exception):  # it reads as dead soon anyway
            await self.docs.delete(INSTANCES, self.id)

    async def _beat(self) -> None:
        await self.docs.put(
            INSTANCES,
            self.id,
            {"id": self.id, "host": self.host, "pid": self.pid, "heartbeat": time.time()},
        )

    def is_alive(self, doc: dict[str, Any], now: float) -> bool:
        """Whether the instance ``doc`` describes still runs."""
        if doc.get("id") == self.id:
            return True
        if now - float(doc.get("heartbeat", 0)) > self.dead_after_s:
            return False
        # on this host a dead process is seen at once (a restart needs no wait)
        return not (doc.get("host") == self.host and not _pid_runs(int(doc.get("pid", 0))))

    async def census(self) -> tuple[set[str], list[str]]:
        """(ids of live instances, this one included; ids of dead ones)."""
        now = time.time()
        alive, dead = {self.id}, []
        for doc in await self.docs.find(INSTANCES):
            if self.is_alive(doc, now):
                alive.add(doc["id"])
            else:
                dead.append(doc["id"])
        return alive, dead
