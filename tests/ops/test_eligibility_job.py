"""The eligibility job against the live sandbox: every planted case reported as the ground truth says (v1 and
v2), each patient and date of service asked once a day, one alert per problem appointment, a 429 burst slowed
down and finished, and a SIGKILL mid-run resumed without asking anyone twice."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from pydantic import SecretStr
from sqlalchemy import create_engine, text

from connector.jobs.eligibility import day_assessments
from connector.ops.dispatch import dispatch
from connector.ops.retry import NO_RETRY
from connector.pm.schedule import read_schedule
from connector.settings import ConnectorSettings, PortalAccount

from .conftest import WebhookSink

DAY = dt.date(2026, 11, 27)
"""The sandbox's as-of day (a Friday): the window is Monday and Tuesday."""


def _settings(sandbox: Any, root: Path, variant: str = "v1", urls: tuple[str, ...] = ()) -> ConnectorSettings:
    account = PortalAccount(
        practice_name="Prairie Family Medicine",
        portal=f"sandbox-{variant}",
        base_url=sandbox.base_url,
        username=sandbox.username,
        password=SecretStr(sandbox.password),
        totp_secret=SecretStr(sandbox.totp_secret),
        pm_schedule=sandbox.schedule_csv,
    )
    return ConnectorSettings(
        accounts={"prairie": account},
        data_dir=root / "data",
        database_url=f"sqlite:///{root / 'data' / 'connector.db'}",
        eligibility_pace_seconds=0,
        notify_urls=[SecretStr(u) for u in urls],
    )


def _truth(sandbox: Any) -> dict[str, dict[str, Any]]:
    entries = json.loads(sandbox.ground_truth.read_text())["eligibility"]
    return {e["appointment_id"]: e for e in entries}


async def _run(settings: ConnectorSettings, days: int = 2) -> Any:
    outcome = await dispatch(
        "eligibility", "prairie", settings, options={"days": days}, as_of=DAY, policy=NO_RETRY
    )
    (result,) = outcome.results
    return result


@pytest.mark.parametrize("variant", ["v1", "v2"])
async def test_every_planted_case_is_reported(
    sandbox_fresh: Any, tmp_path: Path, variant: str, webhook: WebhookSink
) -> None:
    sandbox_fresh.set_variant(variant)
    sandbox_fresh.set_fault("announcement", 0)
    settings = _settings(sandbox_fresh, tmp_path, variant, (webhook.apprise_url,))
    result = await _run(settings)
    assert result.ok, (result.error_class, result.error_message)
    truth = _truth(sandbox_fresh)
    window = {"2026-11-30", "2026-12-01"}
    schedule = read_schedule(sandbox_fresh.schedule_csv)
    got = {a.appointment.appointment_id: a for a in day_assessments(settings, "prairie", schedule, DAY, 2)}
    assert set(got) == {k for k, e in truth.items() if e["service_date"] in window}
    for appointment_id, a in got.items():
        expected = truth[appointment_id]
        reported = (a.status.value, sorted(p.value for p in a.problems), a.estimate)
        wanted = (
            expected["status"],
            expected["flags"],
            expected["estimate"] and dt_money(expected["estimate"]),
        )
        assert reported == wanted, expected["case"]
    # asked once per patient and date of service (two visits of one patient on one day: one search)
    searches = Counter(sandbox_fresh.state.eligibility_searches)
    assert set(searches.values()) == {1}
    usable = {(e["member_id"], e["service_date"]) for e in truth.values()
              if e["service_date"] in window and e["status"] != "not_checked"}  # fmt: skip
    assert set(searches) == usable
    assert result.counts["not_checked"] == 2
    # the workbook: problems first, one row per appointment
    book = load_workbook(result.counts["workbook"], read_only=True)
    rows = list(book["Eligibility"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(got)
    flagged = [bool(r[8]) for r in rows]
    assert flagged == sorted(flagged, reverse=True)
    # one alert, for Monday's problem appointments only; a second run the same day asks nobody again
    monday = {k for k, e in truth.items() if e["service_date"] == "2026-11-30" and e["flags"]}
    assert len(webhook.messages) == 1
    body = webhook.messages[0]["message"]
    assert {k for k in truth if f"appointment {k}:" in body} == monday
    again = await _run(settings)
    assert again.ok and again.counts["checked"] == 0 and again.counts["alerted"] == 0
    assert Counter(sandbox_fresh.state.eligibility_searches) == searches
    assert len(webhook.messages) == 1


def dt_money(text: str) -> Decimal:
    """A ground-truth amount."""
    return Decimal(text)


async def test_a_429_burst_slows_down_and_finishes(sandbox_fresh: Any, tmp_path: Path) -> None:
    sandbox_fresh.set_fault("announcement", 0)
    sandbox_fresh.set_fault("retry_after", 5)
    sandbox_fresh.set_fault("eligibility_burst", 3)  # three searches per five seconds, then 429
    result = await _run(_settings(sandbox_fresh, tmp_path), days=1)
    assert result.ok, (result.error_class, result.error_message)
    assert sandbox_fresh.state.eligibility_throttled >= 1
    assert result.counts["throttled"] >= 1 and result.counts["pace_seconds"] > 0
    assert result.counts["checked"] == len(set(sandbox_fresh.state.eligibility_searches))
    assert set(Counter(sandbox_fresh.state.eligibility_searches).values()) == {1}


def _env(sandbox: Any, root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECTOR_")}
    prefix = "CONNECTOR_ACCOUNTS__PRAIRIE__"
    env.update(
        {
            f"{prefix}PRACTICE_NAME": "Prairie Family Medicine",
            f"{prefix}BASE_URL": sandbox.base_url,
            f"{prefix}USERNAME": sandbox.username,
            f"{prefix}PASSWORD": sandbox.password,
            f"{prefix}TOTP_SECRET": sandbox.totp_secret,
            f"{prefix}PM_SCHEDULE": str(sandbox.schedule_csv),
            "CONNECTOR_DATA_DIR": str(root / "data"),
            "CONNECTOR_DATABASE_URL": f"sqlite:///{root / 'data' / 'connector.db'}",
            "CONNECTOR_ELIGIBILITY_PACE_SECONDS": "0.8",
        }
    )
    return env


def _stored(root: Path) -> int:
    db = root / "data" / "connector.db"
    if not db.exists():
        return 0
    engine = create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    text("select count(*) from eligibility_check where status != 'not_checked'")
                ).scalar()
                or 0
            )
    except Exception:  # the table is not there yet
        return 0
    finally:
        engine.dispose()


def test_a_killed_run_resumes_without_asking_anyone_twice(sandbox_fresh: Any, tmp_path: Path) -> None:
    sandbox_fresh.set_fault("announcement", 0)
    searches = sandbox_fresh.state.eligibility_searches
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "connector.cli",
            "run",
            "eligibility",
            "--account",
            "prairie",
            "--as-of",
            str(DAY),
            "--days",
            "1",
        ],
        env=_env(sandbox_fresh, tmp_path),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        stored = _stored(tmp_path)
        if stored >= 4 and stored == len(searches):  # between two paced searches: nothing in flight
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    before = len(searches)
    assert 4 <= before < 13
    result = asyncio.run(_run(_settings(sandbox_fresh, tmp_path), days=1))
    assert result.ok, (result.error_class, result.error_message)
    assert result.counts["already_checked"] >= before
    assert set(Counter(searches).values()) == {1}
    assert result.counts["checked"] + before == len(searches)
