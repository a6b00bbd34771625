"""The local executor's limits: at most max_sessions sessions at once, never two jobs of one account."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from connector.ops.cycle import run_cycle
from connector.ops.dispatch import dispatch
from connector.ops.limiter import SessionLimiter
from connector.sandbox.fleet import SandboxFleet
from connector.settings import ConnectorSettings


async def test_limiter_caps_sessions_and_serialises_an_account() -> None:
    limiter = SessionLimiter(2)
    running: list[str] = []
    seen: list[tuple[str, ...]] = []

    async def job(account: str) -> None:
        async with limiter.session(account):
            running.append(account)
            seen.append(tuple(running))
            await asyncio.sleep(0.02)
            running.remove(account)

    await asyncio.gather(*(job(a) for a in ["a", "a", "b", "c", "a", "d", "b"]))
    assert max(len(s) for s in seen) == 2 and limiter.peak == 2
    assert all(len(set(s)) == len(s) for s in seen)  # never the same account twice at once


@pytest.fixture(scope="module")
def two_practices(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxFleet]:
    fleet = SandboxFleet(tmp_path_factory.mktemp("two"), 2, payments=6).start()
    try:
        yield fleet
    finally:
        fleet.stop()


def _settings(fleet: SandboxFleet, tmp_path: Path, max_sessions: int) -> ConnectorSettings:
    return ConnectorSettings(
        database_url=f"sqlite:///{tmp_path / 'connector.db'}",
        data_dir=tmp_path / "data",
        accounts=fleet.accounts(),
        max_sessions=max_sessions,
    )


async def test_the_sandbox_sees_two_sessions_of_one_account_without_the_limiter(
    two_practices: SandboxFleet, tmp_path: Path
) -> None:
    """The measure can fail: two jobs of one account run side by side (as before this limiter) -> 2."""
    two_practices.reset()
    settings = _settings(two_practices, tmp_path, 2)
    await asyncio.gather(
        run_cycle("p01", settings, jobs=("eras",)), run_cycle("p01", settings, jobs=("statuses",))
    )
    assert two_practices.max_simultaneous_sessions()["billing.p01"] == 2


async def test_dispatch_never_runs_two_jobs_of_one_account_at_once(
    two_practices: SandboxFleet, tmp_path: Path
) -> None:
    two_practices.reset()
    settings = _settings(two_practices, tmp_path, 2)
    outcomes = await asyncio.gather(
        dispatch("eras", "p01", settings),
        dispatch("statuses", "p01", settings),
        dispatch("eras", "p02", settings),
    )
    assert all(o.ok for o in outcomes), [(o.account, o.stopped_by) for o in outcomes]
    assert two_practices.max_simultaneous_sessions() == {"billing.p01": 1, "billing.p02": 1}
