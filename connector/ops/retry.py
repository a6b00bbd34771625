"""Retry policy: how long to back off while the portal is unavailable (RetryPolicy is the `retry` setting)."""

from __future__ import annotations

import random

from connector.settings import RetryPolicy

NO_RETRY = RetryPolicy(attempts=1)
"""For a person at the keyboard (``connector run --no-retry``): one attempt, same alerts."""


def wait_seconds(policy: RetryPolicy, attempt: int, retry_after: float | None = None) -> float:
    """Exponential backoff with jitter, or the server's Retry-After when it gave one (bounded)."""
    if retry_after is not None and retry_after >= 0:
        return min(float(retry_after), policy.max_retry_after)
    backoff = min(policy.base_seconds * (2 ** max(attempt - 1, 0)), policy.max_seconds)
    return float(backoff) + random.uniform(0, policy.jitter_seconds)


__all__ = ["NO_RETRY", "RetryPolicy", "wait_seconds"]
