"""Apache Kafka 4.4.0: a single-node KRaft broker (broker + controller in one JVM).

``obtain(cache)`` gathers the broker's jars from Maven Central into
``<cache>/kafka-4.4.0/libs`` (Maven's own cache ``~/.m2`` is reused); a stamp
file makes a second call instant. ``start(workdir, cache, ports)`` writes
``server.properties`` and a Log4j 2 config into ``workdir``, formats the log
dir once (a restart on the same ``workdir`` keeps topics, messages and committed
offsets) and returns once a Kafka Metadata request answers.

Facts learned by running it here (they correct the first recipe in ENGINES.md):

* ``kafka_2.13:4.4.0`` already depends on ``log4j-api`` and ``log4j-core``
  (2.25.5) but on ``slf4j-api`` **1.7.36**. The SLF4J 2 binding
  ``log4j-slf4j2-impl`` is not found by SLF4J 1.7 (it binds through
  ``StaticLoggerBinder``, not ServiceLoader), so Kafka's own logging goes to a
  no-op logger with it. The matching binding is ``log4j-slf4j-impl`` (the SLF4J
  1.x one), pinned to the log4j version Kafka brings.
* ``kafka.tools.StorageTool random-uuid`` costs a JVM start (seconds on two
  cores); the cluster id is a random 16-byte UUID in URL-safe base64 without
  padding, so it is made here in Python instead.
* ``StorageTool format`` with static ``controller.quorum.voters`` needs neither
  ``--standalone`` nor ``--initial-controllers``; it is run only when
  ``<log dir>/meta.properties`` is missing (plus ``--ignore-formatted`` to be
  safe), so restarts keep their data.
* A TCP connect succeeds before the broker serves requests; readiness is a
  real ApiVersions + Metadata exchange (a few lines of the wire protocol below,
  so this module needs no Kafka client library and works inside a running
  event loop).
* Start-up is CPU-bound class loading and JIT work: about 12 s on two cores
  with default JVM flags. Two JVM options cut it to about 3 s:
  ``-XX:TieredStopAtLevel=1`` (C1 only: fine for a local broker, whose work is
  I/O) and an AppCDS archive of the broker's classes, which ``obtain`` records
  once by starting and stopping a throwaway broker with
  ``-XX:ArchiveClassesAtExit`` (``<cache>/kafka-4.4.0/kafka.jsa``). A stale or
  foreign archive (other JDK, moved cache) is ignored by the JVM with a
  warning, but a *truncated* one crashes it: the archive is kept only after
  ``java -Xshare:on -XX:SharedArchiveFile=... -version`` loads it.
  ``DLHUB_KAFKA_JAVA_OPTS`` adds or overrides JVM options (e.g.
  ``-XX:TieredStopAtLevel=4`` for the full JIT).
* Messages up to 64 MiB: ``message.max.bytes``, ``replica.fetch.max.bytes`` and
  the broker's ``fetch.max.bytes`` are raised to 70 MiB; ``socket.request.max.bytes``
  (100 MiB by default) already fits.
"""

from __future__ import annotations

import base64
import os
import shlex
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from deploy.local import maven
from deploy.local.common import Server, free_port, launch

VERSION = "4.4.0"
SCALA = "2.13"
LOG4J = "2.25.5"  # the log4j-api/log4j-core version kafka-server 4.4.0 depends on
MAX_MESSAGE_BYTES = 70 * 1024 * 1024  # a 64 MiB DLHub message plus batch overhead
HEAP = ["-Xms256m", "-Xmx512m"]
JVM = [
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:+ExitOnOutOfMemoryError",
    "-XX:TieredStopAtLevel=1",
    "-Djava.awt.headless=true",
]
READY_TIMEOUT_S = 90.0

_POM = f"""<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dlhub.local</groupId>
  <artifactId>kafka-broker-jars</artifactId>
  <version>{VERSION}</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_{SCALA}</artifactId>
      <version>{VERSION}</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-core</artifactId>
      <version>{LOG4J}</version>
    </dependency>
    <dependency>
      <!-- SLF4J 1.x binding: Kafka {VERSION} depends on slf4j-api 1.7.36 -->
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-slf4j-impl</artifactId>
      <version>{LOG4J}</version>
    </dependency>
  </dependencies>
</project>
"""

_LOG4J2 = """\
status = warn
name = dlhub-kafka
appender.out.type = Console
appender.out.name = STDOUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = STDOUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.state.name = state.change.logger
logger.state.level = WARN
logger.controller.name = org.apache.kafka.controller
logger.controller.level = WARN
logger.appinfo.name = org.apache.kafka.common.utils.internals.AppInfoParser
logger.appinfo.level = WARN
"""


def home(cache: Path) -> Path:
    return cache / f"kafka-{VERSION}"


_JARS_STAMP = ".complete"
_JARS_TEXT = f"kafka_{SCALA}:{VERSION} log4j {LOG4J}\n"


def obtain(cache: Path) -> None:
    """Gather the broker jars into ``<cache>/kafka-4.4.0/libs``, then record the class archive.

    Idempotent: stamp files (``.complete``, ``.cds-tried``) make a second call instant.
    """
    root = home(cache)
    maven.gather_jars(
        root,
        _POM,
        engine="kafka",
        stamp=root / _JARS_STAMP,
        stamp_text=_JARS_TEXT,
        required=f"kafka_{SCALA}-{VERSION}.jar",
        timeout=1200,
    )
    if not (root / ".cds-tried").exists():
        _record_class_archive(cache)


def _record_class_archive(cache: Path) -> None:
    """Start and stop a throwaway broker that writes the AppCDS archive at exit."""
    root = home(cache)
    partial = root / "kafka.jsa.partial"
    partial.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="kafka-cds-") as tmp:
        try:
            server = _start(Path(tmp), cache, None, [f"-XX:ArchiveClassesAtExit={partial}"])
            server.stop()
        except (RuntimeError, TimeoutError, OSError) as exc:
            # Only slower start-ups follow; the broker itself is fine.
            print(f"kafka: no class archive ({exc.__class__.__name__}); start-up is slower")
    if partial.exists() and _archive_loads(cache, partial):
        partial.rename(root / "kafka.jsa")
    else:
        partial.unlink(missing_ok=True)
    (root / ".cds-tried").write_text("1\n")


def _archive_loads(cache: Path, archive: Path) -> bool:
    """Whether the JVM maps ``archive`` cleanly: a truncated one crashes it."""
    java = shutil.which("java") or "java"
    cmd = [java, f"-XX:SharedArchiveFile={archive}", "-Xshare:on", "-XX:-CreateCoredumpOnCrash"]
    cmd += ["-cp", str(home(cache) / "libs" / "*"), "-version"]
    with tempfile.TemporaryDirectory(prefix="kafka-cds-check-") as tmp:  # any hs_err file
        try:
            result = subprocess.run(cmd, capture_output=True, timeout=60, check=False, cwd=tmp)
        except (OSError, subprocess.TimeoutExpired):
            return False
    return result.returncode == 0


def _cluster_id() -> str:
    """A random Kafka cluster id, as ``StorageTool random-uuid`` prints one."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not text.startswith("-"):
            return text


def _properties(workdir: Path, ports: dict[str, int]) -> str:
    broker, controller = ports["broker"], ports["controller"]
    settings = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@127.0.0.1:{controller}",
        "listeners": f"PLAINTEXT://127.0.0.1:{broker},CONTROLLER://127.0.0.1:{controller}",
        "advertised.listeners": f"PLAINTEXT://127.0.0.1:{broker}",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "log.dirs": str(workdir / "data"),
        "num.partitions": "1",
        "auto.create.topics.enable": "false",  # the adapter creates its topics
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "10",  # 50 by default: slow first group join
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "min.insync.replicas": "1",
        "group.initial.rebalance.delay.ms": "0",
        "message.max.bytes": str(MAX_MESSAGE_BYTES),
        "replica.fetch.max.bytes": str(MAX_MESSAGE_BYTES),
        "fetch.max.bytes": str(MAX_MESSAGE_BYTES),
        "log.segment.bytes": str(256 * 1024 * 1024),
    }
    return "".join(f"{k}={v}\n" for k, v in settings.items())


def _java(cache: Path, workdir: Path, extra: list[str] | None = None) -> list[str]:
    java = shutil.which("java")
    if java is None:
        raise RuntimeError("kafka: a Java 17+ runtime (java) is needed")
    archive = home(cache) / "kafka.jsa"
    if extra is None:
        extra = [f"-XX:SharedArchiveFile={archive}"] if archive.exists() else []
    return [
        java,
        *HEAP,
        *JVM,
        *extra,
        *shlex.split(os.environ.get("DLHUB_KAFKA_JAVA_OPTS", "")),
        f"-Dlog4j2.configurationFile={workdir / 'log4j2.properties'}",
        f"-Dkafka.logs.dir={workdir / 'logs'}",
        "-cp",
        str(home(cache) / "libs" / "*"),
    ]


def _format(cache: Path, workdir: Path, config: Path) -> None:
    if (workdir / "data" / "meta.properties").exists():
        return  # formatted before: a restart keeps its data
    cmd = [
        *_java(cache, workdir),
        "kafka.tools.StorageTool",
        "format",
        "-t",
        _cluster_id(),
        "-c",
        str(config),
        "--ignore-formatted",
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0:
        raise RuntimeError(
            f"kafka: storage format failed ({result.returncode})\n"
            f"{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )


def start(workdir: Path, cache: Path, ports: dict[str, int] | None = None) -> Server:
    """Start the broker in ``workdir`` (reusing ``ports`` when given); wait until it answers."""
    if not maven.jars_ready(home(cache) / _JARS_STAMP, _JARS_TEXT):
        obtain(cache)
    return _start(workdir, cache, ports, None)


def _start(
    workdir: Path, cache: Path, ports: dict[str, int] | None, extra: list[str] | None
) -> Server:
    workdir.mkdir(parents=True, exist_ok=True)
    if ports is None:
        broker = free_port()
        controller = free_port()
        while controller == broker:
            controller = free_port()
        ports = {"broker": broker, "controller": controller}
    else:
        ports = {"broker": int(ports["broker"]), "controller": int(ports["controller"])}
    config = workdir / "server.properties"
    config.write_text(_properties(workdir, ports))
    (workdir / "log4j2.properties").write_text(_LOG4J2)
    (workdir / "logs").mkdir(exist_ok=True)
    _format(cache, workdir, config)

    broker = ports["broker"]
    bootstrap = f"127.0.0.1:{broker}"
    return launch(
        "kafka",
        [*_java(cache, workdir, extra), "kafka.Kafka", str(config)],
        workdir=workdir,
        log=workdir / "kafka.log",
        ports=ports,
        env={"DLHUB_BUS__TYPE": "kafka", "DLHUB_BUS__BOOTSTRAP_SERVERS": bootstrap},
        info={"bootstrap_servers": bootstrap},
        ready=lambda: metadata_ready(broker),
        timeout=READY_TIMEOUT_S,
        what=f"kafka on {bootstrap}",
        stop_timeout=10,
        cwd=workdir,
    )


# --- a few lines of the Kafka wire protocol, for the readiness check -----------------

_API_METADATA = 3
_API_VERSIONS = 18


def _request(sock: socket.socket, api_key: int, version: int, corr: int, body: bytes) -> bytes:
    client_id = b"dlhub-ready"
    header = struct.pack(">hhih", api_key, version, corr, len(client_id)) + client_id
    payload = header + body
    sock.sendall(struct.pack(">i", len(payload)) + payload)
    size = struct.unpack(">i", _read(sock, 4))[0]
    data = _read(sock, size)
    if struct.unpack(">i", data[:4])[0] != corr:
        raise ConnectionError("kafka: correlation id mismatch")
    return data[4:]


def _read(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("kafka: connection closed")
        buf += chunk
    return bytes(buf)


def metadata_ready(port: int, host: str = "127.0.0.1", timeout: float = 2.0) -> bool:
    """True when the broker answers a Metadata request listing itself on ``port``."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.settimeout(timeout)
        body = _request(sock, _API_VERSIONS, 0, 1, b"")
        error, count = struct.unpack(">hi", body[:6])
        if error != 0:
            return False
        versions = {}
        for i in range(count):
            key, low, high = struct.unpack(">hhh", body[6 + 6 * i : 12 + 6 * i])
            versions[key] = (low, high)
        low, high = versions.get(_API_METADATA, (0, -1))
        version = min(high, 8)  # v9+ are "flexible" (tagged fields); 1..8 suffice here
        if version < max(low, 1):
            return False
        request = struct.pack(">i", 0)  # no topics: brokers and controller only
        if version >= 4:
            request += b"\x00"  # allow_auto_topic_creation
        if version >= 8:
            request += b"\x00\x00"  # include cluster/topic authorized operations
        reply = _request(sock, _API_METADATA, version, 2, request)
        offset = 4 if version >= 3 else 0  # throttle_time_ms
        (brokers,) = struct.unpack(">i", reply[offset : offset + 4])
        if brokers < 1:
            return False
        offset += 4 + 4  # count, node_id
        (host_len,) = struct.unpack(">h", reply[offset : offset + 2])
        offset += 2 + host_len
        (broker_port,) = struct.unpack(">i", reply[offset : offset + 4])
        return bool(broker_port == port)


def main() -> None:  # pragma: no cover - manual use: python -m deploy.local.engines.kafka
    from deploy.local.common import CACHE

    t0 = time.monotonic()
    obtain(CACHE)
    print(f"obtain: {time.monotonic() - t0:.1f}s")
    workdir = Path(os.environ.get("KAFKA_WORKDIR", "/tmp/dlhub-kafka"))
    t0 = time.monotonic()
    server = start(workdir, CACHE)
    print(f"start: {time.monotonic() - t0:.1f}s {server.info} {server.rss_mb():.0f} MiB")
    server.stop()


if __name__ == "__main__":  # pragma: no cover
    main()
