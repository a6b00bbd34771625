"""The job registry: the one list of job names; settings, the CLI, the scheduler and the cycle read it."""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from connector.errors import ConfigError

Needs = Literal["status", "browser", "store"]
"""What a job needs before it starts: the status page only, a signed-in browser, or only the store."""

JobFunction = Callable[[Any], Awaitable[dict[str, Any]]]
"""A job module's ``run(ctx: connector.jobs.context.JobContext) -> counts``."""


@dataclass(frozen=True, slots=True)
class JobSpec:
    """One job: its name, the module holding its ``run(ctx)``, what it needs, and its title for people."""

    name: str
    module: str
    needs: Needs
    title: str

    def function(self) -> JobFunction:
        """The job's ``run`` coroutine function (imported on first use, so settings stay light)."""
        found: JobFunction = importlib.import_module(self.module).run
        return found


JOBS: tuple[JobSpec, ...] = (
    JobSpec("health", "connector.jobs.health", "status", "Check the portal's status page"),
    JobSpec("eras", "connector.jobs.eras", "browser", "Sign in and download ERAs + PDF remits"),
    JobSpec("statuses", "connector.jobs.statuses", "browser", "Check claim statuses"),
    JobSpec("upload", "connector.jobs.upload", "browser", "Upload the scrubbed claim batch"),
    JobSpec("acks", "connector.jobs.acks", "browser", "Collect acknowledgements (999, 277CA)"),
    JobSpec("reconcile", "connector.jobs.reconcile", "store", "Reconcile ERAs against the PM export"),
)
"""Every job, in the order of the daily cycle."""

CYCLE_JOB = "all"
"""The name under which the whole daily cycle is run or scheduled."""

JOB_NAMES: tuple[str, ...] = tuple(spec.name for spec in JOBS)
CYCLE: tuple[str, ...] = JOB_NAMES
SCHEDULABLE: tuple[str, ...] = (*JOB_NAMES, CYCLE_JOB)
"""Names a schedule (or ``connector run``) accepts."""


def spec(name: str) -> JobSpec:
    """The job called ``name``; ConfigError naming the known jobs otherwise."""
    for job in JOBS:
        if job.name == name:
            return job
    raise ConfigError(f"unknown job {name!r}; known: {', '.join(SCHEDULABLE)}")


def jobs_of(name: str) -> tuple[str, ...]:
    """The jobs one schedulable name stands for: the whole cycle for ``all``, else the job itself."""
    if name == CYCLE_JOB:
        return CYCLE
    return (spec(name).name,)
