"""Serving benchmark: DLHub against MLServer, KServe and onnxruntime in-process.

    uv run --frozen python -m bench.serving [--quick] [--skip mlserver,kserve,distributed]

Writes bench/results/serving.md (tables), serving.json (every round) and PNG
plots next to them. See docs/bench.md for what each table measures.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.serving import dlhub, peers
from bench.serving.inproc import measure
from bench.serving.models import ROOT, ModelFile, digits_model, resnet_model
from bench.serving.profile import Profile, Sampler, summarize
from bench.serving.report import Results, load_results, write_report
from bench.serving.runner import LoadGen, Round
from bench.serving.systems import System

RESULTS = ROOT / "bench" / "results"
SKIPPABLE = ("mlserver", "kserve", "distributed")


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.serving", description=__doc__)
    p.add_argument("--quick", action="store_true", help="short rounds, clients 1 and 32, 1 rep")
    p.add_argument("--duration", type=float, help="seconds per measured round (5; quick 2)")
    p.add_argument("--warmup", type=float, help="seconds of warm-up per round (1; quick 0.5)")
    p.add_argument("--reps", type=int, help="interleaved rounds per configuration (3; quick 1)")
    p.add_argument("--clients", help="CNN client counts, comma-separated (1,8,32,64)")
    p.add_argument("--threads", type=int, default=1, help="onnxruntime intra-op threads (1)")
    p.add_argument("--skip", default="", help=f"systems to leave out: {','.join(SKIPPABLE)}")
    p.add_argument("--out", type=Path, default=RESULTS, help="where tables and plots go")
    p.add_argument("--profile", action="store_true", help="py-spy DLHub during two extra rounds")
    p.add_argument("--render", type=Path, help="redraw tables and plots from a serving.json")
    a = p.parse_args(argv)
    a.duration = a.duration or (2.0 if a.quick else 5.0)
    a.warmup = a.warmup if a.warmup is not None else (0.5 if a.quick else 1.0)
    a.reps = a.reps or (1 if a.quick else 3)
    a.clients = [int(c) for c in (a.clients or ("1,32" if a.quick else "1,8,32,64")).split(",")]
    a.skip = {s for s in a.skip.split(",") if s}
    if a.skip - set(SKIPPABLE):
        p.error(f"--skip takes {', '.join(SKIPPABLE)}")
    return a


def _commit() -> str:
    """The measured tree's commit (with a mark when it has local changes)."""
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head}{' (modified)' if dirty else ''}"


class Bench:
    """Starts the systems, runs interleaved rounds, keeps what came out."""

    def __init__(self, args: argparse.Namespace, workdir: Path) -> None:
        self.args = args
        self.workdir = workdir
        self.loadgen = LoadGen(workdir / "loadgen.log")
        self.results = Results(
            meta={
                "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                "host": f"{os.cpu_count()} cores, Python {platform.python_version()}",
                "commit": _commit(),
                "quick": args.quick,
                "duration_s": args.duration,
                "warmup_s": args.warmup,
                "reps": args.reps,
                "clients": args.clients,
                "ort_threads": args.threads,
            }
        )
        self.live: list[System] = []

    def start(self, name: str, starter: Callable[[], System]) -> System | None:
        """Start one system; a failure is recorded in the table, not raised."""
        t0 = time.monotonic()
        print(f"[start] {name} ...", flush=True)
        try:
            system = starter()
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}".strip().splitlines()
            self.results.failures[name] = " ".join(reason[:3])[:400]
            print(f"[start] {name} FAILED: {self.results.failures[name]}", flush=True)
            return None
        print(f"[start] {name} up in {time.monotonic() - t0:.1f}s", flush=True)
        self.live.append(system)
        return system

    def stop(self, system: System | None) -> None:
        if system is not None and system in self.live:
            self.live.remove(system)
            system.stop()

    def interleave(
        self,
        systems: list[tuple[System | None, bool]],
        model: ModelFile,
        protocol: str,
        clients: int,
        tag: str,
        between: Callable[[], None] | None = None,
    ) -> None:
        """A,B,C,A,B,C...: ``reps`` rounds of each (system, fixed input) in turn;
        ``between`` (the in-process floor) runs once per repetition among them."""
        runnable = [(s, fixed) for s, fixed in systems if s is not None]
        for rep in range(self.args.reps):
            if between is not None:
                between()
            for system, fixed in runnable:
                rnd = self.loadgen.run(
                    system,
                    model,
                    protocol,
                    clients,
                    self.args.duration,
                    warmup=self.args.warmup,
                    fixed=fixed,
                    seed=rep + 1,
                    tag=tag,
                )
                self._record(rnd)

    def profile(
        self, system: System | None, model: ModelFile, clients: int, name: str, what: str
    ) -> None:
        """One extra round (not in the tables) with py-spy sampling the DLHub server."""
        if system is None:
            return
        out = self.args.out / f"profile_{name}.txt"
        print(f"[profile] {what}", flush=True)
        try:
            sampler = Sampler(
                system.servers[0].proc.pid, out, self.args.warmup + self.args.duration
            )
        except Exception as exc:
            self.results.profiles.append(Profile(name, what, error=f"{type(exc).__name__}: {exc}"))
            return
        self.loadgen.run(
            system,
            model,
            "grpc",
            clients,
            self.args.duration,
            warmup=self.args.warmup,
            tag="profile",
        )
        error = sampler.finish()
        prof = Profile(name, what, error=error) if error else summarize(out, name, what)
        self.results.profiles.append(prof)
        for frame, pct in prof.self_top[:5]:
            print(f"  {pct:5.1f}%  {frame}", flush=True)

    def _record(self, rnd: Round) -> None:
        self.results.rounds.append(rnd)
        err = f"  ERROR {rnd.error[:120]}" if rnd.error else ""
        print(
            f"  {rnd.tag:11} {rnd.system:34} {rnd.model:6} {rnd.protocol:4} c={rnd.concurrency:<3}"
            f" {rnd.rps:8.1f} req/s  p50 {rnd.p50:8.2f}  p99 {rnd.p99:8.2f} ms"
            f"  cpu {rnd.cpu_ms_per_request:6.2f} ms/req{err}",
            flush=True,
        )

    def close(self) -> None:
        for system in list(self.live):
            self.stop(system)
        self.loadgen.close()


def run(args: argparse.Namespace, bench: Bench) -> None:
    a, wd, res = args, bench.workdir, bench.results
    print("[models] digits (examples/digits) and ResNet-20 (random weights)", flush=True)
    digits, resnet = digits_model(), resnet_model()
    models = [digits, resnet]

    print("[in-process] onnxruntime", flush=True)
    floor_s = max(2.0, a.duration)
    res.inproc["digits"] = measure(digits, 1, floor_s, a.threads)
    res.inproc["resnet b1"] = measure(resnet, 1, floor_s, a.threads)
    floors = [measure(resnet, 32, floor_s, a.threads)]
    res.inproc["resnet b32"] = floors[0]
    for key, m in res.inproc.items():
        print(
            f"  {key:11} {m.samples_per_s:9.1f} samples/s  p50 {m.p50:.3f} ms  p99 {m.p99:.3f} ms"
        )

    def embedded(
        label: str, sub: str, *, batching: bool, cache: bool, extra: tuple[str, ...] = ()
    ) -> Callable[[], System]:
        settings = dlhub.settings_for(batching=batching, cache=cache, threads=a.threads)
        return lambda: dlhub.start_embedded(label, models, settings, wd / sub, extra)

    on = bench.start(
        "DLHub embedded, batching on",
        embedded("DLHub embedded, batching on", "on", batching=True, cache=False),
    )
    off = bench.start(
        "DLHub embedded, batching off",
        embedded("DLHub embedded, batching off", "off", batching=False, cache=False),
    )
    cached = bench.start(
        "DLHub embedded, cache on",
        embedded("DLHub embedded, cache on", "cache", batching=True, cache=True),
    )
    mls = kse = None
    if "mlserver" not in a.skip:
        mls = bench.start("MLServer 1.7.1", lambda: peers.start_mlserver(models, a.threads, wd))
    if "kserve" not in a.skip:
        kse = bench.start("KServe 0.21.0", lambda: peers.start_kserve(models, a.threads, wd))

    print("[tiny] digits, 1 client, fresh random input per call", flush=True)
    for protocol in ("grpc", "http"):
        bench.interleave([(on, False), (mls, False), (kse, False)], digits, protocol, 1, "tiny")
    print("[cnn] ResNet-20, OIP gRPC, fresh random input per call", flush=True)

    def floor() -> None:  # the raw batched figure, measured among the rounds it is compared to
        floors.append(measure(resnet, 32, a.duration, a.threads))

    for clients in a.clients:
        bench.interleave(
            [(off, False), (on, False), (mls, False), (kse, False)],
            resnet,
            "grpc",
            clients,
            "cnn",
            between=floor,
        )
    floors.sort(key=lambda f: f.samples_per_s)
    res.inproc["resnet b32"] = median = floors[len(floors) // 2]
    res.meta["raw_b32_runs"] = len(floors)
    print(f"  raw onnxruntime b32, median of {len(floors)}: {median.samples_per_s:.0f} samples/s")
    print("[cache] digits, 1 client: same input (hits) vs fresh input (misses)", flush=True)
    bench.interleave([(cached, True)], digits, "grpc", 1, "cache hit")
    bench.interleave([(cached, False)], digits, "grpc", 1, "cache miss")
    bench.interleave([(cached, True)], resnet, "grpc", 1, "cache hit")
    if a.profile:
        bench.profile(on, resnet, 32, "cnn32", "ResNet-20, 32 clients, DLHub embedded, batching on")
        bench.profile(on, digits, 1, "tiny", "digits, 1 client, DLHub embedded")
    for system in (off, cached, mls, kse):
        bench.stop(system)

    replicas_clients = 32
    if dlhub.cli_supports(["up"], "--executors"):
        two = bench.start(
            "DLHub embedded, 2 executors",
            embedded(
                "DLHub embedded, 2 executors",
                "two",
                batching=True,
                cache=False,
                extra=("--executors", "2"),
            ),
        )
        bench.interleave([(on, False), (two, False)], resnet, "grpc", replicas_clients, "replicas")
        bench.stop(two)
    else:
        res.skipped.append("embedded 2 executors: `dlhub up --executors` is not available yet")

    if "distributed" in a.skip:
        res.skipped.append("distributed mode: skipped (--skip distributed)")
        return
    settings = dlhub.settings_for(batching=True, cache=False, threads=a.threads)
    mesh = dlhub.Distributed(wd / "distributed", settings)
    dist = bench.start(
        "DLHub distributed, 1 executor", lambda: mesh.start("DLHub distributed, 1 executor", models)
    )
    if dist is None:
        mesh.stop()
        return
    try:
        print("[modes] digits, 1 client: embedded vs distributed", flush=True)
        bench.interleave([(on, False), (dist, False)], digits, "grpc", 1, "mode")
        print(f"[replicas] ResNet-20, {replicas_clients} clients, distributed", flush=True)
        bench.interleave([(dist, False)], resnet, "grpc", replicas_clients, "replicas")
        try:
            mesh.add_executor()
        except Exception as exc:
            res.failures["DLHub distributed, 2 executors"] = f"{type(exc).__name__}: {exc}"[:400]
        else:
            time.sleep(3.0)  # let the consumer group rebalance onto the new member
            dist.name = "DLHub distributed, 2 executors"
            bench.interleave([(dist, False)], resnet, "grpc", replicas_clients, "replicas")
    finally:
        bench.live.remove(dist)
        mesh.stop()


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.render:
        results = load_results(args.render)
        paths = write_report(results, args.out)
        print(f"[bench] redrew {', '.join(map(str, paths))}", flush=True)
        return 0
    workdir = Path(tempfile.mkdtemp(prefix="dlhub-bench-serving-"))
    print(f"[bench] scratch and server logs in {workdir}", flush=True)
    bench = Bench(args, workdir)
    t0 = time.monotonic()
    try:
        run(args, bench)
    except KeyboardInterrupt:
        print("[bench] interrupted; writing what was measured", flush=True)
    finally:
        bench.close()
    bench.results.meta["wall_s"] = round(time.monotonic() - t0)
    paths = write_report(bench.results, args.out)
    wall = bench.results.meta["wall_s"]
    print(f"[bench] wrote {', '.join(map(str, paths))} in {wall}s", flush=True)
    if bench.results.failures or any(r.error for r in bench.results.rounds):
        print(f"[bench] server logs kept in {workdir}", flush=True)
    else:
        with contextlib.suppress(OSError):
            shutil.rmtree(workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
