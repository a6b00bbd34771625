"""Retry policy: back off on PortalUnavailable (honouring Retry-After), never retry a rejected password."""

from __future__ import annotations

import pytest

from connector.errors import LoginRejected, PortalMaintenance, PortalUnavailable, SelectorMissing
from connector.retry import RetryPolicy, is_retryable, retrying, wait_seconds

FAST = RetryPolicy(attempts=3, base_seconds=0.0, max_seconds=0.0, jitter_seconds=0.0)


async def _run(exc_factory: type[Exception] | None, fail_times: int) -> int:
    calls = 0
    async for attempt in retrying(FAST):
        with attempt:
            calls += 1
            if exc_factory is not None and calls <= fail_times:
                raise exc_factory("boom")
    return calls


async def test_unavailable_is_retried_then_succeeds() -> None:
    assert await _run(PortalUnavailable, fail_times=2) == 3


async def test_unavailable_gives_up_after_attempts() -> None:
    with pytest.raises(PortalUnavailable):
        await _run(PortalUnavailable, fail_times=5)


@pytest.mark.parametrize("exc", [LoginRejected, PortalMaintenance])
async def test_never_retried(exc: type[Exception]) -> None:
    calls = 0
    with pytest.raises(exc):
        async for attempt in retrying(FAST):
            with attempt:
                calls += 1
                raise exc("no")
    assert calls == 1


def test_classification_and_waits() -> None:
    assert is_retryable(PortalUnavailable("x"))
    assert not is_retryable(SelectorMissing("sandbox-v1", "login.username"))
    assert wait_seconds(RetryPolicy(), 1, PortalUnavailable("429", retry_after=7)) == 7
    assert wait_seconds(RetryPolicy(max_retry_after=30), 1, PortalUnavailable("429", retry_after=3600)) == 30
    policy = RetryPolicy(base_seconds=2, max_seconds=10, jitter_seconds=0.5)
    waits = [wait_seconds(policy, n, PortalUnavailable("503")) for n in (1, 2, 3, 4, 5)]
    assert 2 <= waits[0] <= 2.5 and 4 <= waits[1] <= 4.5 and 8 <= waits[2] <= 8.5
    assert all(10 <= w <= 10.5 for w in waits[3:])


def test_ledger_error_names_map_back_to_the_tree() -> None:
    from connector import errors

    assert errors.by_name("LoginRejected") is LoginRejected
    assert errors.by_name("KeyError") is None and errors.by_name(None) is None
    assert errors.needs_person("SelectorMissing") and not errors.needs_person("PortalUnavailable")
