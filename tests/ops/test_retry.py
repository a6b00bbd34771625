"""Retry policy: back off on PortalUnavailable (honouring Retry-After); the error classes say what is retried
and what needs a person; ledger names map back to the classes."""

from __future__ import annotations

import pytest

from connector import errors
from connector.errors import (
    ConnectorError,
    DownloadFailed,
    LoginRejected,
    MfaFailed,
    PortalMaintenance,
    PortalUnavailable,
    SelectorMissing,
    UnknownInterstitial,
)
from connector.jobs.context import RunResult
from connector.ops.policy import run_with_policy
from connector.ops.retry import RetryPolicy, wait_seconds


@pytest.mark.parametrize(
    ("cls", "retryable", "needs_person"),
    [
        (PortalUnavailable, True, False),
        (DownloadFailed, True, False),
        (PortalMaintenance, False, False),
        (LoginRejected, False, True),
        (MfaFailed, False, True),
        (SelectorMissing, False, True),
        (UnknownInterstitial, False, True),
        (errors.ConfigError, False, False),
    ],
)
def test_the_error_classes_decide(cls: type[ConnectorError], retryable: bool, needs_person: bool) -> None:
    assert (cls.retryable, cls.needs_person) == (retryable, needs_person)
    if needs_person:
        assert cls.advice("mainst") != errors.DEFAULT_ADVICE
        assert "{ACCOUNT}" not in cls.advice("mainst") and "{account}" not in cls.advice("mainst")


def test_advice_names_the_account_variable() -> None:
    assert "CONNECTOR_ACCOUNTS__MAINST__PASSWORD" in LoginRejected.advice("mainst")
    assert "--account mainst" in SelectorMissing.advice("mainst")


def test_waits() -> None:
    assert wait_seconds(RetryPolicy(), 1, 7) == 7
    assert wait_seconds(RetryPolicy(max_retry_after=30), 1, 3600) == 30
    policy = RetryPolicy(base_seconds=2, max_seconds=10, jitter_seconds=0.5)
    waits = [wait_seconds(policy, n) for n in (1, 2, 3, 4, 5)]
    assert 2 <= waits[0] <= 2.5 and 4 <= waits[1] <= 4.5 and 8 <= waits[2] <= 8.5
    assert all(10 <= w <= 10.5 for w in waits[3:])


def test_results_carry_the_error_object() -> None:
    failed = RunResult(1, "eras", "mainst", "FAILED", error=PortalUnavailable("429", retry_after=9))
    assert failed.retryable and not failed.needs_person and failed.retry_after == 9
    assert failed.error_class == "PortalUnavailable" and failed.error_message == "429"
    skipped = RunResult(
        2, "eras", "mainst", "SKIPPED", error=PortalMaintenance("m", until="2026-01-01T05:00Z")
    )
    assert not skipped.retryable and skipped.until == "2026-01-01T05:00Z"
    bug = RunResult(3, "eras", "mainst", "FAILED", error=KeyError("patient Jane Doe"))
    assert bug.error_class == "KeyError" and "Jane" not in (bug.error_message or "")
    assert not bug.retryable and not bug.needs_person


def test_ledger_error_names_map_back_to_the_tree() -> None:
    assert errors.by_name("LoginRejected") is LoginRejected
    assert errors.by_name("DownloadFailed") is DownloadFailed
    assert errors.by_name("KeyError") is None and errors.by_name(None) is None
    assert errors.by_name("by_name") is None


async def test_policy_retries_only_retryable_results(monkeypatch: pytest.MonkeyPatch) -> None:
    from connector.ops import policy as module
    from connector.ops.notify import Notifier

    outcomes = iter([PortalUnavailable("503"), PortalUnavailable("429", retry_after=3), None])
    calls: list[str] = []
    pauses: list[float] = []

    async def fake_run_job(job: str, account: str, settings: object, options: object = None) -> RunResult:
        calls.append(job)
        error = next(outcomes)
        return RunResult(len(calls), job, account, "FAILED" if error else "SUCCEEDED", error=error)

    async def no_sleep(seconds: float) -> None:
        pauses.append(seconds)

    monkeypatch.setattr(module, "run_job", fake_run_job)
    monkeypatch.setattr(module, "after_run", lambda *args: None)
    fast = RetryPolicy(attempts=4, base_seconds=0, max_seconds=0, jitter_seconds=0)
    result = await run_with_policy("eras", "mainst", object(), Notifier([]), fast, sleep=no_sleep)  # type: ignore[arg-type]
    assert result.ok and calls == ["eras"] * 3 and pauses == [0.0, 3.0]

    outcomes = iter([LoginRejected("no"), None])
    calls.clear()
    result = await run_with_policy("eras", "mainst", object(), Notifier([]), fast, sleep=no_sleep)  # type: ignore[arg-type]
    assert calls == ["eras"] and isinstance(result.error, LoginRejected)
