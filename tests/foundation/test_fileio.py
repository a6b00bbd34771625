"""Atomic writes under data/: owner-only modes, and an interrupted write leaves no partial file."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from connector.fileio import atomic_write_bytes, atomic_writer, remove_stale_parts


def test_atomic_write_modes(tmp_path: Path) -> None:
    target = tmp_path / "data" / "eras" / "a.835"
    digest = atomic_write_bytes(target, b"ISA*...~")
    assert target.read_bytes() == b"ISA*...~" and len(digest) == 64
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700


def test_exception_mid_write_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "x.pdf"
    with pytest.raises(RuntimeError), atomic_writer(target) as handle:
        handle.write(b"half")
        raise RuntimeError("connection dropped")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_old_file_survives_failed_rewrite(tmp_path: Path) -> None:
    target = tmp_path / "x.835"
    atomic_write_bytes(target, b"old")
    with pytest.raises(RuntimeError), atomic_writer(target) as handle:
        handle.write(b"new but incomplete")
        raise RuntimeError("x")
    assert target.read_bytes() == b"old"


def test_sigkill_mid_write_leaves_no_partial_target(tmp_path: Path) -> None:
    target = tmp_path / "big.835"
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from connector.fileio import atomic_writer\n"
        "with atomic_writer(Path(sys.argv[1])) as h:\n"
        "    h.write(b'x' * 1000); h.flush(); print('writing', flush=True); time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script, str(target)], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == b"writing"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    time.sleep(0.05)
    assert not target.exists()
    leftovers = remove_stale_parts(tmp_path)
    assert len(leftovers) == 1 and not any(tmp_path.iterdir())
