"""The web catalogue served at /: a built single-page application.

Its source is services/gateway/web (Preact + TypeScript, built with Vite); the
bundle is committed under ``webapp/`` inside this package, so the gateway serves
it with nothing else installed (``make web`` rebuilds it, ``make web-check``
fails when it is stale). Scripts and styles come from ``/assets``: same origin,
no CDN.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

WEBAPP = Path(__file__).resolve().parent / "webapp"


def index_html() -> str:
    """Read per request (1 kB), so a rebuilt bundle is served without a restart."""
    return (WEBAPP / "index.html").read_text(encoding="utf-8")


def mount_assets(app: FastAPI) -> None:
    """Serve the bundle's hashed scripts and styles under /assets."""
    app.mount("/assets", StaticFiles(directory=WEBAPP / "assets"), name="assets")
