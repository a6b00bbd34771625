"""Finding 13: with the data folder on a 600 KB file system the run died as "unexpected error", then writing
the ledger failed and `connector run` ended in a traceback. Now a full disk is DiskFull: one line naming the
folder and the room needed, the run closed (or closed at the next start), no trace without room, one alert;
and once space is freed the next run completes with nothing lost or doubled."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from connector import store
from connector.ops.policy import run_with_policy
from connector.ops.retry import RetryPolicy
from tests.conftest import skip_or_fail
from tests.hardening.conftest import account_settings, notifier_for

pytestmark = pytest.mark.finding(13)

FAST = RetryPolicy(attempts=1, base_seconds=0.0, max_seconds=0.0, jitter_seconds=0.0)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 600 KB file system (tmpfs) for the data folder; needs root to mount."""
    folder = tmp_path / "small"
    folder.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=600k,mode=0700", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        skip_or_fail(f"cannot mount a 600 KB file system (needs root): {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _grow(folder: Path) -> None:
    subprocess.run(["mount", "-o", "remount,size=64m", str(folder)], check=True)


async def test_full_disk_is_named_recorded_alerted_once_and_recovered(
    sandbox_fresh: Any, small_disk: Path, webhook: Any, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox_fresh.set_fault("announcement", 0)
    settings = account_settings(sandbox_fresh, small_disk, webhook)
    notifier = notifier_for(settings)
    for _ in range(2):
        result = await run_with_policy("eras", "prairie", settings, notifier, FAST)
        assert result.error_class == "DiskFull", (result.error_class, result.error_message)
        message = result.error_message or ""
        assert "\n" not in message and str(settings.data_dir) in message and "free" in message
    assert "Traceback" not in caplog.text and "unexpected" not in caplog.text
    assert not list((settings.data_dir / "traces").glob("*.zip"))  # no room: no trace
    assert [m["type"] for m in webhook.messages] == ["failure"]  # once
    assert "disk" in webhook.messages[0]["message"]
    _grow(small_disk)  # a person frees space
    done = await run_with_policy("eras", "prairie", settings, notifier, FAST)
    assert done.ok, (done.error_class, done.error_message)
    with store.open_session(settings.database_url) as session:
        files = session.scalar(select(func.count()).select_from(store.DownloadedFile))
        distinct = session.scalar(select(func.count(func.distinct(store.DownloadedFile.sha256))))
        running = session.scalars(
            select(store.Run).where(store.Run.outcome == store.RunOutcome.RUNNING)
        ).all()
    assert files == distinct == 2 * len(sandbox_fresh.data.payments)  # nothing lost, nothing doubled
    assert running == []  # every run is closed
    with store.open_session(settings.database_url) as session:
        classes = [r.error_class for r in session.scalars(select(store.Run).order_by(store.Run.id))]
    assert classes == ["DiskFull", "DiskFull", None]  # the ledger says what happened
    leftovers = [p for p in settings.data_dir.rglob("*.part")]
    assert leftovers == []
