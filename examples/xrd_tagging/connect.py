"""What produce.py and consume.py share: Kafka or the embedded HTTP endpoints."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path


def parser(doc: str) -> argparse.ArgumentParser:
    """An argument parser with ``--bootstrap`` (Kafka) or ``--http`` (embedded) and ``--token``."""
    p = argparse.ArgumentParser(description=doc.split("\n")[0])
    p.add_argument("--bootstrap", help="Kafka bootstrap servers (host:port)")
    p.add_argument("--http", help="the gateway's HTTP URL (embedded mode)")
    p.add_argument("--token", help="embedded mode: bearer token (default: DLHUB_TOKEN)")
    return p


def parse(p: argparse.ArgumentParser) -> argparse.Namespace:
    args = p.parse_args()
    if bool(args.bootstrap) == bool(args.http):
        p.error("give --bootstrap (Kafka) or --http (the mesh's HTTP endpoints)")
    return args


def token(args: argparse.Namespace) -> str:
    """--token, else DLHUB_TOKEN, else the one ``dlhub up`` wrote to client.json."""
    if args.token or os.environ.get("DLHUB_TOKEN"):
        return str(args.token or os.environ["DLHUB_TOKEN"])
    path = Path(os.environ.get("DLHUB_DATA_DIR", ".dlhub")) / "client.json"
    return str(json.loads(path.read_text())["token"])
