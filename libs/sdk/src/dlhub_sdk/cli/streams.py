"""``dlhub stream bind | list | unbind``: stream bindings (docs/streams.md)."""

from __future__ import annotations

import argparse
from typing import Any

from dlhub_sdk.cli.connect import _client
from dlhub_sdk.cli.output import _print


def _line(b: dict[str, Any]) -> str:
    return (
        f"{b['id']}  {b['topic']} -> {b['servable']} -> {b['output_topic']}"
        f"  (dead letters: {b['dead_letter_topic']}; frame id: {b['key_field']})"
    )


def cmd_stream_bind(args: argparse.Namespace) -> int:
    with _client(args) as client:
        binding = client.bind_stream(
            args.topic,
            args.servable,
            args.output,
            dead_letter_topic=args.dead_letter_topic or "",
            key_field=args.key_field or "",
            input=args.input or "",
            max_in_flight=args.max_in_flight or 0,
        )
    _print(args, binding, _line(binding))
    return 0


def cmd_stream_list(args: argparse.Namespace) -> int:
    with _client(args) as client:
        bindings = client.list_bindings(everyone=args.all, topic=args.topic or "")
    _print(args, bindings, "\n".join(_line(b) for b in bindings) or "no stream bindings")
    return 0


def cmd_stream_unbind(args: argparse.Namespace) -> int:
    with _client(args) as client:
        binding = client.unbind_stream(args.binding_id)
    _print(args, binding, f"removed {_line(binding)}")
    return 0


def add_stream_commands(sub: Any, client_cmd: Any) -> None:
    """``dlhub stream ...`` under the top-level parser's ``sub``."""
    stream = sub.add_parser("stream", help="bind bus topics to servables (stream bindings)")
    cmds = stream.add_subparsers(dest="stream_command", required=True)

    def cmd(name: str, help_text: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = client_cmd(name, help_text, parent=cmds)
        return p

    p = cmd("bind", "run every frame on a topic through a servable, as you")
    p.add_argument("--topic", required=True, help="the input topic frames arrive on")
    p.add_argument("--servable", required=True, help="owner/name[:version]")
    p.add_argument("--output", required=True, help="the topic results go to")
    p.add_argument("--dead-letter-topic", help="default <topic>.dlq")
    p.add_argument("--key-field", help="the header carrying the frame id (default frame-id)")
    p.add_argument("--input", help="the servable input frames feed (default its only one)")
    p.add_argument("--max-in-flight", type=int, help="frames running at once (default 32)")
    p.set_defaults(func=cmd_stream_bind)

    p = cmd("list", "your stream bindings")
    p.add_argument("--all", action="store_true", help="administrators: everyone's")
    p.add_argument("--topic", help="only bindings of this input topic")
    p.set_defaults(func=cmd_stream_list)

    p = cmd("unbind", "remove one of your stream bindings")
    p.add_argument("binding_id")
    p.set_defaults(func=cmd_stream_unbind)
