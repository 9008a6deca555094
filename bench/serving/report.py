"""Tables (markdown) and plots (PNG) of one serving benchmark run."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.serving.inproc import InProcess
from bench.serving.profile import Profile
from bench.serving.runner import Round, merge

DLHUB_ON = "DLHub embedded, batching on"
DLHUB_OFF = "DLHub embedded, batching off"
PEERS = ("MLServer 1.7.1", "KServe 0.21.0")


@dataclass
class Results:
    meta: dict[str, Any]
    inproc: dict[str, InProcess] = field(default_factory=dict)
    rounds: list[Round] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)  # system -> why it did not run
    skipped: list[str] = field(default_factory=list)
    profiles: list[Profile] = field(default_factory=list)

    def merged(self, tag: str) -> list[Round]:
        """Rounds of one table, one row per (system, model, protocol, clients), in run order."""
        groups: dict[tuple[str, str, str, int], list[Round]] = {}
        for r in self.rounds:
            if r.tag == tag:
                groups.setdefault((r.system, r.model, r.protocol, r.concurrency), []).append(r)
        return [merge(g) for g in groups.values()]

    def find(self, tag: str, system: str, clients: int) -> Round | None:
        return next(
            (r for r in self.merged(tag) if r.system == system and r.concurrency == clients), None
        )


def _f(x: float, digits: int = 2) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def _status(r: Round) -> str:
    if r.requests == 0:
        return f"failed: {r.error[:160]}" if r.error else "no requests"
    if r.errors:
        return f"{r.errors} errors ({r.error[:120]})"
    if any(not shape for shape in r.outputs.values()):
        return "empty outputs"
    return "ok"


def _table(header: list[str], rows: Iterable[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return [*out, ""]


def _protocol(p: str) -> str:
    return {"grpc": "OIP gRPC", "http": "OIP REST (JSON)"}.get(p, p)


def markdown(res: Results) -> str:
    m = res.meta
    lines = [
        "# DLHub serving benchmark",
        "",
        f"{m['date']} on {m['host']}, commit {m.get('commit', '?')};"
        f" {m['reps']} interleaved round(s) of {m['duration_s']} s"
        f" (+{m['warmup_s']} s warm-up) per row{'; --quick' if m['quick'] else ''};"
        f" onnxruntime intra-op threads {m['ort_threads']} everywhere;"
        f" wall {m.get('wall_s', '?')} s.",
        "",
        "One client for every system: `bench/serving/loadgen.py`, tritonclient asyncio,"
        " N concurrent callers, each sending **fresh random input per call** (so only the"
        " cache rows can be answered from a cache; DLHub's other meshes also run with"
        " `DLHUB_CACHE__ENABLED=false`). Latencies in ms at the client; **server CPU** is"
        " utime+stime of the server's process group(s) from /proc over the round, divided"
        " by requests. p50/p90/p99 are medians over rounds.",
        "",
    ]
    lines += _targets(res) + _tiny(res) + _cnn(res) + _ratios(res) + _cache(res) + _modes(res)
    lines += _profiles(res)
    if res.failures or res.skipped:
        lines += ["## Not measured", ""]
        lines += _table(
            ["system / row", "why"],
            [[k, v.replace("|", "/")] for k, v in res.failures.items()]
            + [[s.split(":")[0], s.split(":", 1)[-1].strip()] for s in res.skipped],
        )
    return "\n".join(lines)


def _row(r: Round, *extra: str) -> list[str]:
    return [
        r.system,
        _protocol(r.protocol),
        str(r.concurrency),
        _f(r.rps, 0),
        _f(r.p50),
        _f(r.p90),
        _f(r.p99),
        *extra,
        _f(r.cpu_ms_per_request, 3),
        _status(r),
    ]


def _over(row: list[str], r: Round, model_cpu: float) -> list[str]:
    """``row`` with the server's CPU per request above the model's own and the client's
    CPU per request, before the status."""
    over = _f(r.cpu_ms_per_request - model_cpu, 3)
    client = _f(r.client_cpu_ms_per_request, 3) if r.client_cpu_s else "—"
    return [*row[:-1], over, client, row[-1]]


OVER = "CPU over in-process ms/req"
CLIENT = "client CPU ms/req"


def _tiny(res: Results) -> list[str]:
    floor = res.inproc.get("digits")
    lines = ["## 1. Tiny model (digits, FP32 [1, 64]), 1 client", ""]
    head = ["system", "path", "clients", "req/s", "p50", "p90", "p99", "p50 - in-process"]
    rows = []
    if floor:
        rows.append(
            [floor.label, "session.run", "1", _f(floor.samples_per_s, 0), _f(floor.p50, 3), "",
             _f(floor.p99, 3), "0", _f(floor.cpu_ms_per_sample, 3), "0", "—", "ok"]
        )  # fmt: skip
    base = floor.p50 if floor else float("nan")
    model_cpu = floor.cpu_ms_per_sample if floor else float("nan")
    rows += [_over(_row(r, _f(r.p50 - base)), r, model_cpu) for r in res.merged("tiny")]
    return lines + _table([*head, "server CPU ms/req", OVER, CLIENT, "status"], rows)


def _cnn(res: Results) -> list[str]:
    raw = res.inproc.get("resnet b32")
    one = res.inproc.get("resnet b1")
    lines = ["## 2. CNN (ResNet-20, random weights, FP32 [1, 3, 32, 32]), OIP gRPC", ""]
    if raw and one:
        lines += [
            f"Raw onnxruntime in-process (median of {res.meta.get('raw_b32_runs', 1)} runs,"
            " measured between the rounds below): batch 32 →"
            f" **{raw.samples_per_s:.0f} samples/s**"
            f" ({raw.p50:.2f} ms per batch, {raw.cpu_ms_per_sample:.3f} ms CPU/sample);"
            f" batch 1 → {one.samples_per_s:.0f} samples/s ({one.p50:.3f} ms per call).",
            "",
        ]
    base = raw.samples_per_s if raw else float("nan")
    model_cpu = raw.cpu_ms_per_sample if raw else float("nan")  # the model at its cheapest
    rows = [_over(_row(r, _f(100 * r.rps / base, 0)), r, model_cpu) for r in res.merged("cnn")]
    rows.sort(key=lambda row: int(row[2]))
    head = ["system", "path", "clients", "req/s", "p50", "p90", "p99", "% of raw b32"]
    lines += [
        f"`{OVER}`: server CPU per request less the CPU of one sample in raw batch-32"
        f" onnxruntime, i.e. what serving adds. `{CLIENT}`: the load generator's own CPU,"
        " spent on the same cores: server + client CPU per request bounds throughput here"
        " (2 cores / their sum), whatever the server does.",
        "",
    ]
    return lines + _table([*head, "server CPU ms/req", OVER, CLIENT, "status"], rows)


def _ratios(res: Results) -> list[str]:
    clients = 32
    rows = []
    for ours in (DLHUB_ON, DLHUB_OFF):
        a = res.find("cnn", ours, clients)
        for peer in PEERS:
            b = res.find("cnn", peer, clients)
            if a is None or b is None or not a.requests or not b.requests:
                continue
            rows.append(
                [f"{ours} / {peer}", f"{a.rps / b.rps:.2f}x", f"{a.p99 / b.p99:.2f}x",
                 f"{a.cpu_ms_per_request / b.cpu_ms_per_request:.2f}x"]
            )  # fmt: skip
    tiny = res.merged("tiny")
    for proto in ("grpc", "http"):
        a = next((r for r in tiny if r.system == DLHUB_ON and r.protocol == proto), None)
        for peer in PEERS:
            b = next((r for r in tiny if r.system == peer and r.protocol == proto), None)
            if a is None or b is None or not a.requests or not b.requests:
                continue
            rows.append(
                [f"digits {_protocol(proto)}, 1 client: DLHub / {peer}", f"{a.rps / b.rps:.2f}x",
                 f"{a.p99 / b.p99:.2f}x", f"{a.cpu_ms_per_request / b.cpu_ms_per_request:.2f}x"]
            )  # fmt: skip
    lines = [
        f"## Ratios (CNN at {clients} clients unless named; throughput > 1 and"
        " p99, CPU < 1 are better for DLHub)",
        "",
    ]
    if not rows:
        return [*lines, "(no pair of DLHub and peer rows to compare)", ""]
    return lines + _table(["pair", "throughput", "p99", "server CPU/req"], rows)


def _cache(res: Results) -> list[str]:
    rows = [
        [f"{r.tag} ({r.model})", *_row(r)[1:]]
        for r in res.merged("cache hit") + res.merged("cache miss")
    ]
    if not rows:
        return []
    lines = ["## 3a. Result cache at the gateway (DLHub embedded, cache on), OIP gRPC", ""]
    head = ["input", "path", "clients", "req/s", "p50", "p90", "p99"]
    return lines + _table([*head, "server CPU ms/req", "status"], rows)


def _modes(res: Results) -> list[str]:
    lines: list[str] = []
    mode = res.merged("mode")
    if mode:
        floor = res.inproc.get("digits")
        base = floor.p50 if floor else float("nan")
        lines += ["## 3b. Embedded vs distributed (Kafka), digits, 1 client, OIP gRPC", ""]
        head = ["system", "path", "clients", "req/s", "p50", "p90", "p99", "p50 - in-process"]
        lines += _table(
            [*head, "of which Kafka ms/req", "server CPU ms/req", "status"],
            [_row(r, _f(r.p50 - base), _kafka(r)) for r in mode],
        )
    reps = res.merged("replicas")
    if reps:
        lines += ["## 3c. Executor replicas on one hot servable (ResNet-20), OIP gRPC", ""]
        head = ["system", "path", "clients", "req/s", "p50", "p90", "p99"]
        lines += _table(
            [*head, "of which Kafka ms/req", "server CPU ms/req", "status"],
            [_row(r, _kafka(r)) for r in reps],
        )
    return lines


def _profiles(res: Results) -> list[str]:
    if not res.profiles:
        return []
    lines = [
        "## Where the time goes (py-spy, DLHub embedded)",
        "",
        "Sampled at 100 Hz over every thread of `dlhub up` and its children during one extra"
        " round (not in the tables above). Samples whose innermost frame is a wait (event loop"
        " in epoll, idle thread pool, grpc poller) are counted apart; the percentages are of the"
        " other (busy) samples. Raw collapsed stacks: `profile_<name>.txt` next to this file.",
        "",
    ]
    for p in res.profiles:
        lines += [
            f"### {p.name}: {p.what} ({p.samples} samples, {p.waiting_pct:.0f}% waiting)",
            "",
        ]
        if p.error:
            lines += [f"py-spy failed: {p.error}", ""]
            continue
        rows = [[f"{pct:.1f}%", frame.replace("|", "/")] for frame, pct in p.self_top]
        lines += _table(["self", "function (where the sample was taken)"], rows)
        rows = [[f"{pct:.1f}%", frame.replace("|", "/")] for frame, pct in p.inclusive_top]
        lines += _table(["inclusive", "DLHub / grpc function (anywhere on the stack)"], rows)
    return lines


def _kafka(r: Round) -> str:
    return _f(r.helper_cpu_ms_per_request, 3) if r.helper_cpu_s else "-"


def _targets(res: Results) -> list[str]:
    """Issue #7's targets, each with what this run reached."""
    rows: list[list[str]] = []
    floor = res.inproc.get("digits")
    base = floor.p50 if floor else float("nan")

    def add(measure: str, target: str, reached: str, ok: bool | None) -> None:
        rows.append([measure, target, reached, "—" if ok is None else ("met" if ok else "missed")])

    tiny = next(
        (r for r in res.merged("tiny") if r.system == DLHUB_ON and r.protocol == "grpc"), None
    )
    if tiny and tiny.requests:
        over = tiny.p50 - base
        add(
            "tiny model, embedded (OIP gRPC)",
            "<= 1 ms p50 over in-process",
            f"{over:.2f} ms",
            over <= 1,
        )
    dist = next((r for r in res.merged("mode") if "distributed" in r.system and r.requests), None)
    if dist:
        over = dist.p50 - base
        add(
            "tiny model, distributed (Kafka)",
            "<= 5 ms p50 over in-process",
            f"{over:.2f} ms",
            over <= 5,
        )
    raw = res.inproc.get("resnet b32")
    on = res.find("cnn", DLHUB_ON, 32)
    if raw and on and on.requests:
        pct = 100 * on.rps / raw.samples_per_s
        add(
            "CNN, batching on, 32 clients",
            ">= 90% of raw batched onnxruntime",
            f"{pct:.0f}%",
            pct >= 90,
        )
    for peer in PEERS:
        b = res.find("cnn", peer, 32)
        if on and on.requests and b and b.requests:
            ratio = on.rps / b.rps
            reached = f"{ratio:.2f}x throughput, p99 {on.p99:.0f} vs {b.p99:.0f} ms"
            add(f"vs {peer}, CNN 32 clients", ">= 2x throughput at <= their p99", reached,
                ratio >= 2 and on.p99 <= b.p99)  # fmt: skip
    hit = next((r for r in res.merged("cache hit") if r.model == "digits" and r.requests), None)
    if hit:
        add("cache hit (digits, gateway)", "<= 0.5 ms p50", f"{hit.p50:.2f} ms p50", hit.p50 <= 0.5)
    if not rows:
        return []
    return ["## Targets (issue #7)", "", *_table(["measure", "target", "reached", "status"], rows)]


def plots(res: Results, out: Path) -> list[Path]:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    paths: list[Path] = []
    cnn = res.merged("cnn")
    systems = list(dict.fromkeys(r.system for r in cnn))
    raw = res.inproc.get("resnet b32")
    for metric, ylabel, name in (
        ("rps", "throughput (req/s)", "cnn_throughput.png"),
        ("p99", "p99 latency (ms, log)", "cnn_p99.png"),
    ):
        fig, ax = plt.subplots(figsize=(7, 4))
        for system in systems:
            pts = sorted((r.concurrency, getattr(r, metric)) for r in cnn if r.system == system)
            pts = [(c, v) for c, v in pts if v and not math.isnan(v)]
            if pts:
                ax.plot(*zip(*pts, strict=True), marker="o", label=system)
        if metric == "rps" and raw:
            ax.axhline(raw.samples_per_s, ls="--", c="grey", label="onnxruntime in-process, b32")
        if metric == "p99":
            ax.set_yscale("log")
        ax.set_xscale("log", base=2)
        ticks = sorted({r.concurrency for r in cnn})
        ax.set_xticks(ticks, [str(t) for t in ticks])
        ax.set_xlabel("concurrent clients")
        ax.set_ylabel(ylabel)
        ax.set_title("ResNet-20 over OIP gRPC")
        ax.legend(fontsize=7)
        fig.tight_layout()
        paths.append(out / name)
        fig.savefig(paths[-1], dpi=110)
        plt.close(fig)

    bars = [(f"{r.system}\n{_protocol(r.protocol)}", r) for r in res.merged("tiny") if r.requests]
    bars += [(f"{r.system}\ndistributed row", r) for r in res.merged("mode") if r.requests]
    if bars:
        fig, ax = plt.subplots(figsize=(8, 0.45 * len(bars) + 1.5))
        labels = [b[0] for b in bars]
        ys = range(len(bars))
        ax.barh([y - 0.2 for y in ys], [b[1].p50 for b in bars], 0.4, label="p50")
        ax.barh([y + 0.2 for y in ys], [b[1].p99 for b in bars], 0.4, label="p99")
        floor = res.inproc.get("digits")
        if floor:
            ax.axvline(floor.p50, ls="--", c="grey", label="in-process p50")
        ax.set_yticks(list(ys), labels, fontsize=7)
        ax.set_xscale("log")
        ax.set_xlabel("latency (ms, log)")
        ax.set_title("digits, 1 client")
        ax.legend(fontsize=7)
        fig.tight_layout()
        paths.append(out / "tiny_latency.png")
        fig.savefig(paths[-1], dpi=110)
        plt.close(fig)

    cpu = [r for r in cnn if r.concurrency == 32 and r.requests]
    if cpu:
        fig, ax = plt.subplots(figsize=(7, 3.5))
        ax.bar(range(len(cpu)), [r.cpu_ms_per_request for r in cpu])
        ax.set_xticks(range(len(cpu)), [r.system.replace(", ", "\n") for r in cpu], fontsize=7)
        ax.set_ylabel("server CPU ms per request")
        ax.set_title("ResNet-20, 32 clients")
        fig.tight_layout()
        paths.append(out / "cpu_per_request.png")
        fig.savefig(paths[-1], dpi=110)
        plt.close(fig)
    return paths


def load_results(path: Path) -> Results:
    """A run's serving.json back as Results (to redraw tables and plots without measuring)."""
    data = json.loads(path.read_text())
    return Results(
        meta=data["meta"],
        inproc={k: InProcess(**v) for k, v in data["inproc"].items()},
        rounds=[Round(**r) for r in data["rounds"]],
        failures=data["failures"],
        skipped=data["skipped"],
        profiles=[
            Profile(
                **{
                    **p,
                    "self_top": [tuple(x) for x in p["self_top"]],
                    "inclusive_top": [tuple(x) for x in p["inclusive_top"]],
                }
            )
            for p in data.get("profiles", [])
        ],
    )


def write_report(res: Results, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    md = out / "serving.md"
    md.write_text(markdown(res))
    raw = out / "serving.json"
    raw.write_text(
        json.dumps(
            {
                "meta": res.meta,
                "inproc": {k: asdict(v) for k, v in res.inproc.items()},
                "rounds": [asdict(r) for r in res.rounds],
                "failures": res.failures,
                "skipped": res.skipped,
                "profiles": [asdict(p) for p in res.profiles],
            },
            indent=1,
            default=str,
        )
    )
    print(md.read_text())
    return [md, raw, *plots(res, out)]
