"""The ``dlhub`` command: run the mesh, publish, search, describe and run servables.

Every client command takes ``--json`` for scripts. Errors print one line
(``error: CODE: message``) and exit with status 1 (2 for usage errors).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from dlhub_common.errors import DLHubError, InvalidArgument

SERVICES = ("registry", "search", "taskmanager", "executor", "gateway")


def _client(args: argparse.Namespace) -> Any:
    from dlhub_sdk.client import DLHubClient

    return DLHubClient(
        args.address,
        args.token,
        timeout=getattr(args, "timeout", 60.0),
        http=getattr(args, "http", None),
    )


def _print(args: argparse.Namespace, data: Any, human: str) -> None:
    if args.json:
        print(json.dumps(data, indent=2, default=_jsonable))
    else:
        print(human)


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "(none)"
    lines = [f"{'SERVABLE':40} {'VER':>4}  {'TYPE':6} TITLE"]
    for r in rows:
        ref = f"{r['owner']}/{r['name']}"
        lines.append(f"{ref:40} {r['version']:>4}  {r['servable_type']:6} {r['title']}")
    return "\n".join(lines)


class ProgressBar:
    """A one-line text progress bar with throughput, redrawn at most 10 times a second."""

    WIDTH = 30

    def __init__(self, stream: Any, *, interval_s: float = 0.1) -> None:
        import time

        self._clock = time.monotonic
        self.stream = stream
        self.interval_s = interval_s
        self.started = self._clock()
        self._drawn = 0.0
        self._last: tuple[int, int] | None = None

    def __call__(self, done: int, total: int) -> None:
        self._last = (done, total)
        now = self._clock()
        if done < total and now - self._drawn < self.interval_s:
            return
        self._drawn = now
        self.stream.write("\r" + self.render(done, total, now - self.started))
        self.stream.flush()

    @classmethod
    def render(cls, done: int, total: int, elapsed_s: float) -> str:
        frac = min(done / total, 1.0) if total else 1.0
        filled = int(frac * cls.WIDTH)
        rate = done / elapsed_s if elapsed_s > 0 else 0.0
        mib = 1 << 20
        return (
            f"[{'#' * filled}{'.' * (cls.WIDTH - filled)}] {frac * 100:5.1f}%"
            f" {done / mib:,.1f}/{total / mib:,.1f} MiB {rate / mib:,.1f} MiB/s"
        )

    def close(self) -> None:
        if self._last is not None:
            done, total = self._last
            self.stream.write("\r" + self.render(done, total, self._clock() - self.started) + "\n")
            self.stream.flush()


# ---------------------------------------------------------------- commands


def cmd_up(args: argparse.Namespace) -> int:
    from dlhub_common.telemetry import configure_logging
    from dlhub_common.tracing import configure_tracing
    from dlhub_sdk.mesh import run_mesh

    settings = _settings(args)
    configure_logging(settings.log_level)
    configure_tracing("mesh", settings.tracing.exporter, settings.tracing.otlp_endpoint)
    return asyncio.run(run_mesh(settings, user=args.user, example=args.example))


def cmd_serve(args: argparse.Namespace) -> int:
    from dlhub_common.telemetry import configure_logging
    from dlhub_common.tracing import configure_tracing
    from dlhub_sdk.mesh import run_service

    settings = _settings(args)
    configure_logging(settings.log_level)
    configure_tracing(args.service, settings.tracing.exporter, settings.tracing.otlp_endpoint)
    return asyncio.run(run_service(args.service, settings))


def _settings(args: argparse.Namespace) -> Any:
    import os

    from dlhub_common.settings import Settings

    if getattr(args, "data_dir", None):
        os.environ["DLHUB_DATA_DIR"] = str(args.data_dir)
    overrides: dict[str, Any] = {}
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = Path(args.data_dir)
    try:
        return Settings(**overrides)
    except Exception as exc:  # pydantic ValidationError names every bad setting
        raise SystemExit(f"error: bad settings: {exc}") from None


MODEL_TYPES = ("onnx", "sklearn", "torchscript", "torch_export", "python")
SKLEARN_SUFFIXES = (".joblib", ".pkl", ".pickle")
SUFFIX_TYPES = {
    ".onnx": "onnx",
    ".pt": "torchscript",
    ".pt2": "torch_export",
    ".py": "python",
    **dict.fromkeys(SKLEARN_SUFFIXES, "sklearn"),
}
TORCH_TYPES = ("torchscript", "torch_export")
# publish options that only one kind of model takes: (flag, attribute, kinds)
TYPE_OPTIONS = (
    ("--n-features", "n_features", ("sklearn",)),
    ("--sample-input", "sample_input", ("sklearn",)),
    ("--input-shape", "input_shape", TORCH_TYPES),
    ("--input-dtype", "input_dtype", TORCH_TYPES),
    ("--input-name", "input_name", TORCH_TYPES),
    ("--output-name", "output_name", TORCH_TYPES),
    ("--function", "function", ("python",)),
    ("--input-type", "input_type", ("python",)),
    ("--output-type", "output_type", ("python",)),
    ("--requirements", "requirements", ("python",)),
    ("--python", "python", ("python",)),
    ("--file", "file", ("python",)),  # with --metadata, --file names the artifacts
)


def _model_type(args: argparse.Namespace) -> str:
    """--type, or what the file name says (.onnx, .joblib/.pkl/.pickle, .pt, .pt2, .py);
    onnx for any other suffix."""
    if args.type:
        return str(args.type)
    return SUFFIX_TYPES.get(Path(args.model).suffix.lower(), "onnx")


def _check_options(args: argparse.Namespace, kind: str) -> None:
    """Refuse options that do not apply to ``kind``, naming them."""
    for kinds in dict.fromkeys(k for _, _, k in TYPE_OPTIONS):
        if kind in kinds:
            continue
        given = [
            flag
            for flag, attr, k in TYPE_OPTIONS
            if k == kinds and getattr(args, attr, None) not in (None, [])
        ]
        if given:
            raise InvalidArgument(
                f"{', '.join(given)}: these options apply to --type {'/'.join(kinds)} only"
                f" (this model is --type {kind})"
            )


def _shape(text: str) -> list[int]:
    try:
        dims = [int(d) for d in text.replace("x", ",").split(",") if d.strip()]
    except ValueError:
        raise InvalidArgument(f"--input-shape {text!r}: give sizes like 1,1,8,8") from None
    if not dims:
        raise InvalidArgument(f"--input-shape {text!r}: give sizes like 1,1,8,8")
    return dims


def _type_option(flag: str, text: str | None) -> Any:
    """A DLHub type from JSON (``{"type": "list", ...}``) or a bare name (``number``)."""
    if text is None:
        return "any"
    try:
        spec = json.loads(text)
    except ValueError:
        return text.strip()
    if not isinstance(spec, dict | str):
        raise InvalidArgument(f"{flag}: give a DLHub type as JSON, or a type name like number")
    return spec


def _model_builder(args: argparse.Namespace) -> Any:
    from dlhub_sdk.models import OnnxServable, ScikitLearnServable

    kind = _model_type(args)
    _check_options(args, kind)
    if kind == "sklearn":
        sample = None
        if args.sample_input:
            try:
                sample = np.load(args.sample_input, allow_pickle=False)
            except (OSError, ValueError) as exc:
                raise InvalidArgument(f"--sample-input {args.sample_input}: {exc}") from None
        return ScikitLearnServable(
            args.model, name=args.name, n_features=args.n_features, sample_input=sample
        )
    if kind in TORCH_TYPES:
        from dlhub_sdk.models import TorchServable

        if not args.input_shape:
            raise InvalidArgument(
                f"--type {kind} needs --input-shape (e.g. 1,1,8,8), once per forward() argument"
            )
        return TorchServable.from_file(
            args.model,
            [_shape(s) for s in args.input_shape],
            args.name,
            kind="torchscript" if kind == "torchscript" else "export",
            input_dtypes=args.input_dtype or ("float32",),
            input_names=args.input_name,
            output_names=args.output_name,
        )
    if kind == "python":
        from dlhub_sdk.models import PythonStaticMethodServable

        if not args.function:
            raise InvalidArgument("--type python needs --function, the function to publish")
        if args.requirements and not Path(args.requirements).is_file():
            raise InvalidArgument(f"--requirements {args.requirements} is not a readable file")
        builder = PythonStaticMethodServable.from_function(
            args.model,
            args.function,
            input_type=_type_option("--input-type", args.input_type),
            output_type=_type_option("--output-type", args.output_type),
            requirements_file=args.requirements,
            python=args.python,
            name=args.name,
        )
        for spec in args.file or []:
            path, _, local = spec.partition("=")
            if not Path(local or path).is_file():
                raise InvalidArgument(f"--file {spec}: {local or path} is not a readable file")
            builder.add_file(local or path, path if local else None)
        return builder
    return OnnxServable(args.model, name=args.name)


def cmd_publish(args: argparse.Namespace) -> int:
    files: dict[str, str] = {}
    if args.metadata:
        metadata = json.loads(Path(args.metadata).read_text())
        for spec in args.file or []:
            path, _, local = spec.partition("=")
            files[path] = local or path
        model: Any = metadata
    else:
        if not args.model:
            raise InvalidArgument("give a model file, or --metadata with --file")
        if not args.author:
            raise InvalidArgument("give at least one --author 'Name; Affiliation'")
        builder = _model_builder(args)
        builder.set_title(args.title or builder._dlhub["name"])
        for author in args.author:
            name, _, affiliation = author.partition(";")
            builder.add_author(name.strip(), affiliation.strip() or None)
        if args.description:
            builder.set_abstract(args.description)
        if args.domain:
            builder.set_domains(args.domain)
        for doi in args.doi or []:
            builder.add_related_identifier(doi)
        if args.visible_to:
            builder.set_visibility(args.visible_to)
        model = builder
    show = args.progress if args.progress is not None else sys.stderr.isatty()
    bar = ProgressBar(sys.stderr) if show else None
    with _client(args) as client:
        try:
            summary = client.publish_servable(model, files or None, progress=bar)
        finally:
            if bar is not None:
                bar.close()
    _print(
        args,
        summary,
        f"published {summary['owner']}/{summary['name']} version {summary['version']}\n"
        f"  digest {summary['digest']}\n"
        f"  publish job {summary.get('publish_id', '')} (dlhub status <id> shows its log)",
    )
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


def cmd_search(args: argparse.Namespace) -> int:
    with _client(args) as client:
        page = client.search_page(
            " ".join(args.query),
            owner=args.owner,
            domains=args.domain,
            authors=args.author,
            servable_type=args.type,
            limit=args.limit,
            offset=args.offset,
            facets=["domains", "owner"] if args.facets else (),
            include_deprecated=args.include_deprecated,
        )
    human = _table(page["hits"]) + f"\n{page['total']} match(es)"
    if args.facets:
        human += "\n" + json.dumps(page["facets"])
    _print(args, page, human)
    return 0


def cmd_describe(args: argparse.Namespace) -> int:
    with _client(args) as client:
        meta = client.describe_servable(args.servable, args.version)
    _print(args, meta, json.dumps(meta, indent=2))
    if meta.get("state", "active") != "active":
        version = meta.get("dlhub", {}).get("version", "?")
        _warn(f"{args.servable} version {version} is {meta['state']}: {meta['state_reason']}")
    return 0


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def _versions_table(rows: list[dict[str, Any]]) -> str:
    lines = [f"{'VER':>4}  {'STATE':10} {'PUBLISHED':20} {'LATEST':6} REASON"]
    for r in rows:
        latest = "*" if r["latest"] else ""
        lines.append(
            f"{r['version']:>4}  {r['state']:10} {r['publication_date']:20} {latest:6}"
            f" {r['state_reason']}".rstrip()
        )
    return "\n".join(lines)


def cmd_versions(args: argparse.Namespace) -> int:
    with _client(args) as client:
        rows = client.list_versions(args.servable)
    _print(args, rows, _versions_table(rows))
    return 0


def cmd_deprecate(args: argparse.Namespace) -> int:
    with _client(args) as client:
        summary = client.deprecate_servable(args.servable, args.reason, args.version)
    _print(
        args,
        summary,
        f"deprecated {summary['owner']}/{summary['name']} version {summary['version']}"
        " (it still runs, with a warning; hidden from default search)",
    )
    return 0


def cmd_withdraw(args: argparse.Namespace) -> int:
    with _client(args) as client:
        summary = client.withdraw_servable(args.servable, args.reason, args.version)
    _print(
        args,
        summary,
        f"withdrew {summary['owner']}/{summary['name']} version {summary['version']}"
        " (it no longer runs; its metadata stays describable)",
    )
    return 0


def cmd_servables(args: argparse.Namespace) -> int:
    with _client(args) as client:
        rows = client.get_servables(owner=args.owner, all_versions=args.all_versions)
    _print(args, rows, _table(rows))
    return 0


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
            )
        finally:
            for w in caught:
                _warn(str(w.message))
        if args.asynchronous:
            _print(args, {"task_id": result.task_id}, result.task_id)
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


# ---------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dlhub", description="DLHub: publish, find and run models"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def client_cmd(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--address", help="gateway gRPC host:port (default: from `dlhub up`)")
        p.add_argument("--token", help="bearer token (default: DLHUB_TOKEN or `dlhub up`'s)")
        p.add_argument("--json", action="store_true", help="machine-readable output")
        return p

    p = sub.add_parser("up", help="run the whole mesh on the embedded backends")
    p.add_argument("--data-dir", help="where data lives (default .dlhub)")
    p.add_argument("--user", help="local user to sign in as (default $USER)")
    p.add_argument("--example", help="a Python script to run once the mesh is up")
    p.set_defaults(func=cmd_up)

    p = sub.add_parser("serve", help="run one service alone (distributed mode)")
    p.add_argument("service", choices=SERVICES)
    p.add_argument("--data-dir", help="where embedded backends keep data")
    p.set_defaults(func=cmd_serve)

    p = client_cmd(
        "publish",
        "publish an ONNX, scikit-learn, PyTorch model or a Python function"
        " (or --metadata + --file)",
    )
    p.add_argument(
        "model",
        nargs="?",
        help="the .onnx file, a scikit-learn .joblib/.pkl, a TorchScript .pt, a torch.export"
        " .pt2, or the .py module of a function",
    )
    p.add_argument(
        "--type",
        choices=MODEL_TYPES,
        help="model kind (default: from the suffix; .joblib/.pkl/.pickle -> sklearn,"
        " .pt -> torchscript, .pt2 -> torch_export, .py -> python, else onnx)",
    )
    p.add_argument(
        "--n-features",
        type=int,
        help="sklearn: input columns, when the estimator does not record n_features_in_",
    )
    p.add_argument(
        "--sample-input",
        help="sklearn: a .npy of representative rows for the conversion fidelity check",
    )
    p.add_argument(
        "--input-shape",
        action="append",
        help="torch: an example input's shape, e.g. 1,1,8,8 (once per forward() argument;"
        " axis 0 is the batch when the model accepts other batch sizes)",
    )
    p.add_argument(
        "--input-dtype",
        action="append",
        help="torch: the inputs' dtype (default float32; once, or once per input)",
    )
    p.add_argument("--input-name", action="append", help="torch: name of each input, in order")
    p.add_argument("--output-name", action="append", help="torch: name of each output, in order")
    p.add_argument("--function", help="python: the function in the module to publish")
    p.add_argument(
        "--input-type", help='python: the input\'s DLHub type, JSON or a name (default "any")'
    )
    p.add_argument(
        "--output-type", help='python: the output\'s DLHub type, JSON or a name (default "any")'
    )
    p.add_argument("--requirements", help="python: a requirements.txt of pinned packages")
    p.add_argument("--python", help="python: the Python version, e.g. 3.11 (default: this one)")
    p.add_argument("--name", help="servable name (default: file name)")
    p.add_argument("--title")
    p.add_argument("--author", action="append", help="'Name; Affiliation' (repeatable)")
    p.add_argument("--description")
    p.add_argument("--domain", action="append", help="scientific domain (repeatable)")
    p.add_argument("--doi", action="append", help="related DOI (repeatable)")
    p.add_argument("--visible-to", action="append", help="'public' or a user (repeatable)")
    p.add_argument("--metadata", help="a full metadata JSON file instead of the options")
    p.add_argument(
        "--file",
        action="append",
        help="artifact 'path=local file' with --metadata; python: an extra file"
        " ('file' or 'path=file', repeatable)",
    )
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default: when stderr is a terminal)",
    )
    p.set_defaults(func=cmd_publish)

    p = client_cmd("search", "search servables")
    p.add_argument("query", nargs="*")
    p.add_argument("--owner", action="append")
    p.add_argument("--domain", action="append")
    p.add_argument("--author", action="append")
    p.add_argument("--type", action="append")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--offset", type=int, default=0)
    p.add_argument("--facets", action="store_true", help="show domain and owner counts")
    p.add_argument(
        "--include-deprecated", action="store_true", help="also find deprecated versions"
    )
    p.set_defaults(func=cmd_search)

    p = client_cmd("describe", "show a servable's metadata")
    p.add_argument("servable", help="owner/name[:version]")
    p.add_argument("--version")
    p.set_defaults(func=cmd_describe)

    p = client_cmd("versions", "list a servable's versions with their state")
    p.add_argument("servable", help="owner/name")
    p.set_defaults(func=cmd_versions)

    for name, func, help_text in (
        ("deprecate", cmd_deprecate, "deprecate a version you own (still runs, with a warning)"),
        ("withdraw", cmd_withdraw, "withdraw a version you own (no longer runs; final)"),
    ):
        p = client_cmd(name, help_text)
        p.add_argument("servable", help="owner/name[:version] (default: the latest version)")
        p.add_argument("--reason", required=True, help="why; users will see it")
        p.add_argument("--version")
        p.set_defaults(func=func)

    p = client_cmd("servables", "list servables")
    p.add_argument("--owner")
    p.add_argument("--all-versions", action="store_true")
    p.set_defaults(func=cmd_servables)

    p = client_cmd("run", "run a servable")
    p.add_argument("servable", help="owner/name[:version]")
    p.add_argument("--inputs", help="JSON: data for one input, or {name: data}")
    p.add_argument("--inputs-file", help="a JSON file with the inputs")
    p.add_argument("--npy", action="append", help="[name=]file.npy (repeatable)")
    p.add_argument("--version")
    p.add_argument("--output", action="append", help="only this output (repeatable)")
    p.add_argument("--async", dest="asynchronous", action="store_true", help="print a task id")
    p.add_argument("--timeout", type=float, default=60.0)
    p.set_defaults(func=cmd_run)

    p = client_cmd("bundle", "download a version's bundle with a Dockerfile for its executor")
    p.add_argument("servable", help="owner/name[:version]")
    p.add_argument("--out", required=True, help="directory to unpack it into")
    p.add_argument("--version")
    p.add_argument("--http", help="gateway HTTP URL (default: DLHUB_HTTP or `dlhub up`'s)")
    p.set_defaults(func=cmd_bundle)

    p = client_cmd(
        "status", "a task's status (and result with --result), or a publish job's log (pub-...)"
    )
    p.add_argument("task_id", help="a task id, or a publish id (pub-...)")
    p.add_argument("--result", action="store_true")
    p.set_defaults(func=cmd_status)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except DLHubError as exc:
        if getattr(args, "json", False):
            print(json.dumps({"error": exc.to_dict()}), file=sys.stderr)
        else:
            print(f"error: {exc.code.value}: {exc.message}", file=sys.stderr)
            if exc.details.get("publish_id"):
                print(f"  its log: dlhub status {exc.details['publish_id']}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
