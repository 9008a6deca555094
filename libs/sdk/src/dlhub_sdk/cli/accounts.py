"""Local accounts (``dlhub token``, ``dlhub group``) and logins (``login``, ``whoami``, ``logout``).

``token`` and ``group`` edit the local accounts file of ``--data-dir`` (or
the ``tokens_file`` setting) directly: whoever may write that file
administers the embedded DLHub. Each change (not ``list``) is then appended
to the audit log in the configured document store (the ``documents``
setting, so the registry's log), with the actor ``local:<OS user>``; when
the store cannot be written the change stands and a warning says so.
``login --token`` checks a token against a gateway and saves it for later
commands (dlhub_sdk.config); ``login`` alone signs in with Globus
(dlhub_sdk.globus_login) and saves those tokens.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from typing import Any

from dlhub_sdk.cli.connect import _client
from dlhub_sdk.cli.output import _print, _warn


def _accounts(args: argparse.Namespace) -> Any:
    from dlhub_common.accounts import LocalAccounts, tokens_path
    from dlhub_sdk.cli.connect import _settings

    return LocalAccounts(tokens_path(_settings(args)))


def _audit(args: argparse.Namespace, action: str, target: str, details: dict[str, Any]) -> None:
    """Append an entry to the audit log of the configured document store."""
    import asyncio

    from dlhub_common import audit
    from dlhub_common.backends import create_document_store
    from dlhub_common.errors import DLHubError
    from dlhub_sdk.cli.connect import _settings

    settings = _settings(args)

    async def write() -> None:
        docs = create_document_store(settings.documents, settings.resolved_data_dir())
        await docs.start()
        try:
            await audit.record(docs, audit.local_actor(), action, target, details)
        finally:
            await docs.stop()

    try:
        asyncio.run(write())
    except Exception as exc:  # the change is made; say the log misses it
        reason = exc.message if isinstance(exc, DLHubError) else type(exc).__name__
        _warn(
            f"{action} {target} is done but not in the audit log: the"
            f" {settings.documents.type} document store could not be written ({reason})"
        )


def _tokens_table(tokens: list[dict[str, Any]]) -> str:
    if not tokens:
        return "(no tokens)"
    lines = [f"{'ID':8}  {'USER':20} {'CREATED':20} {'EXPIRES':20} {'STATE':8} DESCRIPTION"]
    for t in tokens:
        lines.append(
            f"{t['id']:8}  {t['user']:20} {t['created']:20} {t['expires'] or 'never':20}"
            f" {t['state']:8} {t['description']}"
        )
    return "\n".join(lines)


def _groups_table(groups: dict[str, dict[str, Any]]) -> str:
    if not groups:
        return "(no groups)"
    lines = [f"{'GROUP':30} MEMBERS"]
    for name, g in groups.items():
        lines.append(f"{name:30} {', '.join(g['members']) or '-'}")
    return "\n".join(lines)


def cmd_token_create(args: argparse.Namespace) -> int:
    from dlhub_common.accounts import parse_duration

    expires_in = parse_duration(args.expires) if args.expires else None
    token, info = _accounts(args).create_token(
        args.user, expires_in_s=expires_in, description=args.description or ""
    )
    _audit(
        args,
        "token.create",
        f"token:{info.id}",
        {"user": info.user, "expires": info.expires, "description": info.description},
    )
    data = {"token": token, **info.to_dict()}
    # the token alone on stdout (TOKEN=$(dlhub token create ...)), the note on stderr
    _print(args, data, token)
    if not args.json:
        print(
            f"token {info.id} for {info.user}, expires {info.expires or 'never'}:"
            " it is shown only this once; keep it secret",
            file=sys.stderr,
        )
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    tokens = [t.to_dict() for t in _accounts(args).list_tokens(args.user)]
    _print(args, {"tokens": tokens}, _tokens_table(tokens))
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    info = _accounts(args).revoke(args.id)
    _audit(args, "token.revoke", f"token:{info.id}", {"user": info.user, "revoked": info.revoked})
    _print(args, info.to_dict(), f"revoked token {info.id} of {info.user}")
    return 0


def cmd_group_create(args: argparse.Namespace) -> int:
    _accounts(args).create_group(args.name)
    _audit(args, "group.create", f"group:{args.name}", {"members": []})
    _print(args, {"group": args.name, "members": []}, f"created group {args.name}")
    return 0


def cmd_group_add(args: argparse.Namespace) -> int:
    members = _accounts(args).add_members(args.name, args.users)
    _audit(args, "group.add", f"group:{args.name}", {"users": args.users, "members": members})
    _print(args, {"group": args.name, "members": members}, f"{args.name}: {', '.join(members)}")
    return 0


def cmd_group_remove(args: argparse.Namespace) -> int:
    members = _accounts(args).remove_members(args.name, args.users)
    _audit(args, "group.remove", f"group:{args.name}", {"users": args.users, "members": members})
    _print(
        args,
        {"group": args.name, "members": members},
        f"{args.name}: {', '.join(members) or '(no members)'}",
    )
    return 0


def cmd_group_list(args: argparse.Namespace) -> int:
    accounts = _accounts(args)
    groups = {args.name: accounts.group(args.name)} if args.name else accounts.groups()
    _print(args, {"groups": groups}, _groups_table(groups))
    return 0


def cmd_login(args: argparse.Namespace) -> int:
    from dlhub_sdk.config import save_login

    if not args.token:
        return _globus_login(args)
    with _client(args) as client:
        who = client.whoami()  # UNAUTHENTICATED for a bad token: nothing saved
        path = save_login(args.token, client.address, client.http, who["username"])
    _print(
        args,
        {**who, "address": client.address, "saved": str(path)},
        f"logged in as {who['username']} at {client.address} (saved in {path})",
    )
    return 0


def _globus_login(args: argparse.Namespace) -> int:
    """The Globus native-app flow; the tokens are saved once the gateway accepts them."""
    from dlhub_common.errors import DLHubError
    from dlhub_sdk import globus_login
    from dlhub_sdk.client import DLHubClient
    from dlhub_sdk.config import save_login

    client_id, scope = globus_login.login_app(args.client_id, args.scope)
    fields = globus_login.run_flow(client_id, scope)
    try:
        with DLHubClient(args.address, fields["token"], http=args.http) as client:
            who = client.whoami()
    except DLHubError:
        with contextlib.suppress(DLHubError):
            globus_login.revoke(fields)  # refused by this gateway: nothing kept
        raise
    token = fields.pop("token")
    path = save_login(token, client.address, client.http, who["username"], **fields)
    _print(
        args,
        {**who, "address": client.address, "saved": str(path), "credentials": "globus"},
        f"logged in with Globus as {who['username']} at {client.address} (saved in {path})",
    )
    return 0


def cmd_whoami(args: argparse.Namespace) -> int:
    with _client(args) as client:
        who = client.whoami()
        data = {**who, "address": client.address, "credentials": client.token_source}
    name = "anonymous" if who["anonymous"] else who["username"]
    groups = f" (groups: {', '.join(who['groups'])})" if who["groups"] else ""
    _print(
        args,
        data,
        f"{name}{groups}\n  gateway    : {client.address}\n  credentials: {client.token_source}",
    )
    return 0


def cmd_logout(args: argparse.Namespace) -> int:
    from dlhub_sdk.config import forget_login, login_path

    removed, revoked = forget_login(args.force)
    if removed is None:
        text = f"not logged in ({login_path()})"
    elif revoked:
        text = f"logged out: revoked the Globus tokens and removed {removed}"
    else:
        text = f"logged out (removed {removed})"
    _print(args, {"removed": str(removed) if removed else None, "revoked": revoked}, text)
    return 0
