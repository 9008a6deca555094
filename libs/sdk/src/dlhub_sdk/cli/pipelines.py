"""``dlhub pipeline publish | describe | run`` (docs/pipelines.md)."""

from __future__ import annotations

import argparse
from typing import Any

from dlhub_sdk._pipelines import steps_text
from dlhub_sdk.cli.connect import _client
from dlhub_sdk.cli.output import _print


def cmd_pipeline_publish(args: argparse.Namespace) -> int:
    with _client(args) as client:
        summary = client.publish_pipeline(args.file)
    ref = f"{summary['owner']}/{summary['name']}:{summary['version']}"
    _print(args, summary, f"published {ref} ({summary['digest']})")
    return 0


def cmd_pipeline_describe(args: argparse.Namespace) -> int:
    with _client(args) as client:
        described = client.describe_pipeline(args.pipeline, args.version)
    run = described["servable"]["methods"]["run"]
    title = described["datacite"]["titles"][0]["title"]
    state = "runnable" if described["runnable"] else "NOT runnable: a step is withdrawn or hidden"
    human = (
        f"{described['dlhub']['owner']}/{described['dlhub']['name']}:"
        f"{described['dlhub']['version']}  {title}\n"
        f"  {described['servable']['pipeline'].get('values')} pipeline, {state}\n"
        f"  input: {run['input']}\n  output: {run['output']}\nsteps:\n{steps_text(described)}"
    )
    _print(args, described, human)
    return 0


def cmd_pipeline_run(args: argparse.Namespace) -> int:
    """``dlhub run`` of the pipeline, with the same options."""
    from dlhub_sdk.cli.parser import build_parser
    from dlhub_sdk.cli.run import cmd_run

    argv = ["run", args.pipeline, *args.rest]
    for flag, value in (("--address", args.address), ("--token", args.token)):
        if value:
            argv += [flag, value]
    if args.json:
        argv.append("--json")
    return cmd_run(build_parser().parse_args(argv))


# (subcommand, help, handler, positional argument and its help)
_COMMANDS = (
    (
        "publish",
        "publish a pipeline from a YAML or JSON file",
        cmd_pipeline_publish,
        ("file", "pipeline.yaml: name, title, authors, steps[, outputs]"),
    ),
    (
        "describe",
        "a pipeline's signature and each step with its current state",
        cmd_pipeline_describe,
        ("pipeline", "owner/name[:version]"),
    ),
    (
        "run",
        "run a pipeline: the options of `dlhub run` (--inputs, --npy, --async...)",
        cmd_pipeline_run,
        ("pipeline", "owner/name[:version]"),
    ),
)


def add_pipeline_commands(sub: Any, client_cmd: Any) -> None:
    """``dlhub pipeline ...`` under the top-level parser's ``sub``."""
    pipeline = sub.add_parser("pipeline", help="publish, describe and run pipelines of servables")
    cmds = pipeline.add_subparsers(dest="pipeline_command", required=True)
    for name, help_text, handler, (positional, positional_help) in _COMMANDS:
        p = client_cmd(name, help_text, parent=cmds)
        p.add_argument(positional, help=positional_help)
        if name == "describe":
            p.add_argument("--version")
        if name == "run":
            p.add_argument("rest", nargs=argparse.REMAINDER, help="options of `dlhub run`")
        p.set_defaults(func=handler)
