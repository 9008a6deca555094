"""End-to-end fixtures: a real ``dlhub up`` subprocess and a trained digits model.

The mesh runs as a separate process on free ports with a temporary data
directory, exactly as a user would start it. Its output goes to a file that is
attached to every failing e2e test's report. At the end of the session it gets
SIGTERM and must exit with status 0.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import onnxruntime as ort
import pytest
from grpc_health.v1 import health_pb2

from dlhub_common.accounts import LocalAccounts

from ._support import (
    CLI_TIMEOUT_S,
    DIGITS_SCRIPT,
    ENDPOINT_SETTING,
    LOGS,
    SERVICES,
    START_DEADLINE_S,
    USERNAME,
    CliResult,
    Digits,
    ManagedProcess,
    Mesh,
    clean_env,
    free_port,
    health_status,
    log_tail,
    wait_for,
)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.failed and item.get_closest_marker("e2e") is not None:
        for label, path in LOGS.items():
            report.sections.append((f"{label} output", log_tail(path)))


# ------------------------------------------------------------------ the model


def _load_digits_example() -> Any:
    spec = importlib.util.spec_from_file_location("dlhub_example_digits", DIGITS_SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def digits_example() -> Any:
    """examples/digits/digits.py as a module (its functions, not its main)."""
    return _load_digits_example()


@pytest.fixture(scope="session")
def digits(tmp_path_factory: pytest.TempPathFactory, digits_example: Any) -> Digits:
    """Train the example's classifier once and compute reference outputs with onnxruntime."""
    path = tmp_path_factory.mktemp("model") / "digits.onnx"
    x_test, y_test = digits_example.train_and_export(path)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    [inp] = session.get_inputs()
    assert [o.name for o in session.get_outputs()] == ["label", "probabilities"]
    labels, probabilities = session.run(["label", "probabilities"], {inp.name: x_test})
    # The reference is a real classifier, not noise: the tests compare against it.
    assert (labels == y_test).mean() > 0.9
    return Digits(path, x_test, y_test, inp.name, labels, probabilities)


# ------------------------------------------------------------------ the mesh


@pytest.fixture(scope="session", params=["embedded", "distributed"])
def mesh(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Mesh]:
    """The whole mesh, in each mode; every e2e test runs against both.

    * embedded: ``dlhub up`` in one subprocess on the embedded backends;
    * distributed: one ``dlhub serve <service>`` process per service, on real
      Kafka, FerretDB (MongoDB wire), OpenSearch and S3 from deploy/local.

    Every process is stopped with SIGTERM and must exit 0.
    """
    if request.param == "distributed":
        yield from _distributed_mesh(tmp_path_factory, request.getfixturevalue("stack"))
        return
    yield from _embedded_mesh(tmp_path_factory)


def start_dlhub_up(root: Path, **settings: str) -> tuple[ManagedProcess, Mesh]:
    """``dlhub up`` in ``root`` on free ports with these extra ``DLHUB_*`` settings, ready."""
    data_dir = root / "data"
    workdir = root / "work"
    workdir.mkdir(exist_ok=True)  # a second start on the same root restarts on the same data
    http_port, grpc_port = free_port(), free_port()
    while grpc_port == http_port:
        grpc_port = free_port()
    metrics_port = free_port()
    env = clean_env(
        DLHUB_GATEWAY__HTTP_PORT=str(http_port),
        DLHUB_GATEWAY__GRPC_PORT=str(grpc_port),
        DLHUB_METRICS__PORT=str(metrics_port),
        DLHUB_EXECUTOR_OPTIONS__INTRA_OP_THREADS="1",
        **settings,
    )
    argv = [
        sys.executable,
        "-m",
        "dlhub_sdk.cli",
        "up",
        "--data-dir",
        str(data_dir),
        "--user",
        USERNAME,
    ]
    process = ManagedProcess("dlhub up", argv, env, workdir, root / "dlhub-up.log")
    client_file = data_dir / "client.json"

    def ready() -> dict[str, Any] | None:
        process.check_alive()
        if not client_file.is_file() or "DLHub is up" not in log_tail(process.log):
            return None
        info: dict[str, Any] = json.loads(client_file.read_text())
        if health_status(info["address"]) != health_pb2.HealthCheckResponse.SERVING:
            return None
        return info

    try:
        info = wait_for(ready, timeout=START_DEADLINE_S, what="dlhub up to be ready")
    except BaseException:
        process.stop()
        raise
    mesh = Mesh(
        address=info["address"],
        http=info["http"],
        token=info.get("token", ""),  # none under Globus Auth: users sign in themselves
        username=info.get("username", ""),
        data_dir=data_dir,
        workdir=workdir,
        log=process.log,
        grpc_port=grpc_port,
        http_port=http_port,
        metrics_ports=(("mesh", metrics_port),),
    )
    return process, mesh


# Inputs by reference from the test's own file server on 127.0.0.1 (test_staging_refs.py)
STAGING_ENV = {"DLHUB_STAGING__PRIVATE_HOSTS": '["127.0.0.1"]'}


def _embedded_mesh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mesh]:
    process, mesh = start_dlhub_up(tmp_path_factory.mktemp("mesh"), **STAGING_ENV)
    yield mesh
    process.stop_cleanly()


def _distributed_mesh(
    tmp_path_factory: pytest.TempPathFactory, stack: Any, **extra_env: str
) -> Iterator[Mesh]:
    """One ``dlhub serve`` process per service; ``extra_env`` goes to every one of them."""
    root = tmp_path_factory.mktemp("distributed")
    workdir = root / "work"
    workdir.mkdir()
    run_id = uuid.uuid4().hex[:10]
    env: dict[str, str] = {}
    for engine in ("kafka", "mongo", "opensearch", "s3"):
        env.update(stack.require(engine).env)
    # Names of this run only, so reruns against a shared stack never mix data.
    env.update(
        DLHUB_BUS__TOPIC_PREFIX=f"e2e-{run_id}-",
        DLHUB_BUS__NUM_PARTITIONS="3",
        DLHUB_DOCUMENTS__DATABASE=f"e2e_{run_id}",
        DLHUB_SEARCH__INDEX=f"e2e-{run_id}",
        DLHUB_OBJECTS__BUCKET=f"e2e-{run_id}",
        DLHUB_TOKENS_FILE=str(root / "tokens.json"),
        DLHUB_EXECUTOR_OPTIONS__INTRA_OP_THREADS="1",
        **STAGING_ENV,
    )
    env.update(extra_env)
    token = LocalAccounts(root / "tokens.json").ensure_user(USERNAME)
    ports = {name: free_port() for name in ENDPOINT_SETTING}
    http_port, grpc_port = free_port(), free_port()
    for name, setting in ENDPOINT_SETTING.items():
        env[f"DLHUB_{setting}__PORT"] = str(ports[name])
    env.update(DLHUB_GATEWAY__HTTP_PORT=str(http_port), DLHUB_GATEWAY__GRPC_PORT=str(grpc_port))
    processes: list[ManagedProcess] = []
    metrics_ports = {name: free_port() for name in SERVICES}  # each process its own /metrics
    try:
        for name in SERVICES:
            argv = [sys.executable, "-m", "dlhub_sdk.cli", "serve", name]
            argv += ["--data-dir", str(root / name)]
            own = clean_env(**env, DLHUB_METRICS__PORT=str(metrics_ports[name]))
            processes.append(
                ManagedProcess(f"dlhub serve {name}", argv, own, workdir, root / f"{name}.log")
            )
        address = f"127.0.0.1:{grpc_port}"
        targets = [
            (p, f"127.0.0.1:{ports[n]}") for p, n in zip(processes[:-1], SERVICES[:-1], strict=True)
        ]
        targets.append((processes[-1], address))

        def ready() -> bool:
            for process, target in targets:
                process.check_alive()
                if health_status(target) != health_pb2.HealthCheckResponse.SERVING:
                    return False
            return True

        wait_for(ready, timeout=START_DEADLINE_S, what="every `dlhub serve` to report SERVING")
        yield Mesh(
            address=address,
            http=f"http://127.0.0.1:{http_port}",
            token=token,
            username=USERNAME,
            data_dir=root,
            workdir=workdir,
            log=processes[-1].log,
            grpc_port=grpc_port,
            http_port=http_port,
            mode="distributed",
            service_ports=tuple(ports.items()),
            metrics_ports=tuple(metrics_ports.items()),
        )
        for process in reversed(processes):
            process.stop_cleanly()
    finally:
        for process in processes:
            if process.proc.poll() is None:
                process.stop()


@pytest.fixture(scope="session")
def cli(mesh: Mesh) -> Callable[..., CliResult]:
    """Run ``dlhub <command> ... --json --address A --token T`` as a subprocess."""

    def run(command: str, *args: str, check: bool = True) -> CliResult:
        argv = [
            sys.executable,
            "-m",
            "dlhub_sdk.cli",
            command,
            *args,
            "--json",
            "--address",
            mesh.address,
            "--token",
            mesh.token,
        ]
        proc = subprocess.run(
            argv,
            cwd=mesh.workdir,
            env=clean_env(),
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT_S,
            check=False,
        )
        result = CliResult(proc.returncode, proc.stdout, proc.stderr)
        if check and proc.returncode != 0:
            pytest.fail(
                f"`dlhub {command} {' '.join(args)}` exited {proc.returncode}\n"
                f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
            )
        return result

    return run
