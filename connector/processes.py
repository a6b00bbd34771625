"""Is a process still there? For leases and run rows that name a ``host:pid`` holder."""

from __future__ import annotations

import os
import socket


def alive(pid: int) -> bool:
    """True while process ``pid`` exists on this host (one we may not signal counts as alive)."""
    if pid <= 0:
        return True  # not a real process id: never treat it as gone
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def gone_from_this_host(holder: str | None) -> bool:
    """True when ``holder`` ("host:pid") names a process of this host that no longer exists.

    A holder on another host is never judged from here (its lease runs out by its time to live instead).
    """
    if not holder:
        return False
    host, _, pid = holder.rpartition(":")
    return host == socket.gethostname() and pid.isdigit() and not alive(int(pid))
