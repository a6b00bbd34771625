"""Retry policy keyed on the error tree: back off while the portal is unavailable, never retry the rest."""

from __future__ import annotations

import random
from dataclasses import dataclass

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from connector.errors import PortalMaintenance, PortalUnavailable


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a portal step that failed for a passing reason."""

    attempts: int = 4
    base_seconds: float = 2.0
    max_seconds: float = 120.0
    jitter_seconds: float = 1.0
    max_retry_after: float = 300.0


def retryable_class(cls: type[BaseException]) -> bool:
    """PortalUnavailable (5xx, 429, timeouts, broken downloads) is retried; maintenance and the rest not."""
    return issubclass(cls, PortalUnavailable) and not issubclass(cls, PortalMaintenance)


def is_retryable(exc: BaseException) -> bool:
    """Whether this error is worth another attempt (see :func:`retryable_class`)."""
    return retryable_class(type(exc))


def wait_seconds(policy: RetryPolicy, attempt: int, exc: BaseException | None) -> float:
    """Exponential backoff with jitter, or the server's Retry-After when it gave one (bounded)."""
    retry_after = getattr(exc, "retry_after", None)
    if isinstance(retry_after, int | float) and retry_after >= 0:
        return min(float(retry_after), policy.max_retry_after)
    backoff = min(policy.base_seconds * (2 ** max(attempt - 1, 0)), policy.max_seconds)
    return float(backoff) + random.uniform(0, policy.jitter_seconds)


def retrying(policy: RetryPolicy | None = None) -> AsyncRetrying:
    """An AsyncRetrying for ``async for attempt in retrying(): with attempt: ...`` blocks."""
    chosen = policy or RetryPolicy()

    def _wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome is not None else None
        return wait_seconds(chosen, state.attempt_number, exc)

    return AsyncRetrying(
        retry=retry_if_exception(is_retryable),
        stop=stop_after_attempt(chosen.attempts),
        wait=_wait,
        reraise=True,
    )
