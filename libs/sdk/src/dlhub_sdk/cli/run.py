"""Running servables and following work: run, status (tasks and publish jobs), cancel,
bundle."""

from __future__ import annotations

import argparse
import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from dlhub_common.errors import InvalidArgument
from dlhub_sdk.cli.connect import _client
from dlhub_sdk.cli.human import render, table
from dlhub_sdk.cli.output import _jsonable, _print, _warn


def _load_inputs(args: argparse.Namespace) -> Any:
    if args.npy:
        arrays = {}
        for spec in args.npy:
            name, _, path = spec.rpartition("=")
            arrays[name or "input"] = np.load(path, allow_pickle=False)
        return arrays if len(arrays) > 1 or "input" not in arrays else arrays["input"]
    text = args.inputs
    if args.inputs_file:
        text = Path(args.inputs_file).read_text()
    if text is None:
        raise InvalidArgument("give --inputs JSON, --inputs-file or --npy")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise InvalidArgument(f"inputs are not valid JSON: {exc}") from None


def cmd_run(args: argparse.Namespace) -> int:
    inputs = _load_inputs(args)
    with _client(args) as client, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DeprecationWarning)
        try:
            result = client.run(
                args.servable,
                inputs,
                asynchronous=args.asynchronous,
                version=args.version,
                timeout=args.timeout,
                outputs=args.output or (),
                labelled=args.labelled,
            )
        finally:
            for w in caught:
                _warn(str(w.message))
        if args.asynchronous:
            _print(args, {"task_id": result.task_id}, result.task_id)
            return 0
    if args.labelled:  # one {class: probability} per row
        _print(args, result, "\n".join(json.dumps(row) for row in result))
        return 0
    if not _is_arrays(result):  # a python servable: its JSON result
        _print(args, result, json.dumps(result, default=_jsonable))
        return 0
    data = {k: v.tolist() for k, v in result.items()}
    _print(
        args, data, "\n".join(f"{k}: {json.dumps(v, default=_jsonable)}" for k, v in data.items())
    )
    return 0


def _is_arrays(result: Any) -> bool:
    """Tensor outputs (name -> array) rather than a python servable's JSON value."""
    return isinstance(result, dict) and all(isinstance(v, np.ndarray) for v in result.values())


def cmd_status(args: argparse.Namespace) -> int:
    if args.task_id.startswith("pub-"):  # a publish job, not a task
        with _client(args) as client:
            job = client.get_publish_status(args.task_id)
        _print(args, job, _job_text(job))
        return 0 if job["state"] != "FAILED" else 1
    with _client(args) as client:
        status = client.get_task_status(args.task_id)
        if status["state"] == "SUCCEEDED" and args.result:
            result = client.get_result(args.task_id)
            if _is_arrays(result):
                status["outputs"] = {k: v.tolist() for k, v in result.items()}
            else:
                status["output"] = result
    _print(args, status, json.dumps(status, indent=2, default=_jsonable))
    return 0


def cmd_publish_jobs(args: argparse.Namespace) -> int:
    with _client(args) as client:
        listed = client.list_publish_jobs(
            state=args.state, name=args.name, limit=args.limit, offset=args.offset
        )
    jobs = listed["jobs"]
    rows = [
        [
            j["id"],
            j["state"],
            f"{j['servable']['owner']}/{j['servable']['name']}:{j['servable']['version']}"
            if j.get("servable")
            else "",
            j["started_at"],
            j.get("error_code") or "",
        ]
        for j in jobs
    ]
    columns = [("JOB", "left"), ("STATE", "left"), ("SERVABLE", "left"),
               ("STARTED", "left"), ("ERROR", "left")]  # fmt: skip
    shown = f"{len(jobs)} of {listed['total']}" if listed["total"] > len(jobs) else ""
    text = render(table(columns, rows)) if rows else "(none)"
    if shown:
        text += f"\n{shown} (--offset/--limit for more; dlhub status <job> shows its log)"
    _print(args, listed, text)
    return 0


def cmd_cancel(args: argparse.Namespace) -> int:
    with _client(args) as client:
        status = client.cancel_task(args.task_id)
    _print(args, status, f"task {status['task_id']}: {status['state']}")
    return 0


def cmd_bundle(args: argparse.Namespace) -> int:
    with _client(args) as client:
        out = client.download_bundle(args.servable, args.out, args.version)
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    _print(
        args,
        {"dir": str(out), "files": files},
        f"bundle of {args.servable} in {out}:\n"
        + "\n".join(f"  {f}" for f in files)
        + f"\nbuild its executor image with: docker build -t <tag> {out}",
    )
    return 0


def _job_text(job: dict[str, Any]) -> str:
    ref = job.get("servable")
    lines = [
        f"publish job {job['id']}: {job['state']}",
        f"  started {job['started_at']}"
        + (f", finished {job['finished_at']}" if job.get("finished_at") else ""),
    ]
    if ref:
        lines.append(f"  servable {ref['owner']}/{ref['name']}:{ref['version']}")
    lines.append("log:")
    lines += [f"  {line}" for line in job.get("log", [])]
    return "\n".join(lines)
