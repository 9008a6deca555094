"""Running DLHub services: the whole embedded mesh (`dlhub up`) or one service
(`dlhub serve <service>`).

The service packages are imported only here and only when a command runs,
so the SDK itself stays light; install ``dlhub-sdk[server]`` to serve.

In the embedded mesh every service lives in this one process and they call
each other in-process (no loopback hop). With ``dlhub serve`` each service
runs alone and reaches the others over gRPC at the addresses in settings.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from dlhub_common import audit
from dlhub_common.errors import InvalidArgument, Unavailable
from dlhub_common.identity import slug_username
from dlhub_common.internal_auth import InternalSigner
from dlhub_common.listen import ensure_free
from dlhub_common.remote import RemoteRegistry, RemoteSearch, RemoteTasks, open_channel
from dlhub_common.retry import retrying
from dlhub_common.rpc.server import GrpcServer
from dlhub_common.runtime import Backends
from dlhub_common.settings import Settings
from dlhub_server.replicas import ExecutorReplicas, check_count, refuse_in_process_bus

log = logging.getLogger("dlhub.mesh")
SERVICES = ("registry", "search", "taskmanager", "executor", "gateway")
CLIENT_FILE = "client.json"


def _service_module(name: str) -> Any:
    """``dlhub_<name>.main``; a container installs only the service it runs."""
    try:
        return importlib.import_module(f"dlhub_{name}.main")
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise SystemExit(
            f"the DLHub {name} service is not installed ({exc.name}); install dlhub-{name}"
        ) from None


def _import_services() -> Any:
    return tuple(
        _service_module(n) for n in ("registry", "search", "taskmanager", "executor", "gateway")
    )


def _stop_event() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop


def starting_user_token(
    tokens: Any,
    data_dir: Path,
    username: str,
    created: Callable[[Any], None] | None = None,
) -> str:
    """The token ``dlhub up`` hands its starting user (an admin when it is the first).

    Tokens are stored hashed, so an earlier token cannot be read back: the
    one in ``client.json`` is reused while it still works for this user,
    else a new one is created (and its TokenInfo handed to ``created``).
    """
    tokens.ensure_admin(username)
    try:
        previous = json.loads((data_dir / CLIENT_FILE).read_text()).get("token")
    except (OSError, ValueError, AttributeError):
        previous = None
    if isinstance(previous, str) and tokens.valid_token_of(previous, username):
        return previous
    token, info = tokens.create_token(username, description="dlhub up")
    if created is not None:
        created(info)
    return str(token)


async def _starting_token(gateway_m: Any, settings: Settings, backends: Any, username: str) -> str:
    """``starting_user_token``, a token it creates recorded in the audit log."""
    new_tokens: list[Any] = []
    token = starting_user_token(
        gateway_m.tokens_for(settings), backends.data_dir, username, new_tokens.append
    )
    for created in new_tokens:  # in the audit log like `dlhub token create`'s
        try:
            await audit.record(
                await backends.documents(),
                audit.local_actor(),
                "token.create",
                f"token:{created.id}",
                {"user": created.user, "expires": None, "description": created.description},
            )
        except Exception:  # the mesh runs; the log misses this one
            log.exception("could not append the audit entry of the starting token")
    return token


def write_client_file(data_dir: Path, info: dict[str, Any]) -> Path:
    path = data_dir / CLIENT_FILE
    fd = os.open(path.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(info, fh, indent=2)
    os.replace(path.with_suffix(".tmp"), path)
    return path


def _cores() -> int:
    """Every core this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


async def run_mesh(
    settings: Settings,
    *,
    user: str | None = None,
    example: str | None = None,
    on_ready: Callable[[dict[str, Any]], Awaitable[None]] | None = None,
    executors: int | None = None,
) -> int:
    """Run all five services in this process until SIGINT/SIGTERM.

    ``executors`` > 1 uses that many processes for models: on the in-process
    bus, the executor's model worker processes (``executor_options.workers``;
    dlhub_executor.workers); on a bus other processes can join (Kafka),
    that many executor processes less one next to this one
    (dlhub_server.replicas).
    """
    if executors is None:
        # one machine: the serving path (gateway, task manager, executor loop)
        # keeps a core, every other core runs model worker processes; on two
        # cores a worker would only move the model to the core the serving
        # path needs (threads do that already), so there are none
        cores = _cores()
        executors = cores - 1 if settings.bus.type == "memory" and cores > 2 else 1
    check_count("--executors", executors)
    if settings.bus.type == "memory":
        if executors > 1 and not settings.executor_options.workers:
            settings.executor_options.workers = executors
        executors = 1
    gateway_m = _service_module("gateway")
    stop = _stop_event()
    replicas = ExecutorReplicas(settings, executors - 1, stop.set)
    outer = contextlib.AsyncExitStack()
    if executors > 1:
        # forked before this process runs any gRPC thread: a fork while gRPC's
        # threads run can abort the child
        outer.push_async_callback(replicas.stop)
        await replicas.start()
    async with outer, embedded_mesh(settings) as (backends, gateway):
        host = settings.gateway.host
        info: dict[str, Any] = {
            "address": f"{host}:{gateway.grpc_port}",
            "http": f"http://{host}:{gateway.http_port}",
        }
        if settings.auth.provider == "local":
            username = slug_username(user or os.environ.get("USER") or "local")
            token = await _starting_token(gateway_m, settings, backends, username)
            info.update(token=token, username=username)
        # under Globus Auth there is no local user to hand out: users sign in themselves
        client_file = write_client_file(backends.data_dir, info)
        signed_in = (
            f"{info['username']} (credentials in {client_file})"
            if "token" in info
            else f"nobody: identities are Globus Auth's; sign in with `dlhub login` ({client_file})"
        )
        print(
            f"DLHub is up (embedded mode, data in {backends.data_dir})\n"
            f"  HTTP/JSON + OIP REST : {info['http']}   (OpenAPI at {info['http']}/docs)\n"
            f"  gRPC + OIP gRPC      : {info['address']}\n"
            f"  signed in as         : {signed_in}",
            flush=True,
        )
        async with contextlib.AsyncExitStack() as stack:
            if example:
                stack.push_async_callback(
                    _stop_process, await _start_example(example, info, backends.data_dir)
                )
            if on_ready is not None:
                await on_ready(info)
            await stop.wait()
            print("DLHub is stopping", flush=True)
    return 1 if replicas.failed else 0


@contextlib.asynccontextmanager
async def embedded_mesh(settings: Settings) -> AsyncIterator[tuple[Backends, Any]]:
    """All five services in this process, calling each other in-process.

    Yields the shared backends and the started gateway; on exit everything
    stops in reverse order (gateway first, backends last).
    """
    registry_m, search_m, tasks_m, executor_m, gateway_m = _import_services()
    backends = Backends(settings)
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_callback(backends.stop)
        # retrain jobs train and score in-process, with the executor's environments
        registry = await registry_m.create(backends, executor_m.create_trainer(backends))
        stack.push_async_callback(registry.core.stop)
        search_api, search_core = await search_m.create(backends)
        stack.push_async_callback(search_core.stop)
        tasks_api, tasks_core = await tasks_m.create(backends, registry)
        stack.push_async_callback(tasks_core.stop)
        # After the task manager: its router hears the executor's first
        # announcement, and at stop the executor drains while results are
        # still recorded.
        executor = await executor_m.create(backends)
        stack.push_async_callback(executor.stop)
        gateway = gateway_m.Gateway(
            settings,
            registry,
            search_api,
            tasks_api,
            objects=backends.objects,
            bus=await backends.bus(),
        )
        await gateway.start()
        stack.push_async_callback(gateway.stop)
        yield backends, gateway


async def _start_example(
    path: str, info: dict[str, Any], data_dir: Path
) -> asyncio.subprocess.Process:
    script = Path(path)
    if not await asyncio.to_thread(script.is_file):
        # A bare name means examples/<name>/<name>.py (or that folder's only
        # script) in the current checkout.
        folder = Path("examples") / path
        scripts = sorted(folder.glob("*.py")) if folder.is_dir() else []
        script = folder / f"{path}.py"
        if not script.is_file() and len(scripts) == 1:
            script = scripts[0]
    if not await asyncio.to_thread(script.is_file):
        raise InvalidArgument(
            f"example {path!r} not found (give a script path, or a name under examples/)"
        )
    env = {**os.environ, "DLHUB_ADDRESS": info["address"], "DLHUB_HTTP": info["http"]}
    if "token" in info:  # else the example uses the caller's own login
        env["DLHUB_TOKEN"] = info["token"]
    print(f"running example {script}", flush=True)
    return await asyncio.create_subprocess_exec(sys.executable, str(script), env=env)


async def _stop_process(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.terminate()
        with contextlib.suppress(ProcessLookupError):
            await proc.wait()


class _Pending:
    """Stands in for a service API until the service is assembled.

    gRPC servicers must be registered before the server starts, and the port
    opens before the backends are reachable (so health checks can report
    NOT_SERVING); calls in that window get UNAVAILABLE.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.target: Any = None

    def __getattr__(self, attr: str) -> Any:
        target = self.__dict__.get("target")
        if target is None:
            raise Unavailable(f"the {self.__dict__['name']} service is starting; retry shortly")
        return getattr(target, attr)


async def run_service(name: str, settings: Settings, *, replicas: int = 1) -> int:
    """Run one service alone; peers are reached over gRPC.

    The gRPC port (health + reflection) opens first and reports NOT_SERVING;
    the service is then assembled, retrying with exponential backoff while a
    backend is unreachable (each attempt logs the backend and its address),
    and only then reports SERVING.

    ``replicas`` > 1 (executor only) starts that many executor processes less
    one next to this one, with the same settings; they stop with it
    (dlhub_server.replicas).
    """
    if name not in SERVICES:
        raise InvalidArgument(f"unknown service {name!r}; choose one of {', '.join(SERVICES)}")
    check_count("--replicas", replicas)
    if replicas > 1 and name not in ("executor", "gateway"):
        raise InvalidArgument(
            "--replicas applies to `dlhub serve executor` and `dlhub serve gateway` only"
        )
    module = _service_module(name)
    if name == "executor":  # a bad pinned servable stops start-up, naming it
        importlib.import_module("dlhub_executor.pinning").parse_servables(
            settings.executor_options.servables
        )
    if name == "executor":
        refuse_in_process_bus(settings, "--replicas", replicas)
    if name == "gateway" and replicas > 1:
        # the replicas share this process's ports, and only they: both must be free
        gw = settings.gateway
        ensure_free("gateway HTTP", gw.host, gw.http_port, "gateway.http_port")
        ensure_free("gateway gRPC", gw.host, gw.grpc_port, "gateway.grpc_port")
        settings.gateway.reuse_port = True
    stop = _stop_event()
    backends = Backends(settings)
    signer = InternalSigner.from_settings(settings)
    stack = contextlib.AsyncExitStack()
    children = ExecutorReplicas(settings, replicas - 1, stop.set)
    async with stack:
        stack.push_async_callback(backends.stop)
        if replicas > 1 and name == "executor":  # before any thread of ours exists
            stack.push_async_callback(children.stop)
            await children.start()
        setting = {
            "registry": "registry",
            "search": "search_service",
            "taskmanager": "taskmanager",
            "executor": "executor",
        }.get(name)
        endpoint = getattr(settings, setting) if setting else None
        pending = _Pending(name)
        server: GrpcServer | None = None
        if endpoint is not None:
            server = GrpcServer(
                name,
                max_message_bytes=settings.max_message_bytes,
                authenticate=signer.authenticate,
            )
            register = getattr(module, "register", None)
            if register is not None:
                register(server, pending)
            await server.start(endpoint.host, endpoint.port, setting=f"{setting}.port")
            stack.push_async_callback(server.stop)
        try:  # a backend that is not up yet is waited for, until asked to stop
            async for attempt in retrying(
                f"assemble {name}",
                retry_on=lambda exc: isinstance(exc, Unavailable),
                initial_s=0.5,
                max_delay_s=30.0,
                stop=stop,
            ):
                if stop.is_set():
                    return 1
                with attempt:
                    pending.target = await _assemble(
                        name, module, settings, backends, stack, signer
                    )
        except Unavailable:
            if stop.is_set():
                return 1
            raise
        if server is not None and endpoint is not None:
            await server.set_serving(True)
            print(f"DLHub {name} serving gRPC on {endpoint.host}:{server.port}", flush=True)
        else:
            print(f"DLHub {name} is up", flush=True)
        if replicas > 1 and name == "gateway":  # once the ports are bound
            gateway = pending.target
            children = ExecutorReplicas(
                settings,
                replicas - 1,
                stop.set,
                service="gateway",
                env={
                    "DLHUB_GATEWAY__HTTP_PORT": str(gateway.http_port),
                    "DLHUB_GATEWAY__GRPC_PORT": str(gateway.grpc_port),
                    "DLHUB_GATEWAY__REUSE_PORT": "true",
                },
            )
            stack.push_async_callback(children.stop)
            await children.start()
        await stop.wait()
    return 1 if children.failed else 0


def _trainer(backends: Backends) -> Any:
    """A retrain trainer when the executor package is installed here, else None
    (the registry then refuses retraining with FAILED_PRECONDITION)."""
    try:
        executor_m = importlib.import_module("dlhub_executor.main")
    except ImportError:
        return None
    return executor_m.create_trainer(backends)


async def _assemble(
    name: str,
    module: Any,
    settings: Settings,
    backends: Backends,
    stack: contextlib.AsyncExitStack,
    signer: InternalSigner,
) -> Any:
    """Build one service; returns its API (the executor or gateway object for those)."""
    limit = settings.max_message_bytes
    if name == "registry":
        api = await module.create(backends, _trainer(backends))
        stack.push_async_callback(api.core.stop)
        return api
    if name == "search":
        api, core = await module.create(backends)
        stack.push_async_callback(core.stop)
        return api
    if name == "taskmanager":
        channel = open_channel(settings.registry.target(), limit)
        stack.push_async_callback(channel.close)
        api, core = await module.create(backends, RemoteRegistry(channel, signer))
        stack.push_async_callback(core.stop)
        return api
    if name == "executor":
        executor = await module.create(backends)
        stack.push_async_callback(executor.stop)
        return executor
    channels = [
        open_channel(e.target(), limit)
        for e in (settings.registry, settings.search_service, settings.taskmanager)
    ]
    for ch in channels:
        stack.push_async_callback(ch.close)
    gateway = module.Gateway(
        settings,
        RemoteRegistry(channels[0], signer),
        RemoteSearch(channels[1], signer),
        RemoteTasks(channels[2], signer),
        objects=backends.objects,
        bus=await backends.bus(),
    )
    await gateway.start()
    stack.push_async_callback(gateway.stop)
    return gateway
