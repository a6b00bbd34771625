"""Retry policy: how often and how long to back off while the portal is unavailable."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a job that failed for a passing reason (``error.retryable``)."""

    attempts: int = 4
    base_seconds: float = 2.0
    max_seconds: float = 120.0
    jitter_seconds: float = 1.0
    max_retry_after: float = 300.0


NO_RETRY = RetryPolicy(attempts=1)
"""For a person at the keyboard (``connector run --no-retry``): one attempt, same alerts."""


def wait_seconds(policy: RetryPolicy, attempt: int, retry_after: float | None = None) -> float:
    """Exponential backoff with jitter, or the server's Retry-After when it gave one (bounded)."""
    if retry_after is not None and retry_after >= 0:
        return min(float(retry_after), policy.max_retry_after)
    backoff = min(policy.base_seconds * (2 ** max(attempt - 1, 0)), policy.max_seconds)
    return float(backoff) + random.uniform(0, policy.jitter_seconds)
