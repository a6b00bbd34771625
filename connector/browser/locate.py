"""Find a Chromium binary: the setting, a Playwright-managed build, then Debian's /usr/bin/chromium."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from connector.errors import BrowserError

SETTING = "CONNECTOR_BROWSER__EXECUTABLE"
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
INSTALL_HINT = "sudo apt-get install -y chromium"


def playwright_managed() -> Path | None:
    """Return a Chromium that `playwright install` left in its cache, if any."""
    roots = [os.environ.get("PLAYWRIGHT_BROWSERS_PATH", ""), str(Path.home() / ".cache" / "ms-playwright")]
    for root in filter(None, roots):
        base = Path(root)
        if not base.is_dir():
            continue
        for candidate in sorted(base.glob("chromium-*/chrome-linux*/chrome"), reverse=True):
            if os.access(candidate, os.X_OK):
                return candidate
    return None


def find_chromium(configured: Path | None = None) -> Path:
    """Resolve the Chromium executable or raise BrowserError naming the setting and the package."""
    explicit = configured or (Path(os.environ[SETTING]) if os.environ.get(SETTING) else None)
    if explicit is not None:
        if explicit.is_file() and os.access(explicit, os.X_OK):
            return explicit
        raise BrowserError(f"{SETTING}={explicit} is not an executable file")
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
