"""One dispatch for every caller: `connector run`, the scheduler and the demo run jobs the same way."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from connector.jobs.registry import jobs_of
from connector.ops.cycle import CycleOutcome, Progress, ShouldStop, never, run_cycle
from connector.ops.limiter import SessionLimiter, local_limiter
from connector.ops.notify import Notifier
from connector.ops.policy import Sleep
from connector.ops.retry import RetryPolicy
from connector.settings import ConnectorSettings


async def dispatch(
    job: str,
    account: str | None,
    settings: ConnectorSettings,
    *,
    notifier: Notifier | None = None,
    policy: RetryPolicy | None = None,
    options: dict[str, Any] | None = None,
    as_of: dt.date | None = None,
    progress: Progress | None = None,
    should_stop: ShouldStop = never,
    sleep: Sleep = asyncio.sleep,
    limiter: SessionLimiter | None = None,
) -> CycleOutcome:
    """Run a registered job (or ``all``: the whole daily cycle) for one account, under the retry policy and
    the alert rules. Raises ConfigError for an unknown job or account, before anything runs.

    Every dispatch of the process goes through one :class:`SessionLimiter` (``max_sessions`` at once, never
    two of one account); a fleet worker passes its own.
    """
    jobs = jobs_of(job)
    name, _ = settings.account(account)
    limits = limiter or local_limiter(settings.max_sessions)
    async with limits.session(name):
        return await run_cycle(
            name,
            settings,
            notifier=notifier,
            policy=policy,
            progress=progress,
            jobs=jobs,
            as_of=as_of,
            options=options,
            should_stop=should_stop,
            sleep=sleep,
        )
