"""The daily cycle: each job in the registry's order under the retry policy, then the summary to a person."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connector.jobs.context import RunResult
from connector.jobs.registry import CYCLE
from connector.ops.incidents import StoreIncidentLog
from connector.ops.notify import Notifier
from connector.ops.policy import Sleep, run_with_policy
from connector.ops.retry import RetryPolicy
from connector.settings import ConnectorSettings
from connector.store import RunOutcome as Outcome

log = logging.getLogger(__name__)

Progress = Callable[[str, RunResult | None], None]
ShouldStop = Callable[[], bool]


def never() -> bool:
    """The default ``should_stop``: nothing asks a command-line run to stop between steps."""
    return False


@dataclass
class CycleOutcome:
    """What one cycle (or one job) did, for the summary table, the notification and the scheduler."""

    account: str
    results: list[RunResult] = field(default_factory=list)
    report: Path | None = None
    skipped_until: str | None = None
    stopped_by: str | None = None

    @property
    def ok(self) -> bool:
        """True when every job ran and nothing needs a person."""
        return self.stopped_by is None and self.skipped_until is None and all(r.ok for r in self.results)


async def run_cycle(
    account: str,
    settings: ConnectorSettings,
    *,
    notifier: Notifier | None = None,
    policy: RetryPolicy | None = None,
    progress: Progress | None = None,
    jobs: tuple[str, ...] = CYCLE,
    as_of: dt.date | None = None,
    options: dict[str, Any] | None = None,
    should_stop: ShouldStop = never,
    sleep: Sleep = asyncio.sleep,
) -> CycleOutcome:
    """Run ``jobs`` (default the whole cycle: health -> ERAs -> statuses -> upload -> acks -> reconcile) for
    one account; stop at the first failure, at maintenance, or when ``should_stop()`` says so between jobs."""
    notify = notifier or Notifier(settings.notify_urls, StoreIncidentLog(settings.database_url))
    outcome = CycleOutcome(account)
    for job in jobs:
        if should_stop():
            log.info("stop requested: the cycle ends before %s", job)
            outcome.stopped_by = f"{job}: stop requested"
            break
        if progress:
            progress(job, None)
        job_options = dict(options or {})
        if as_of is not None:
            job_options.setdefault("as_of", as_of)
        result = await run_with_policy(
            job, account, settings, notify, policy, sleep=sleep, options=job_options
        )
        outcome.results.append(result)
        if result.report is not None:
            outcome.report = result.report
        if progress:
            progress(job, result)
        if result.outcome == Outcome.SKIPPED.value:
            outcome.skipped_until = result.until or "unknown"
            log.info("portal in maintenance until %s; the cycle stops here", outcome.skipped_until)
            break
        if not result.ok:
            outcome.stopped_by = f"{job}: {result.error_class}"
            break
    if outcome.ok and outcome.report is not None:
        await asyncio.to_thread(
            notify.summary,
            f"Daily reconciliation for {account}",
            summary_text(outcome),
            report=outcome.report,
        )
    return outcome


def summary_text(outcome: CycleOutcome) -> str:
    """A short, PHI-free summary of the cycle: counts per job and the report's name."""
    lines = []
    for result in outcome.results:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(result.counts.items()) if isinstance(v, int | str))
        lines.append(f"{result.job}: {result.outcome.lower()}{' - ' + counts if counts else ''}")
    if outcome.report is not None:
        lines.append(f"Report: {outcome.report.name}")
    return "\n".join(lines)
