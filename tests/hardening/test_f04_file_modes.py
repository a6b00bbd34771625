"""Finding 4: under umask 022 every file the connector writes is 0600 and every folder 0700 — the scheduler's
job store and the demo's sandbox data included."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connector.cli.demo import write_new_charges
from connector.fileio import ensure_private_dir
from connector.ops.scheduler import build_scheduler
from connector.sandbox.exports import write_exports
from connector.settings import ConnectorSettings

pytestmark = pytest.mark.finding(4)


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def loose(root: Path) -> list[str]:
    """Everything under ``root`` (itself included) that is not 0700 (folders) / 0600 (files)."""
    found = []
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        want = 0o700 if path.is_dir() else 0o600
        if mode != want:
            found.append(f"{path.relative_to(root.parent)} {mode:o}")
    return found


async def test_scheduler_job_store_is_private(umask_022: None, tmp_path: Path) -> None:
    data = tmp_path / "data"
    settings = ConnectorSettings(data_dir=data, database_url=f"sqlite:///{data / 'connector.db'}")
    scheduler = build_scheduler(settings)
    scheduler.start(paused=True)  # the job store creates its table: SQLite writes the file
    scheduler.shutdown(wait=False)
    assert (data / "scheduler.db").is_file()
    assert loose(data) == []


def test_demo_and_sandbox_data_are_private(umask_022: None, tmp_path: Path, sandbox: Any) -> None:
    root = tmp_path / "data" / "demo"
    ensure_private_dir(root)  # what `connector demo` does first
    paths = write_exports(sandbox.data, root / "sandbox")  # what SandboxServer(root / "sandbox") writes
    write_new_charges(paths.pm_csv, root / "new-charges.csv", sandbox.data.as_of)
    assert (root / "sandbox" / "ground-truth.json").is_file() and (root / "new-charges.csv").is_file()
    assert loose(tmp_path / "data") == []
