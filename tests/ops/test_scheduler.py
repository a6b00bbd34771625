"""Scheduler: cron per job and account in the practice time zone (DST too), overlaps skipped, one per db."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import pickle
import sqlite3
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from pydantic import SecretStr

from connector.errors import StorageError
from connector.ops.scheduler import Lease, build_scheduler, job_plan, make_trigger
from connector.settings import ConnectorSettings, PortalAccount

NY = ZoneInfo("America/New_York")
SENTINEL = "Sentinel-Sched-Pass-9911"


def _settings(tmp_path: Path, **schedule: str) -> ConnectorSettings:
    account = PortalAccount(
        practice_name="Main Street",
        base_url="http://127.0.0.1:9",
        username="u",
        password=SecretStr(SENTINEL),
        totp_secret=SecretStr("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"),
        schedule=schedule,
    )
    return ConnectorSettings(
        accounts={"mainst": account},
        timezone="America/New_York",
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'data' / 'connector.db'}",
        default_schedule={"health": "*/30 * * * *", "all": "30 6 * * 1-5"},
    )


def _fires(cron: str, start: dt.datetime, count: int) -> list[dt.datetime]:
    trigger = make_trigger(cron, "America/New_York")
    out: list[dt.datetime] = []
    previous = None
    now = start
    for _ in range(count):
        nxt = trigger.get_next_fire_time(previous, now)
        assert nxt is not None
        out.append(nxt)
        previous, now = nxt, nxt + dt.timedelta(microseconds=1)
    return out


def test_plan_overlays_account_overrides(tmp_path: Path) -> None:
    plan = job_plan(_settings(tmp_path, eras="0 7 * * *", health=""))
    assert {(p.job, p.cron) for p in plan} == {("eras", "0 7 * * *"), ("all", "30 6 * * 1-5")}
    assert all(p.job_id.startswith("mainst:") for p in plan)


def test_weekday_cron_across_spring_forward() -> None:
    fires = _fires("30 6 * * 1-5", dt.datetime(2026, 3, 5, 12, tzinfo=NY), 3)
    local = [f.astimezone(NY) for f in fires]
    assert [d.date() for d in local] == [dt.date(2026, 3, 6), dt.date(2026, 3, 9), dt.date(2026, 3, 10)]
    assert all((d.hour, d.minute) == (6, 30) for d in local)
    utc_hours = [f.astimezone(dt.UTC).hour for f in fires]
    assert utc_hours == [11, 10, 10]  # EST (UTC-5) before the change, EDT (UTC-4) after


def test_nightly_cron_fires_once_per_day_across_fall_back() -> None:
    fires = _fires("30 1 * * *", dt.datetime(2026, 10, 30, 12, tzinfo=NY), 4)
    days = [f.astimezone(NY).date() for f in fires]
    assert days == [dt.date(2026, 10, 31), dt.date(2026, 11, 1), dt.date(2026, 11, 2), dt.date(2026, 11, 3)]


async def test_job_fires_on_its_cron_with_a_frozen_clock(tmp_path: Path) -> None:
    calls: list[tuple[str, str]] = []

    async def record(job: str, account: str) -> None:
        calls.append((job, account))

    settings = _settings(tmp_path, health="")
    start = dt.datetime(2026, 3, 9, 6, 29, 59, 500000, tzinfo=NY)
    with time_machine.travel(start, tick=True):
        scheduler = build_scheduler(settings, jobstore="memory", func=record)
        scheduler.start()
        try:
            job = scheduler.get_job("mainst:all")
            assert job is not None
            assert job.next_run_time == dt.datetime(2026, 3, 9, 6, 30, tzinfo=NY)
            for _ in range(60):
                if calls:
                    break
                await asyncio.sleep(0.05)
        finally:
            scheduler.shutdown(wait=False)
    assert calls == [("all", "mainst")]


async def test_overlapping_run_is_skipped_and_reported(tmp_path: Path) -> None:
    release = asyncio.Event()
    started: list[str] = []
    skipped: list[tuple[str, str]] = []

    async def slow(job: str, account: str) -> None:
        started.append(job)
        await release.wait()

    scheduler = build_scheduler(
        _settings(tmp_path), jobstore="memory", func=slow, on_skip=lambda j, why: skipped.append((j, why))
    )
    scheduler.start()
    try:
        now = dt.datetime.now(NY)
        scheduler.modify_job("mainst:all", next_run_time=now)
        for _ in range(40):
            if started:
                break
            await asyncio.sleep(0.05)
        scheduler.modify_job("mainst:all", next_run_time=dt.datetime.now(NY))
        for _ in range(40):
            if skipped:
                break
            await asyncio.sleep(0.05)
    finally:
        release.set()
        await asyncio.sleep(0.05)
        scheduler.shutdown(wait=False)
    assert started == ["all"]
    assert skipped == [("mainst:all", "still running")]


async def test_job_store_holds_ids_only(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    store_file = tmp_path / "jobs.db"
    scheduler = build_scheduler(settings, jobstore=f"sqlite:///{store_file}")
    scheduler.start(paused=True)
    scheduler.shutdown(wait=False)
    rows = sqlite3.connect(store_file).execute("select id, job_state from apscheduler_jobs").fetchall()
    assert {r[0] for r in rows} == {"mainst:health", "mainst:all"}
    for _, state in rows:
        assert SENTINEL.encode() not in state
        job = pickle.loads(state)
        assert job["func"] == "connector.ops.scheduler:fire"
        assert all(isinstance(a, str) for a in job["args"])
        assert job["coalesce"] is True and job["max_instances"] == 1 and job["misfire_grace_time"] == 3600


def test_second_scheduler_refuses(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'connector.db'}"
    first = Lease(url, holder="host-a:1")
    first.acquire()
    second = Lease(url, holder="host-b:2")
    with pytest.raises(StorageError, match="host-a:1"):
        second.acquire()
    first.release()
    second.acquire()  # free again once released
    second.release()


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("1-5", "mon,tue,wed,thu,fri"),
        ("0", "sun"),
        ("7", "sun"),
        ("0,6", "sun,sat"),
        ("*/2", "sun,tue,thu,sat"),
    ],
)
def test_crontab_weekdays_count_from_sunday(field: str, expected: str) -> None:
    from connector.ops.scheduler import _crontab_days

    assert _crontab_days(field) == expected


def test_bad_cron_is_a_config_error() -> None:
    from connector.errors import ConfigError

    with pytest.raises(ConfigError, match="bad cron"):
        make_trigger("61 * * * *", "UTC")
    with pytest.raises(ConfigError, match="bad cron"):
        make_trigger("0 6 * *", "UTC")


def test_schedule_command_single_instance_and_sigterm(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECTOR_")}
    env.update(
        {
            "CONNECTOR_ACCOUNTS__MAINST__PRACTICE_NAME": "Main Street",
            "CONNECTOR_ACCOUNTS__MAINST__BASE_URL": "http://127.0.0.1:9",
            "CONNECTOR_ACCOUNTS__MAINST__USERNAME": "u",
            "CONNECTOR_ACCOUNTS__MAINST__PASSWORD": SENTINEL,
            "CONNECTOR_ACCOUNTS__MAINST__TOTP_SECRET": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
            "CONNECTOR_DATA_DIR": str(tmp_path / "data"),
            "CONNECTOR_DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'connector.db'}",
        }
    )
    command = [sys.executable, "-m", "connector.cli", "schedule"]
    first = subprocess.Popen(command, env=env, cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    try:
        database = tmp_path / "data" / "connector.db"
        deadline = time.monotonic() + 60
        held = False
        while time.monotonic() < deadline and not held and first.poll() is None:
            time.sleep(0.1)
            if database.exists():
                with contextlib.suppress(sqlite3.OperationalError):
                    held = bool(
                        sqlite3.connect(database)
                        .execute("select count(*) from scheduler_lease")
                        .fetchone()[0]
                    )
        assert held, "the first scheduler never took the lease"
        second = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert second.returncode == 1
        assert "another scheduler" in second.stderr and SENTINEL not in second.stderr
        time.sleep(0.5)
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=30) == 0
        assert first.stderr is not None
        log = first.stderr.read()
        assert "scheduled mainst:all" in log and SENTINEL not in log
        free = sqlite3.connect(database).execute("select count(*) from scheduler_lease").fetchone()[0]
        assert free == 0  # the lease was given back on a clean stop
    finally:
        if first.poll() is None:
            first.kill()


def test_a_missing_wall_time_at_spring_forward_runs_an_hour_later() -> None:
    fires = _fires("30 2 * * *", dt.datetime(2026, 3, 6, 12, tzinfo=NY), 4)
    local = [f.astimezone(NY) for f in fires]
    assert [d.date() for d in local] == [dt.date(2026, 3, d) for d in (7, 8, 9, 10)]
    assert [(d.hour, d.minute) for d in local] == [(2, 30), (3, 30), (2, 30), (2, 30)]


def test_half_hourly_job_keeps_running_through_the_repeated_hour() -> None:
    fires = _fires("*/30 * * * *", dt.datetime(2026, 11, 1, 0, 10, tzinfo=NY), 6)
    utc = [f.astimezone(dt.UTC).strftime("%H:%M") for f in fires]
    assert utc == sorted(set(utc)) and len(utc) == 6  # strictly increasing, nothing twice
