"""Finding 12: a scheduler killed with SIGKILL blocked its own restart for the lease's two minutes. On the
same host a lease whose holder process is gone is taken over at once; across hosts the time to live holds."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from connector.errors import StorageError
from connector.ops.scheduler import LEASE_NAME, LEASE_TTL, Lease
from connector.store import acquire_lease, lease_holder, open_session

pytestmark = pytest.mark.finding(12)


def _holder_of(url: str) -> str | None:
    with open_session(url) as session:
        return lease_holder(session, LEASE_NAME)


def test_restart_after_sigkill_takes_the_lease_at_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'connector.db'}"
    script = textwrap.dedent(
        f"""
        import sys, time
        from connector.ops.scheduler import Lease
        Lease({url!r}).acquire()
        print("held", flush=True)
        time.sleep(120)
        """
    )
    first = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert first.stdout is not None and first.stdout.readline().strip() == "held"
        with pytest.raises(StorageError, match=f"{socket.gethostname()}:{first.pid}"):
            Lease(url).acquire()  # alive: a second scheduler is refused
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
    restarted = Lease(url)
    restarted.acquire()  # at once, not after LEASE_TTL
    assert _holder_of(url) == restarted.holder
    restarted.release()


def test_a_lease_held_from_another_host_still_waits_for_its_ttl(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'connector.db'}"
    Lease(url)  # creates the schema
    with open_session(url) as session:
        assert acquire_lease(session, LEASE_NAME, "another-host:999999", LEASE_TTL)
        session.commit()
    with pytest.raises(StorageError, match="another-host:999999"):
        Lease(url).acquire()
