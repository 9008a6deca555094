"""``dlhub publish``: the per-kind model builders and the options each kind takes."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from dlhub_common.errors import FailedPrecondition, InvalidArgument, NotFound
from dlhub_sdk.cli.connect import _client
from dlhub_sdk.cli.output import ProgressBar, _print, _warn

MODEL_TYPES = ("onnx", "sklearn", "torchscript", "torch_export", "python", "keras", "tensorflow")
SKLEARN_SUFFIXES = (".joblib", ".pkl", ".pickle")
SUFFIX_TYPES = {
    ".onnx": "onnx",
    ".pt": "torchscript",
    ".pt2": "torch_export",
    ".py": "python",
    **dict.fromkeys(SKLEARN_SUFFIXES, "sklearn"),
    **dict.fromkeys((".keras", ".h5", ".hd5", ".hdf5"), "keras"),
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
    ("--signature", "signature", ("tensorflow",)),
    ("--native", "native", ("tensorflow",)),
)


def _model_type(args: argparse.Namespace) -> str:
    """--type, or what the path says (.onnx, .joblib/.pkl/.pickle, .pt, .pt2, .py,
    .keras/.h5/.hd5/.hdf5, a folder holding saved_model.pb); onnx for any other suffix."""
    if args.type:
        return str(args.type)
    if (Path(args.model) / "saved_model.pb").is_file():
        return "tensorflow"
    return SUFFIX_TYPES.get(Path(args.model).suffix.lower(), "onnx")


def _check_options(args: argparse.Namespace, kind: str) -> None:
    """Refuse options that do not apply to ``kind``, naming them."""
    for kinds in dict.fromkeys(k for _, _, k in TYPE_OPTIONS):
        if kind in kinds:
            continue
        given = [
            flag
            for flag, attr, k in TYPE_OPTIONS
            if k == kinds and getattr(args, attr, None) not in (None, [], False)
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
    if kind == "keras":
        from dlhub_sdk.models import KerasModel

        return KerasModel(args.model, name=args.name)
    if kind == "tensorflow":
        return _tensorflow_builder(args)
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
            # as the help says: the file name, not the function's
            name=args.name or _slug(Path(args.model).stem),
        )
        for spec in args.file or []:
            path, _, local = spec.partition("=")
            if not Path(local or path).is_file():
                raise InvalidArgument(f"--file {spec}: {local or path} is not a readable file")
            builder.add_file(local or path, path if local else None)
        return builder
    return OnnxServable(args.model, name=args.name)


def _tensorflow_builder(args: argparse.Namespace) -> Any:
    """A SavedModel folder: converted to ONNX and checked, or with --native run by
    TensorFlow in the servable's own worker (what a failed conversion suggests)."""
    from dlhub_sdk.models import NativeTensorFlowServable, TensorFlowServable

    signature = args.signature or "serving_default"
    if args.native:
        return NativeTensorFlowServable(args.model, name=args.name, signature=signature)
    try:
        return TensorFlowServable(args.model, name=args.name, signature=signature)
    except InvalidArgument as exc:
        if "NativeTensorFlowServable" not in exc.message:
            raise
        raise InvalidArgument(
            f"{exc.message}; from the command line: dlhub publish {args.model} --native",
            details=exc.details,
        ) from None


def _slug(text: str) -> str:
    return text.lower().replace("_", "-").replace(" ", "-").replace(".", "-")


def _check_existing(client: Any, args: argparse.Namespace, metadata: dict[str, Any]) -> None:
    """Say when the name exists (this publishes version N+1); when the new files are of
    another kind than the latest version's, ask (a terminal) or refuse without
    ``--new-version``/``--yes``."""
    name = metadata.get("dlhub", {}).get("name")
    owner = args.owner or metadata.get("dlhub", {}).get("owner") or client.get_username()
    if not name or not owner:
        return
    try:
        versions = client.list_versions(f"{owner}/{name}")
    except NotFound:
        return
    if not versions:
        return
    last = versions[-1]
    kind = metadata.get("servable", {}).get("type", "")
    ref, n = f"{owner}/{name}", int(last["version"])
    if last["servable_type"] == kind or args.new_version:
        _warn(f"{ref} exists (latest version {n}): this publishes version {n + 1}")
        return
    question = (
        f"{ref} exists (latest version {n}, a {last['servable_type']} servable) and this is"
        f" a {kind} servable: publishing makes it version {n + 1}"
    )
    if sys.stdin.isatty() and sys.stderr.isatty():
        sys.stderr.write(f"{question}. Continue? [y/N] ")
        sys.stderr.flush()
        if sys.stdin.readline().strip().lower() in ("y", "yes"):
            return
    raise FailedPrecondition(
        f"{question}; pass --new-version (or --yes) to do so, or --name for a new servable",
        details={"servable": ref, "latest_version": n, "latest_type": last["servable_type"]},
    )


def _notice(bar: ProgressBar | None) -> Any:
    """Print a notice (a resumed upload) on stderr, on its own line."""

    def say(text: str) -> None:
        if bar is not None:
            bar.write(text)
            return
        sys.stderr.write(f"{text}\n")
        sys.stderr.flush()

    return say


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
        if args.classes:
            builder.set_classes([c.strip() for c in args.classes.split(",") if c.strip()])
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
        meta = model if isinstance(model, dict) else {"dlhub": model._dlhub}
        if not isinstance(model, dict):
            meta["servable"] = model._servable
        _check_existing(client, args, meta)
        try:
            summary = client.publish_servable(
                model, files or None, progress=bar, notice=_notice(bar), owner=args.owner
            )
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
