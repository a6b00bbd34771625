"""The only place that starts Playwright: Chromium lookup, sessions, contexts, sign-in state, traces, TOTP."""

from __future__ import annotations

from connector.browser.locate import find_chromium
from connector.browser.session import (
    LAUNCH_ARGS,
    BrowserSession,
    fresh_storage_state,
    save_storage_state,
    start_trace,
    stop_trace,
)
from connector.browser.totp import TotpSource

__all__ = [
    "LAUNCH_ARGS",
    "BrowserSession",
    "TotpSource",
    "find_chromium",
    "fresh_storage_state",
    "save_storage_state",
    "start_trace",
    "stop_trace",
]
