"""This machine's clock against the portal's: measured from HTTP ``Date`` headers, kept per account.

One-time codes are computed from the clock; a machine whose time sync stopped makes the portal refuse every
code ("the portal refused the one-time code twice") with nothing pointing at the clock. The offset is
measured on every health check (status page) and sign-in (sign-in page), codes are then made on the portal's
time, and a person is warned once when it exceeds :data:`WARN_SECONDS`.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from connector.fileio import atomic_write_bytes

WARN_SECONDS = 30.0
"""An offset beyond this is reported (TOTP accepts about one 30 s step either way)."""
DATE_RESOLUTION = 0.5
"""The Date header is whole seconds, truncated: the portal's time is on average half a second later."""


def offset_from_date(date_header: str | None, sent_at: float, received_at: float) -> float | None:
    """Seconds this machine is ahead of the server (negative: behind) from one response's ``Date`` header.

    ``sent_at``/``received_at`` are this machine's times around the request; None without a usable header.
    """
    if not date_header:
        return None
    try:
        server = email.utils.parsedate_to_datetime(date_header)
    except (TypeError, ValueError, IndexError):
        return None
    if server.tzinfo is None:
        return None
    return (sent_at + received_at) / 2 - (server.timestamp() + DATE_RESOLUTION)


def describe_offset(offset: float) -> str:
    """What a person reads, e.g. "this machine's clock is 120 s ahead of the portal: fix time sync (NTP)"."""
    side = "ahead of" if offset > 0 else "behind"
    text = f"this machine's clock is {abs(offset):.0f} s {side} the portal"
    return f"{text}: fix time sync (NTP)" if is_off(offset) else f"{text} (fine)"


def is_off(offset: float | None) -> bool:
    """True when a measured offset exceeds :data:`WARN_SECONDS` either way."""
    return offset is not None and abs(offset) > WARN_SECONDS


@dataclass(slots=True)
class ClockReading:
    """The latest measured offset of one account's portal, when and from where it was measured."""

    offset_s: float
    measured_at: float
    source: str
    warned: bool = False
    """True once the person was told about this offset (told again only after it came back in range)."""


def load_reading(path: Path) -> ClockReading | None:
    """The saved reading, or None when there is none (or it cannot be read)."""
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        data = json.loads(path.read_text())
        return ClockReading(
            float(data["offset_s"]), float(data["measured_at"]), str(data["source"]), bool(data.get("warned"))
        )
    return None


def record_offset(path: Path, offset: float, source: str) -> tuple[ClockReading, bool]:
    """Save a new measurement; returns the reading and True when a person should be warned now (the offset
    just went past the limit: warned once, until it comes back in range)."""
    previous = load_reading(path)
    warn_now = is_off(offset) and not (previous is not None and previous.warned)
    reading = ClockReading(offset, time.time(), source, warned=is_off(offset))
    atomic_write_bytes(path, json.dumps(asdict(reading)).encode())
    return reading, warn_now
