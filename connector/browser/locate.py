"""Find a Chromium binary: the setting, a Playwright-managed build, then Debian's packages.

Headless runs (the default) prefer Chromium's headless shell: the same engine without the desktop browser
around it, which is what Playwright itself launches for headless Chromium. In a daily cycle its processes
take about a third of the full browser's CPU (``benchmarks/fleet.py``), and CPU is what bounds how many
accounts a worker runs at once. Without a headless shell the full browser is used, as before.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from connector.errors import BrowserError

SETTING = "CONNECTOR_BROWSER__EXECUTABLE"
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
DEBIAN_HEADLESS_SHELL = Path("/usr/bin/chromium-headless-shell")
INSTALL_HINT = "sudo apt-get install -y chromium chromium-headless-shell"

_MANAGED = {
    False: ("chromium-*/chrome-linux*/chrome",),
    True: (
        "chromium_headless_shell-*/chrome-linux*/headless_shell",
        "chromium_headless_shell-*/chrome-headless-shell-linux*/chrome-headless-shell",
    ),
}


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def playwright_managed(headless_shell: bool = False) -> Path | None:
    """Return a Chromium (or its headless shell) that `playwright install` left in its cache, if any."""
    roots = [os.environ.get("PLAYWRIGHT_BROWSERS_PATH", ""), str(Path.home() / ".cache" / "ms-playwright")]
    for root in filter(None, roots):
        base = Path(root)
        if not base.is_dir():
            continue
        for pattern in _MANAGED[headless_shell]:
            for candidate in sorted(base.glob(pattern), reverse=True):
                if _executable(candidate):
                    return candidate
    return None


def find_headless_shell() -> Path | None:
    """Chromium's headless shell, Playwright-managed or Debian's ``chromium-headless-shell``, if installed."""
    managed = playwright_managed(headless_shell=True)
    if managed is not None:
        return managed
    if _executable(DEBIAN_HEADLESS_SHELL):
        return DEBIAN_HEADLESS_SHELL
    on_path = shutil.which("chromium-headless-shell")
    return Path(on_path) if on_path else None


def find_chromium(configured: Path | None = None, *, headless: bool = False) -> Path:
    """Resolve the Chromium executable or raise BrowserError naming the setting and the package.

    The setting wins; then, for a headless run, a headless shell; then the full browser.
    """
    explicit = configured or (Path(os.environ[SETTING]) if os.environ.get(SETTING) else None)
    if explicit is not None:
        if _executable(explicit):
            return explicit
        raise BrowserError(f"{SETTING}={explicit} is not an executable file")
    if headless:
        shell = find_headless_shell()
        if shell is not None:
            return shell
    managed = playwright_managed()
    if managed is not None:
        return managed
    if DEBIAN_CHROMIUM.is_file():
        return DEBIAN_CHROMIUM
    on_path = shutil.which("chromium")
    if on_path:
        return Path(on_path)
    raise BrowserError(
        f"no Chromium found: set {SETTING} to a Chromium binary, or install Debian's package: {INSTALL_HINT}"
    )
