"""Extra processes of one service started next to this one (``--replicas N``,
``--executors N``).

Executors: each child is ``dlhub serve executor`` with this process's
environment, the same data directory and pinned servables, and its health
port set to 0 (a free one), so the group shares one configuration. Children
join the same bus, so they need one that other processes can reach (Kafka):
the in-process bus of ``dlhub up`` lives in one process only.

Gateways: each child is ``dlhub serve gateway`` bound to the very ports this
process bound, with ``SO_REUSEPORT`` (``gateway.reuse_port``), so the kernel
spreads incoming connections over the group and one port uses several cores.

The group lives and dies together: stopping this process stops the children
(SIGTERM, then SIGKILL after a grace period), a child that exits on its own
stops this process too (so a supervisor restarts the whole group), and on
Linux each child gets SIGTERM if this process dies without stopping it.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import logging
import os
import signal
import sys
from collections.abc import Callable

from dlhub_common.errors import InvalidArgument
from dlhub_common.settings import Settings

log = logging.getLogger("dlhub.mesh")
STOP_GRACE_S = 30.0
_PR_SET_PDEATHSIG = 1


def check_count(option: str, count: int) -> None:
    if count < 1:
        raise InvalidArgument(f"{option} must be at least 1, not {count}")


def refuse_in_process_bus(settings: Settings, option: str, count: int) -> None:
    """Extra executor processes need a bus other processes can join."""
    if count > 1 and settings.bus.type == "memory":
        more = count - 1
        raise InvalidArgument(
            f"{option} {count} starts {more} more executor process{'es' if more > 1 else ''},"
            " which cannot join this process's in-process bus (bus.type=memory): set"
            " DLHUB_BUS__TYPE=kafka and DLHUB_BUS__BOOTSTRAP_SERVERS to share a Kafka bus,"
            " or run the services apart on Kafka (`dlhub serve executor --replicas"
            f" {count}`; docs/distributed.md)"
        )


def _death_signal() -> Callable[[], None] | None:
    """A pre-exec hook that has the kernel SIGTERM the child when its parent dies (Linux).

    libc is looked up here, in the parent: the hook runs in the forked child
    and must not import or take locks another thread may hold.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None

    def hook() -> None:  # pragma: no cover - runs in the child, before exec
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM))

    return hook


class ExecutorReplicas:
    """``count`` child processes of ``service`` (executor or gateway).

    Args:
        settings: this process's settings (data directory, pinned servables).
        count: how many children.
        on_exit: called once if a child exits while the group runs.
        service: which service the children run.
        env: more variables for the children (a gateway's bound ports).
    """

    def __init__(
        self,
        settings: Settings,
        count: int,
        on_exit: Callable[[], None],
        *,
        service: str = "executor",
        env: dict[str, str] | None = None,
    ) -> None:
        self.settings = settings
        self.count = count
        self.on_exit = on_exit
        self.service = service
        self.extra_env = dict(env or {})
        self.processes: list[asyncio.subprocess.Process] = []
        self.failed = False
        self._stopping = False
        self._watchers: list[asyncio.Task[None]] = []

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["DLHUB_DATA_DIR"] = str(self.settings.resolved_data_dir())
        if self.service == "executor":
            env["DLHUB_EXECUTOR__PORT"] = "0"
            env["DLHUB_EXECUTOR_OPTIONS__SERVABLES"] = json.dumps(
                self.settings.executor_options.servables
            )
        env["PYTHONUNBUFFERED"] = "1"
        env.update(self.extra_env)
        return env

    async def start(self) -> None:
        env = self._env()
        hook = _death_signal()
        for i in range(self.count):
            metrics_port = self.settings.metrics.port
            if metrics_port:  # each replica serves its own /metrics, on the next ports
                env = {**env, "DLHUB_METRICS__PORT": str(metrics_port + i + 1)}
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "dlhub_sdk.cli",
                "serve",
                self.service,
                env=env,
                preexec_fn=hook,
            )
            self.processes.append(proc)
            log.info(
                "started %s replica %d of %d (pid %d)",
                self.service,
                i + 2,
                self.count + 1,
                proc.pid,
            )
            self._watchers.append(asyncio.create_task(self._watch(proc)))

    async def _watch(self, proc: asyncio.subprocess.Process) -> None:
        code = await proc.wait()
        if not self._stopping:
            self.failed = True
            log.error(
                "%s replica (pid %d) exited with status %s; stopping", self.service, proc.pid, code
            )
            self.on_exit()

    async def stop(self) -> None:
        """SIGTERM every child; SIGKILL those still running after ``STOP_GRACE_S``."""
        self._stopping = True
        for proc in self.processes:
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGTERM)
        for proc in self.processes:
            try:
                await asyncio.wait_for(proc.wait(), STOP_GRACE_S)
            except TimeoutError:
                log.warning("executor replica (pid %d) ignored SIGTERM; killing it", proc.pid)
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
            if proc.returncode not in (0, None):
                log.warning("executor replica (pid %d) exited with %s", proc.pid, proc.returncode)
        for watcher in self._watchers:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
