"""``dlhub retrain owner/name | jobs owner/name | show JOB``: retraining (docs/retraining.md)."""

from __future__ import annotations

import argparse
from typing import Any

from dlhub_sdk.cli.connect import _client
from dlhub_sdk.cli.output import _print


def _line(job: dict[str, Any]) -> str:
    s = job["servable"]
    text = f"{job['id']}  {s['owner']}/{s['name']}:{s['version']}  {job['trigger']}  {job['state']}"
    if job.get("version"):
        text += f" -> version {job['version']}"
    if job.get("score"):
        text += f"  ({job['score']['metric']} {job['score']['candidate']:.6g}"
        text += f" vs {job['score']['previous']:.6g})"
    if job.get("error"):
        text += f"  {job['error_code']}: {job['error']}"
    return text


def _detail(job: dict[str, Any]) -> str:
    lines = [_line(job)]
    if job.get("score"):
        lines.append(job["score"]["reason"])
    if job["data"]["digest"]:
        lines.append(f"data {job['data']['digest']}: {', '.join(job['data']['objects'])}")
    for f in job["candidate"]:
        lines.append(f"candidate file {f['path']} ({f['size']} bytes, sha256 {f['sha256']})")
    lines += [f"  {ln}" for ln in job["log"]]
    if job.get("traceback"):
        lines += ["traceback:", job["traceback"].rstrip()]
    return "\n".join(lines)


def cmd_retrain(args: argparse.Namespace) -> int:
    if args.target == "jobs":
        with _client(args) as client:
            jobs = client.list_retrain_jobs(_need(args), limit=args.limit)
        _print(args, jobs, "\n".join(_line(j) for j in jobs) or "no retrain jobs")
        return 0
    if args.target == "show":
        with _client(args) as client:
            job = client.get_retrain_job(_need(args))
        _print(args, job, _detail(job))
        return 0 if job["state"] != "FAILED" else 1
    with _client(args) as client:
        job = client.retrain(args.target)
        merged = job.pop("merged")
        if args.wait and not merged:
            job = client.wait_retrain_job(job["id"], timeout_s=args.timeout)
    note = "  (merged: one more job runs after it)" if merged else ""
    _print(args, {**job, "merged": merged}, (_detail(job) if args.wait else _line(job)) + note)
    return 0 if job["state"] != "FAILED" else 1


def _need(args: argparse.Namespace) -> str:
    if not args.arg:
        wanted = "owner/name" if args.target == "jobs" else "a job id"
        raise SystemExit(f"dlhub retrain {args.target}: give {wanted}")
    return str(args.arg)


def add_retrain_commands(sub: Any, client_cmd: Any) -> None:
    """``dlhub retrain ...`` under the top-level parser's ``sub``."""
    p = client_cmd(
        "retrain",
        "retrain a servable with its training recipe (owner/name), list its jobs"
        " (jobs owner/name) or show one (show rtj-...)",
    )
    p.add_argument("target", help="owner/name, or 'jobs' or 'show'")
    p.add_argument("arg", nargs="?", help="jobs: owner/name; show: the job id")
    p.add_argument("--wait", action="store_true", help="wait for the job to end and show it")
    p.add_argument("--timeout", type=float, default=600.0, help="--wait: seconds (default 600)")
    p.add_argument("--limit", type=int, default=50, help="jobs: how many (default 50)")
    p.set_defaults(func=cmd_retrain)
