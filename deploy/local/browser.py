"""Debian's Chromium for the web catalogue's browser tests (tests/e2e/test_web_ui.py).

    python -m deploy.local.browser      # install it when missing; print its path

Playwright drives this browser through ``executable_path``; Playwright's own
browser download is never used (it is not reachable from these machines).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

CHROMIUM = "/usr/bin/chromium"


def obtain() -> str:
    if os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    if shutil.which("apt-get") is None:
        raise SystemExit(f"no {CHROMIUM}, and no apt-get to install it: install Chromium by hand")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env)
    return CHROMIUM


if __name__ == "__main__":
    print(obtain())
    sys.exit(0)
