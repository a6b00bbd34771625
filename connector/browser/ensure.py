"""`python -m connector.browser.ensure`: make sure a Chromium exists (used by `make test` and `make demo`)."""

from __future__ import annotations

import os
import subprocess
import sys

from connector.browser.locate import INSTALL_HINT, find_chromium, find_headless_shell
from connector.errors import BrowserError


def _apt_install(*packages: str) -> bool:
    """``apt-get install`` as root, quietly; True when it worked."""
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
    done = subprocess.run(["apt-get", "install", "-y", "-qq", *packages], check=False, env=env)
    return done.returncode == 0


def ensure() -> int:
    """Find Chromium (and its headless shell); as root install Debian's packages when missing; else print the
    command to run. A missing headless shell is not an error: headless runs then use the full browser."""
    root = os.geteuid() == 0
    try:
        found = find_chromium()
    except BrowserError as exc:
        if not root:
            print(f"{exc}\nRun: {INSTALL_HINT}", file=sys.stderr)
            return 1
        print("chromium: not found; installing Debian's chromium packages (running as root)")
        if not _apt_install("chromium", "chromium-headless-shell") and not _apt_install("chromium"):
            print(f"apt-get install chromium failed; run: {INSTALL_HINT}", file=sys.stderr)
            return 1
        try:
            found = find_chromium()
        except BrowserError as again:
            print(str(again), file=sys.stderr)
            return 1
    print(f"chromium: {found}")
    shell = find_headless_shell()
    if shell is None and root and not os.environ.get("CONNECTOR_BROWSER__EXECUTABLE"):
        print("chromium headless shell: not found; installing chromium-headless-shell (running as root)")
        _apt_install("chromium-headless-shell")
        shell = find_headless_shell()
    if shell is not None:
        print(f"chromium headless shell (used for headless runs): {shell}")
    else:
        print("chromium headless shell: not installed; headless runs use the full browser (more CPU)")
    return 0


if __name__ == "__main__":
    raise SystemExit(ensure())
