"""Findings 6 and 14: a wrong TOTP secret is tried once, then sign-in is blocked until the secret changes
(alert once, shown in status); a clock 120 s ahead of the portal is measured, codes are made on the portal's
time, a person is warned once, status shows it, and no account is blocked while the clock is off."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from connector.cli.ops_cmd import needs_person
from connector.jobs.paths import Paths
from connector.ops.policy import run_with_policy
from connector.ops.retry import RetryPolicy
from tests.hardening.conftest import account_settings, admin_state, notifier_for

FAST = RetryPolicy(attempts=1, base_seconds=0.0, max_seconds=0.0, jitter_seconds=0.0)
WRONG_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOTHING = {"claims": []}


@pytest.mark.finding(6)
async def test_refused_codes_block_sign_in_until_the_secret_changes(
    sandbox_fresh: Any, tmp_path: Path, webhook: Any
) -> None:
    sandbox_fresh.set_fault("announcement", 0)
    settings = account_settings(sandbox_fresh, tmp_path, webhook, totp_secret=SecretStr(WRONG_SECRET))
    notifier = notifier_for(settings)
    first = await run_with_policy("statuses", "prairie", settings, notifier, FAST, options=NOTHING)
    assert first.error_class == "MfaFailed" and "blocked until the TOTP secret" in (first.error_message or "")
    refused = admin_state(sandbox_fresh)["failed_codes"]
    assert refused >= 1
    second = await run_with_policy("statuses", "prairie", settings, notifier, FAST, options=NOTHING)
    assert second.error_class == "MfaFailed" and "sign-in blocked" in (second.error_message or "")
    assert admin_state(sandbox_fresh)["failed_codes"] == refused  # no password, no code sent again
    assert [m["type"] for m in webhook.messages] == ["failure"]  # one alert
    assert any("refused the one-time codes" in p for p in needs_person(settings))
    block = Paths(settings.data_dir, "prairie").mfa_block
    assert WRONG_SECRET.encode() not in block.read_bytes()  # a salted fingerprint only
    settings.accounts["prairie"].totp_secret = SecretStr(sandbox_fresh.totp_secret)  # a person fixes it
    fixed = await run_with_policy("statuses", "prairie", settings, notifier, FAST, options=NOTHING)
    assert fixed.ok, (fixed.error_class, fixed.error_message)
    assert not block.exists()


@pytest.mark.finding(14)
async def test_clock_ahead_is_measured_warned_once_and_codes_follow_the_portal(
    sandbox_fresh: Any, tmp_path: Path, webhook: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    sandbox_fresh.set_fault("announcement", 0)
    sandbox_fresh.set_fault("clock_offset", -120)  # the portal is 120 s behind: this machine is 120 s ahead
    settings = account_settings(sandbox_fresh, tmp_path, webhook)
    notifier = notifier_for(settings)
    for _ in range(2):
        result = await run_with_policy("statuses", "prairie", settings, notifier, FAST, options=NOTHING)
        assert result.ok, (result.error_class, result.error_message)  # signed in with codes on portal time
        assert 118 <= result.counts["clock_offset_s"] <= 122
    alerts = [m for m in webhook.messages if m["type"] == "failure"]
    assert len(alerts) == 1 and "120 s ahead of the portal: fix time sync" in alerts[0]["message"]
    assert caplog.text.count("s ahead of the portal: fix time sync") == 1
    assert any("s ahead of the portal: fix time sync" in p for p in needs_person(settings))
    sandbox_fresh.set_fault("clock_offset", 0)
    health = await run_with_policy("health", "prairie", settings, notifier, FAST)
    assert abs(health.counts["clock_offset_s"]) <= 2
    assert [m["type"] for m in webhook.messages] == ["failure", "success"]  # the clock is right again


@pytest.mark.finding(6, 14)
async def test_no_block_for_refused_codes_while_the_clock_is_off(
    sandbox_fresh: Any, tmp_path: Path, webhook: Any
) -> None:
    sandbox_fresh.set_fault("announcement", 0)
    sandbox_fresh.set_fault("clock_offset", -120)
    settings = account_settings(sandbox_fresh, tmp_path, webhook, totp_secret=SecretStr(WRONG_SECRET))
    result = await run_with_policy(
        "statuses", "prairie", settings, notifier_for(settings), FAST, options=NOTHING
    )
    assert result.error_class == "MfaFailed"
    assert "120 s ahead of the portal" in (result.error_message or "")
    assert not Paths(settings.data_dir, "prairie").mfa_block.exists()
