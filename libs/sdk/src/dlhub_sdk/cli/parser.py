"""The ``dlhub`` argument parser: every subcommand, its options and its handler."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from dlhub_sdk.cli.accounts import (
    cmd_group_add,
    cmd_group_create,
    cmd_group_list,
    cmd_group_remove,
    cmd_login,
    cmd_logout,
    cmd_token_create,
    cmd_token_list,
    cmd_token_revoke,
    cmd_whoami,
)
from dlhub_sdk.cli.benchmarks import add_benchmark_commands
from dlhub_sdk.cli.cite import add_cite_command
from dlhub_sdk.cli.config import add_config_command
from dlhub_sdk.cli.pipelines import add_pipeline_commands
from dlhub_sdk.cli.publish import MODEL_TYPES, cmd_publish
from dlhub_sdk.cli.query import (
    cmd_deprecate,
    cmd_describe,
    cmd_search,
    cmd_servables,
    cmd_versions,
    cmd_withdraw,
)
from dlhub_sdk.cli.retrain import add_retrain_commands
from dlhub_sdk.cli.run import cmd_bundle, cmd_cancel, cmd_publish_jobs, cmd_run, cmd_status
from dlhub_sdk.cli.sharing import cmd_audit, cmd_share
from dlhub_sdk.cli.stats import add_stats_command
from dlhub_sdk.cli.streams import add_stream_commands
from dlhub_sdk.cli.usage import DLHubParser, add_server_commands, version_text


def build_parser() -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = DLHubParser(
        prog="dlhub", description="DLHub: publish, find and run models"
    )
    parser.add_argument("--version", action="version", version=version_text())
    sub = parser.add_subparsers(dest="command", required=True)

    def client_cmd(name: str, help_text: str, parent: Any = None) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = (parent or sub).add_parser(name, help=help_text)
        p.add_argument("--address", help="gateway gRPC host:port (default: from `dlhub up`)")
        p.add_argument("--token", help="bearer token (default: DLHUB_TOKEN or `dlhub up`'s)")
        p.add_argument("--json", action="store_true", help="machine-readable output")
        return p

    add_server_commands(sub)

    p = client_cmd(
        "publish",
        "publish an ONNX, scikit-learn, PyTorch, Keras, TensorFlow model or a Python function"
        " (or --metadata + --file)",
    )
    p.add_argument(
        "model",
        nargs="?",
        help="the .onnx file, a scikit-learn .joblib/.pkl, a TorchScript .pt, a torch.export"
        " .pt2, a Keras .keras/.h5/.hd5, a TensorFlow SavedModel folder, or the .py module"
        " of a function",
    )
    p.add_argument(
        "--type",
        choices=MODEL_TYPES,
        help="model kind (default: from the suffix; .joblib/.pkl/.pickle -> sklearn,"
        " .pt -> torchscript, .pt2 -> torch_export, .keras/.h5/.hd5/.hdf5 -> keras,"
        " a folder with saved_model.pb -> tensorflow, .py -> python, else onnx)",
    )
    p.add_argument(
        "--signature",
        help="tensorflow: the SavedModel signature to serve (default serving_default)",
    )
    p.add_argument(
        "--native",
        action="store_true",
        help="tensorflow: publish the SavedModel as is, run by TensorFlow in the servable's"
        " own worker, instead of converting it to ONNX",
    )
    p.add_argument(
        "--classes",
        help="a classifier's class names in output order, comma-separated: results can then"
        " come back labelled (dlhub run --labelled)",
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
    p.add_argument(
        "--visible-to",
        action="append",
        help="'public', a user, 'group:<name>' or a Globus identity/group URN (repeatable)",
    )
    p.add_argument(
        "--owner", help="publish a new version of this owner's servable, which you co-own"
    )
    p.add_argument(
        "--new-version",
        "--yes",
        action="store_true",
        help="when the name exists with files of another kind: publish them as its next version",
    )
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
    p.add_argument(
        "--original", action="store_true", help="the original DLHub layout of the three blocks"
    )
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

    p = client_cmd("share", "change who may see a servable you own or co-own, and who co-owns it")
    p.add_argument(
        "servable", help="owner/name (every version) or owner/name:version (that version)"
    )
    p.add_argument(
        "--visible-to",
        action="append",
        metavar="ENTRY",
        help="the new visible_to, replacing it: 'public', a user, 'group:<name>', a Globus"
        " identity or group URN (repeatable)",
    )
    p.add_argument(
        "--private",
        action="store_true",
        help="visible to the owner and co-owners only (visible_to [])",
    )
    p.add_argument("--co-owner", action="append", default=[], metavar="USER", help="add a co-owner")
    p.add_argument(
        "--remove-co-owner",
        action="append",
        default=[],
        metavar="USER",
        help="remove a co-owner",
    )
    p.set_defaults(func=cmd_share)

    p = client_cmd("audit", "the audit log, newest first (administrators)")
    p.add_argument("--actor", default="")
    p.add_argument("--action", default="", help="e.g. servable.access, token.create")
    p.add_argument("--target", default="", help="e.g. alice/digits, token:<id>, group:<name>")
    p.add_argument("--since", default="", help="RFC 3339 time, e.g. 2026-01-01T00:00:00Z")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=cmd_audit)

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
    p.add_argument(
        "--labelled", action="store_true", help="{class: probability} per row (declared classes)"
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        help="the task's deadline in seconds (a run without a result by then fails)",
    )
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

    p = client_cmd(
        "publish-jobs", "your publish jobs, newest first (dlhub status <job> shows one's log)"
    )
    p.add_argument("--state", choices=("RUNNING", "SUCCEEDED", "FAILED"))
    p.add_argument("--name", help="only publishes of this servable name")
    p.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
    p.add_argument("--offset", type=int, default=0, help="skip this many (newest first)")
    p.set_defaults(func=cmd_publish_jobs)

    p = client_cmd("cancel", "cancel a queued or running task of yours")
    p.add_argument("task_id", help="the task id (`dlhub run --async` prints it)")
    p.set_defaults(func=cmd_cancel)
    _account_commands(sub, client_cmd)
    add_stream_commands(sub, client_cmd)
    add_retrain_commands(sub, client_cmd)
    add_benchmark_commands(sub, client_cmd)
    add_pipeline_commands(sub, client_cmd)
    add_cite_command(sub, client_cmd)
    add_config_command(sub, client_cmd)
    add_stats_command(sub, client_cmd)
    return parser


def _account_commands(sub: Any, client_cmd: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """``token``, ``group`` (the local accounts file) and ``login``, ``whoami``, ``logout``."""

    def local_cmd(parent: Any, name: str, help_text: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = parent.add_parser(name, help=help_text)
        p.add_argument("--data-dir", help="the embedded DLHub's data (default .dlhub)")
        p.add_argument("--json", action="store_true", help="machine-readable output")
        return p

    tokens = sub.add_parser(
        "token", help="local tokens (the accounts file of --data-dir)"
    ).add_subparsers(dest="token_command", required=True)
    p = local_cmd(tokens, "create", "create a token for a user (printed once)")
    p.add_argument("--user", required=True, help="the user (created when new)")
    p.add_argument("--expires", help="lifetime, e.g. 30d, 12h, 2w (default: never)")
    p.add_argument("--description", help="what the token is for")
    p.set_defaults(func=cmd_token_create)
    p = local_cmd(tokens, "list", "list tokens (never the tokens themselves)")
    p.add_argument("--user", help="only this user's tokens")
    p.set_defaults(func=cmd_token_list)
    p = local_cmd(tokens, "revoke", "revoke a token by its id")
    p.add_argument("id", help="the token id (`dlhub token list`)")
    p.set_defaults(func=cmd_token_revoke)

    groups = sub.add_parser(
        "group", help="local groups (the accounts file of --data-dir)"
    ).add_subparsers(dest="group_command", required=True)
    p = local_cmd(groups, "create", "create an empty group")
    p.add_argument("name")
    p.set_defaults(func=cmd_group_create)
    for name, func, help_text in (
        ("add", cmd_group_add, "add users to a group"),
        ("remove", cmd_group_remove, "remove users from a group"),
    ):
        p = local_cmd(groups, name, help_text)
        p.add_argument("name")
        p.add_argument("users", nargs="+", metavar="USER")
        p.set_defaults(func=func)
    p = local_cmd(groups, "list", "list groups and their members")
    p.add_argument("name", nargs="?", help="only this group")
    p.set_defaults(func=cmd_group_list)

    p = sub.add_parser("login", help="sign in with Globus (or check a --token) and save the login")
    p.add_argument(
        "--token", help="a token to save (`dlhub token create` prints one); default: Globus login"
    )
    p.add_argument(
        "--client-id", help="DLHub's Globus native app client id (default DLHUB_LOGIN_CLIENT_ID)"
    )
    p.add_argument("--scope", help="DLHub's Globus scope (default DLHUB_LOGIN_SCOPE)")
    p.add_argument("--address", help="gateway gRPC host:port (default: from `dlhub up`)")
    p.add_argument("--http", help="the gateway's HTTP URL to save with it")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_login)
    p = client_cmd("whoami", "the user the gateway sees, and where the token came from")
    p.set_defaults(func=cmd_whoami)
    p = sub.add_parser("logout", help="revoke a Globus login at Globus and forget the saved login")
    p.add_argument(
        "--force", action="store_true", help="remove the login even when Globus cannot revoke it"
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_logout)
