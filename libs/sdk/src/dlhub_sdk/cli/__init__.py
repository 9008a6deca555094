"""The ``dlhub`` command: run the mesh, publish, search, describe and run servables.

Every client command takes ``--json`` for scripts. Errors print one line
(``error: CODE: message``) and exit with status 1 (2 for usage errors).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from dlhub_common.errors import DLHubError, ErrorCode
from dlhub_sdk.cli.connect import _client, _settings
from dlhub_sdk.cli.output import ProgressBar, _jsonable, _print, _table, _warn
from dlhub_sdk.cli.parser import build_parser
from dlhub_sdk.cli.publish import (
    MODEL_TYPES,
    SKLEARN_SUFFIXES,
    SUFFIX_TYPES,
    TORCH_TYPES,
    TYPE_OPTIONS,
    _check_options,
    _model_builder,
    _model_type,
    _shape,
    _type_option,
    cmd_publish,
)
from dlhub_sdk.cli.query import (
    _versions_table,
    cmd_deprecate,
    cmd_describe,
    cmd_search,
    cmd_servables,
    cmd_versions,
    cmd_withdraw,
)
from dlhub_sdk.cli.run import (
    _is_arrays,
    _job_text,
    _load_inputs,
    cmd_bundle,
    cmd_cancel,
    cmd_run,
    cmd_status,
)
from dlhub_sdk.cli.usage import enable_completion

# The names below were all importable from the single-module ``dlhub_sdk.cli``;
# tests and scripts use some of them, so they stay importable from here.
__all__ = [
    "MODEL_TYPES",
    "SKLEARN_SUFFIXES",
    "SUFFIX_TYPES",
    "TORCH_TYPES",
    "TYPE_OPTIONS",
    "ProgressBar",
    "_check_options",
    "_client",
    "_is_arrays",
    "_job_text",
    "_jsonable",
    "_load_inputs",
    "_model_builder",
    "_model_type",
    "_print",
    "_settings",
    "_shape",
    "_table",
    "_type_option",
    "_versions_table",
    "_warn",
    "build_parser",
    "cmd_bundle",
    "cmd_cancel",
    "cmd_deprecate",
    "cmd_describe",
    "cmd_publish",
    "cmd_run",
    "cmd_search",
    "cmd_servables",
    "cmd_status",
    "cmd_versions",
    "cmd_withdraw",
    "main",
]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    enable_completion(parser)
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
        sys.stdout.flush()  # a reader gone by now (`| head`) is handled below, not at exit
        return code
    except DLHubError as exc:
        if getattr(args, "json", False):
            print(json.dumps({"error": exc.to_dict()}), file=sys.stderr)
        else:
            print(f"error: {exc.code.value}: {exc.message}", file=sys.stderr)
            if exc.details.get("publish_id"):
                print(f"  its log: dlhub status {exc.details['publish_id']}", file=sys.stderr)
            for line in _unreachable_hint(args, exc):
                print(f"  {line}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader went away (`dlhub describe x | head`): stop quietly, as
        # Unix tools do; stdout is pointed at /dev/null so the interpreter's
        # final flush cannot fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as exc:
        # a local file the command could not read or write: one line, no traceback
        where = f": {exc.filename}" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1


def _unreachable_hint(args: Any, exc: DLHubError) -> list[str]:
    """For a gateway that cannot be reached: which address, how it was found, what to do."""
    gateway = getattr(args, "gateway", None)
    if exc.code is not ErrorCode.UNAVAILABLE or gateway is None:
        return []
    address, source = gateway
    return [
        f"no DLHub gateway answered at {address} (the address came from {source})",
        "start one with `dlhub up`, pass --address host:port, set DLHUB_ADDRESS,"
        " or `dlhub login --address host:port` to save it",
    ]
