"""``dlhub benchmark publish | run | leaderboard`` (docs/benchmarks.md)."""

from __future__ import annotations

import argparse
import functools
import json
from pathlib import Path
from typing import Any

from dlhub_common.errors import InvalidArgument
from dlhub_sdk.cli.connect import _client
from dlhub_sdk.cli.output import _print


def _metric(args: argparse.Namespace) -> str | dict[str, Any]:
    if args.metric_servable:
        if args.metric or args.higher_is_better is None:
            raise InvalidArgument(
                "--metric-servable needs --higher-is-better or --lower-is-better, and no --metric"
            )
        return {"servable": args.metric_servable, "higher_is_better": args.higher_is_better}
    if not args.metric:
        raise InvalidArgument(
            "give --metric (mae, rmse, r2, accuracy, macro_f1) or --metric-servable"
        )
    return str(args.metric)


def cmd_benchmark_publish(args: argparse.Namespace) -> int:
    from dlhub_sdk._benchmarks import Benchmark

    with _client(args) as client:
        if args.signature:
            like: Any = json.loads(Path(args.signature).read_text())
        else:
            like = client.describe_servable(args.like)
        bench = Benchmark.from_dir(
            args.name,
            args.data_dir,
            metric=_metric(args),
            like=like,
            output=args.output,
            batch_size=args.batch_size,
        )
        bench.set_title(args.title or f"Benchmark {args.name}")
        for author in args.author or ["DLHub user"]:
            bench.add_author(author)
        if args.description:
            bench.set_abstract(args.description)
        if args.visible_to:
            bench.set_visibility(args.visible_to)
        summary = client.publish_benchmark(bench)
    ref = f"{summary['owner']}/{summary['name']}"
    _print(args, summary, f"published benchmark {ref} version {summary['version']}")
    return 0


def _value(score: dict[str, Any]) -> str:
    return f"{score['value']:.6g}"


def run_text(result: dict[str, Any]) -> str:
    lines = [f"benchmark {result['benchmark']}"]
    rows = [f"{'SERVABLE':40} {'METRIC':10} {'SCORE':>12}  NOTE"]
    for o in result["outcomes"]:
        if "score" in o:
            s = o["score"]
            note = "stored score (scored before)" if o["already_scored"] else "scored now"
            rows.append(f"{o['servable']:40} {s['metric'][:10]:10} {_value(s):>12}  {note}")
        else:
            err = o.get("error", {})
            rows.append(
                f"{o['servable']:40} {'':10} {'-':>12}  {err.get('code')}: {err.get('message')}"
            )
    lines += rows if result["outcomes"] else ["no servable scored"]
    for s in result["skipped"]:
        lines.append(f"skipped {s['servable']}: {s['reason']}")
    return "\n".join(lines)


def cmd_benchmark_run(args: argparse.Namespace) -> int:
    if bool(args.servable) == bool(args.all):
        raise InvalidArgument("give --servable X or --all (one of them)")
    with _client(args) as client:
        result = client.score_benchmark(
            args.benchmark, args.servable, all=args.all, timeout=args.timeout
        )
    _print(args, result, run_text(result))
    return 1 if any("error" in o for o in result["outcomes"]) else 0


def leaderboard_text(board: dict[str, Any]) -> str:
    better = "higher is better" if board["higher_is_better"] else "lower is better"
    lines = [f"{board['benchmark']}: {board['title']} ({board['metric']}, {better})"]
    if not board["entries"]:
        return "\n".join([*lines, "(no scores you may see)"])
    lines.append(
        f"{'RANK':>4}  {'SERVABLE':36} {'VER':>4} {'SCORE':>12}  {'DOI':24} TITLE (AUTHORS)"
    )
    for e in board["entries"]:
        name = e["servable"].rsplit(":", 1)[0]
        lines.append(
            f"{e['rank']:>4}  {name:36} {e['version']:>4} {_value(e):>12}  {e['doi'] or '-':24}"
            f" {e['title']} ({'; '.join(e['authors'])})"
        )
    return "\n".join(lines)


def cmd_benchmark_leaderboard(args: argparse.Namespace) -> int:
    with _client(args) as client:
        board = client.leaderboard(args.benchmark, limit=args.limit)
    _print(args, board, leaderboard_text(board))
    return 0


def add_benchmark_commands(sub: Any, client_cmd: Any) -> None:
    """``dlhub benchmark ...`` under the top-level parser's ``sub``."""
    bench = sub.add_parser("benchmark", help="community benchmarks: publish, score, leaderboards")
    cmd = functools.partial(
        client_cmd, parent=bench.add_subparsers(dest="benchmark_command", required=True)
    )

    p = cmd("publish", "publish a data set and a metric as a benchmark")
    p.add_argument("data_dir", help="folder with inputs.npz + references.npy, or data.json")
    p.add_argument("--name", required=True, help="the benchmark's name")
    p.add_argument("--metric", help="mae, rmse, r2, accuracy or macro_f1")
    p.add_argument("--metric-servable", help="owner/name:version of a python metric function")
    direction = p.add_mutually_exclusive_group()
    direction.add_argument(
        "--higher-is-better", dest="higher_is_better", action="store_const", const=True
    )
    direction.add_argument(
        "--lower-is-better", dest="higher_is_better", action="store_const", const=False
    )
    signature = p.add_mutually_exclusive_group(required=True)
    signature.add_argument("--like", help="compete on this servable's signature (owner/name[:v])")
    signature.add_argument("--signature", help='a JSON file {"input": ..., "output": ...}')
    p.add_argument("--output", help="the model output compared (when there are several)")
    p.add_argument("--batch-size", type=int, default=64, help="examples per run (default 64)")
    p.add_argument("--title", help="the benchmark's title")
    p.add_argument("--author", action="append", help="an author, 'Family, Given' (repeatable)")
    p.add_argument("--description", help="the abstract")
    p.add_argument("--visible-to", nargs="+", help="who may see it (default public)")
    p.set_defaults(func=cmd_benchmark_publish)

    p = cmd("run", "score a servable (or every fitting one) on a benchmark")
    p.add_argument("benchmark", help="owner/name[:version]")
    p.add_argument("--servable", help="owner/name[:version] to score")
    p.add_argument("--all", action="store_true", help="every servable you may see that fits")
    p.add_argument("--timeout", type=float, default=600.0, help="seconds (default 600)")
    p.set_defaults(func=cmd_benchmark_run)

    p = cmd("leaderboard", "a benchmark's ranked scores (only servables you may see)")
    p.add_argument("benchmark", help="owner/name[:version]")
    p.add_argument("--limit", type=int, default=0, help="most entries (default 100)")
    p.set_defaults(func=cmd_benchmark_leaderboard)
