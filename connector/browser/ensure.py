"""`python -m connector.browser.ensure`: make sure a Chromium exists (used by `make test` and `make demo`)."""

from __future__ import annotations

import os
import subprocess
import sys

from connector.browser.locate import INSTALL_HINT, find_chromium
from connector.errors import BrowserError


def ensure() -> int:
    """Find Chromium; as root install Debian's package when none is found; else print the command to run."""
    try:
        print(f"chromium: {find_chromium()}")
        return 0
    except BrowserError as exc:
        if os.geteuid() != 0:
            print(f"{exc}\nRun: {INSTALL_HINT}", file=sys.stderr)
            return 1
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    print("chromium: not found; installing Debian's chromium package (running as root)")
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
    done = subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=False, env=env)
    if done.returncode != 0:
        print(f"apt-get install chromium failed; run: {INSTALL_HINT}", file=sys.stderr)
        return 1
    try:
        print(f"chromium: {find_chromium()}")
    except BrowserError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(ensure())
