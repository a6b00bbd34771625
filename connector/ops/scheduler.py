"""The scheduler service: APScheduler 3.x with a cron per job per account, one per database (by lease).

Every fired job goes through the same dispatch as `connector run` (``connector.ops.dispatch``).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import signal
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from connector.browser.shared import SHARED, SharedBrowser
from connector.errors import ConfigError, StorageError
from connector.fileio import ensure_private_file
from connector.filestore import check_fleet_settings
from connector.fleet.queue import defer, ensure_queue_schema, make_app
from connector.jobs.registry import CYCLE_JOB, SCHEDULABLE, spec
from connector.ops.dispatch import dispatch
from connector.ops.recovery import recover
from connector.processes import gone_from_this_host
from connector.settings import ConnectorSettings, load_settings
from connector.store import (
    acquire_lease,
    ensure_schema,
    lease_holder,
    make_engine,
    release_lease,
    renew_lease,
    session_factory,
    take_over_lease,
)

log = logging.getLogger(__name__)

LEASE_NAME = "scheduler"
LEASE_TTL = dt.timedelta(minutes=2)
MISFIRE_GRACE_SECONDS = 3600
JOBSTORE_TABLE = "apscheduler_jobs"


@dataclass(frozen=True)
class PlannedJob:
    """One scheduled job: which job, for which account, on which cron."""

    job_id: str
    job: str
    account: str
    cron: str


def job_plan(settings: ConnectorSettings) -> list[PlannedJob]:
    """The default schedule overlaid with each account's overrides (an empty cron turns a job off)."""
    plan = []
    for account, acct in sorted(settings.accounts.items()):
        crons = {**settings.default_schedule, **acct.schedule}
        for job in SCHEDULABLE:
            cron = crons.get(job, "").strip()
            if cron and (job == CYCLE_JOB or spec(job).available(acct)):
                plan.append(PlannedJob(f"{account}:{job}", job, account, cron))
    return plan


_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _crontab_days(field: str) -> str:
    """Translate a crontab weekday field (0 or 7 = Sunday) into APScheduler names (it counts 0 = Monday)."""
    if not any(ch.isdigit() for ch in field):
        return field
    days: set[int] = set()
    for token in field.split(","):
        part, _, step_text = token.partition("/")
        step = int(step_text) if step_text else 1
        if part == "*":
            low, high = 0, 6
        elif "-" in part:
            low, high = (int(x) for x in part.split("-", 1))
        else:
            low = high = int(part)
            if step_text:
                high = 6
        if not (0 <= low <= 7 and 0 <= high <= 7 and low <= high and step > 0):
            raise ValueError(f"day of week {field!r}")
        days.update(day % 7 for day in range(low, high + 1, step))
    return ",".join(_DAY_NAMES[d] for d in sorted(days))


class WallClockCronTrigger(CronTrigger):  # type: ignore[misc]
    """A CronTrigger that counts on the practice's wall clock, the way cron does across DST changes.

    APScheduler 3 offers a repeated 01:30 again and again after a fall-back, and silently skips a day whose
    02:30 does not exist at a spring-forward. Here the next time is found on the wall clock (computed as if
    it were UTC) and only then placed in the time zone: a repeated time fires once, a missing one an hour
    later that day.
    """

    def _wall_trigger(self) -> CronTrigger:
        state: dict[str, Any] = CronTrigger.__getstate__(self)
        state.update(timezone=dt.UTC, start_date=None, end_date=None, jitter=None)
        wall: CronTrigger = CronTrigger.__new__(CronTrigger)
        wall.__setstate__(state)
        return wall

    def get_next_fire_time(
        self, previous_fire_time: dt.datetime | None, now: dt.datetime
    ) -> dt.datetime | None:
        zone = self.timezone

        def on_wall(moment: dt.datetime) -> dt.datetime:
            return moment.astimezone(zone).replace(tzinfo=dt.UTC, fold=0)

        previous = on_wall(previous_fire_time) if previous_fire_time is not None else None
        wall_next: dt.datetime | None = self._wall_trigger().get_next_fire_time(previous, on_wall(now))
        if wall_next is None:
            return None
        # fold=0: the first of a repeated time; a time in a gap comes out an hour later
        nxt = wall_next.replace(tzinfo=zone).astimezone(dt.UTC).astimezone(zone)
        if self.end_date is not None and nxt > self.end_date:
            return None
        return nxt


def make_trigger(cron: str, timezone: str) -> CronTrigger:
    """A trigger from a 5-field crontab line (minute hour day month weekday) in the practice's time zone."""
    try:
        fields = cron.split()
        if len(fields) != 5:
            raise ValueError(f"expected 5 fields, got {len(fields)}")
        minute, hour, day, month, weekday = fields
        return WallClockCronTrigger(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=_crontab_days(weekday),
            timezone=ZoneInfo(timezone),
        )
    except (ValueError, KeyError) as exc:
        raise ConfigError(f"bad cron {cron!r} or time zone {timezone!r}: {exc}") from None


def jobstore_url(settings: ConnectorSettings) -> str:
    """The job store: its own SQLite file next to the database, or the PostgreSQL database itself."""
    if settings.database_url.startswith("sqlite"):
        return f"sqlite:///{Path(settings.data_dir) / 'scheduler.db'}"
    return settings.database_url


def after_maintenance(until: str) -> dt.datetime | None:
    """When to run a job skipped for maintenance: five minutes after the window ends (None if unreadable)."""
    try:
        end = dt.datetime.fromisoformat(until.replace("Z", "+00:00"))
    except ValueError:
        log.warning("maintenance end %r not understood; the regular schedule will pick the job up", until)
        return None
    if end.tzinfo is None:
        end = end.replace(tzinfo=dt.UTC)
    return end + dt.timedelta(minutes=5)


def build_scheduler(
    settings: ConnectorSettings,
    *,
    jobstore: str | None = None,
    func: Callable[..., Awaitable[None]] | str = "connector.ops.scheduler:fire",
    on_skip: Callable[[str, str], None] | None = None,
    plan: list[PlannedJob] | None = None,
) -> AsyncIOScheduler:
    """Create the scheduler with our job defaults and (re)register every planned job.

    ``jobstore`` is a SQLAlchemy URL (default: :func:`jobstore_url`) or ``"memory"`` for tests.
    """
    url = jobstore or jobstore_url(settings)
    if url.startswith("sqlite:///"):  # created here 0600 in a 0700 folder, not by SQLite with the umask
        ensure_private_file(Path(url.removeprefix("sqlite:///")))
    store: Any = (
        MemoryJobStore() if url == "memory" else SQLAlchemyJobStore(url=url, tablename=JOBSTORE_TABLE)
    )
    scheduler = AsyncIOScheduler(
        jobstores={"default": store},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS},
        timezone=ZoneInfo(settings.timezone),
    )
    for planned in job_plan(settings) if plan is None else plan:
        scheduler.add_job(
            func,
            trigger=make_trigger(planned.cron, settings.timezone),
            args=[planned.job, planned.account],  # ids only: arguments are pickled into the job store
            id=planned.job_id,
            name=planned.job_id,
            replace_existing=True,
        )

    def _skipped(event: JobExecutionEvent) -> None:
        why = "still running" if event.code == EVENT_JOB_MAX_INSTANCES else "missed its window"
        log.warning("skipped %s: the previous run is %s", event.job_id, why)
        if on_skip is not None:
            on_skip(event.job_id, why)

    scheduler.add_listener(_skipped, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED)
    return scheduler


class Lease:
    """The single-instance lease in the database: a second scheduler refuses to start."""

    def __init__(self, database_url: str, holder: str | None = None) -> None:
        ensure_schema(database_url)
        self._sessions = session_factory(make_engine(database_url))
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}"

    def acquire(self) -> None:
        """Take the lease or raise StorageError naming who holds it.

        A lease held by a process of this host that no longer exists is taken over at once; one held from
        another host is refused until its time to live runs out.
        """
        with self._sessions() as session:
            ok = acquire_lease(session, LEASE_NAME, self.holder, LEASE_TTL)
            session.commit()
            holder = None if ok else lease_holder(session, LEASE_NAME)
            if holder and gone_from_this_host(holder):  # killed (SIGKILL, OOM) on this host: no need to wait
                ok = take_over_lease(session, LEASE_NAME, holder, self.holder, LEASE_TTL)
                session.commit()
                if ok:
                    log.warning("took over the scheduler lease of %s: that process no longer exists", holder)
            if not ok:
                holder = lease_holder(session, LEASE_NAME)
                raise StorageError(
                    f"another scheduler is running against this database ({holder}); not starting"
                )

    def renew(self) -> bool:
        """Extend the lease; False if it was lost."""
        with self._sessions() as session:
            ok = renew_lease(session, LEASE_NAME, self.holder, LEASE_TTL)
            session.commit()
            return ok

    def release(self) -> None:
        """Give the lease back."""
        with self._sessions() as session:
            release_lease(session, LEASE_NAME, self.holder)
            session.commit()


class Scheduler:
    """The scheduler service: owns its APScheduler, its plan, its stop event and the jobs it is running.

    SIGTERM/SIGINT set the stop event: a running cycle finishes its current job and starts no new one.
    """

    active: ClassVar[Scheduler | None] = None
    """The serving instance, which the job store's textual reference (:func:`fire`) reaches."""

    def __init__(
        self,
        settings: ConnectorSettings,
        *,
        jobstore: str | None = None,
        load: Callable[[], ConnectorSettings] = load_settings,
    ) -> None:
        self.settings = settings
        self.plan = job_plan(settings)
        self.aps = build_scheduler(settings, jobstore=jobstore, plan=self.plan)
        self.stop_event = asyncio.Event()
        self.running: set[asyncio.Task[Any]] = set()
        self._load = load
        # fleet mode: this service is the dispatcher; a clear error now without PostgreSQL or a storage key
        if settings.executor == "queue":
            check_fleet_settings(settings)
        self.queue = make_app(settings) if settings.executor == "queue" else None

    def should_stop(self) -> bool:
        """True once a stop was requested (the cycle checks this between jobs)."""
        return self.stop_event.is_set()

    def stop(self) -> None:
        """Ask the service to stop: running jobs finish their current step, nothing new starts."""
        self.stop_event.set()

    async def fire(self, job: str, account: str) -> None:
        """Run one scheduled job: settings loaded fresh (never pickled secrets), then the common dispatch."""
        if self.should_stop():
            log.info("not starting %s for %s: the scheduler is stopping", job, account)
            return
        if self.queue is not None:
            await defer(self.queue, self._load(), job, account)
            return
        task = asyncio.current_task()
        if task is not None:
            self.running.add(task)
        try:
            outcome = await dispatch(job, account, self._load(), should_stop=self.should_stop)
            if outcome.skipped_until:
                self.reschedule_after_maintenance(job, account, outcome.skipped_until)
        finally:
            if task is not None:
                self.running.discard(task)

    def reschedule_after_maintenance(self, job: str, account: str, until: str) -> dt.datetime | None:
        """Add a one-off run of the job a few minutes after the announced end of the maintenance window."""
        when = after_maintenance(until)
        if when is not None:
            self.aps.add_job(
                "connector.ops.scheduler:fire",
                trigger="date",
                run_date=when,
                args=[job, account],
                id=f"{account}:{job}:after-maintenance",
                replace_existing=True,
            )
            log.info("%s for %s rescheduled after maintenance, at %s", job, account, when.isoformat())
        return when

    def prune_removed_jobs(self) -> list[str]:
        """Remove stored jobs that are no longer in the settings (after start, when the store is loaded)."""
        wanted = {p.job_id for p in self.plan}
        removed = [
            job.id
            for job in self.aps.get_jobs()
            if job.id not in wanted and "after-maintenance" not in job.id
        ]
        for job_id in removed:
            self.aps.remove_job(job_id)
        return removed

    async def serve(self) -> None:
        """Run until SIGTERM/SIGINT (or a lost lease); the current step of a running job finishes first.

        With ``executor = "queue"`` it only defers each fired job to the fleet's queue.
        """
        async with contextlib.AsyncExitStack() as stack:
            if self.queue is not None:
                await stack.enter_async_context(self.queue.open_async())
                await ensure_queue_schema(self.queue)
            else:  # the local executor: one Chromium for the process, a context per running job
                browser = SharedBrowser(self.settings.browser)
                SHARED.set(browser)
                stack.push_async_callback(browser.close)
            await self._serve()

    async def _serve(self) -> None:
        lease = Lease(self.settings.database_url)
        lease.acquire()
        Scheduler.active = self
        recover(self.settings.database_url, self.settings.data_dir, self.settings.trace_retention_days)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stop)
        self.aps.start()
        removed = self.prune_removed_jobs()
        if removed:
            log.info("removed jobs no longer configured: %s", ", ".join(removed))
        for job in self.aps.get_jobs():
            log.info("scheduled %s, next at %s", job.id, job.next_run_time)
        try:
            while not self.should_stop():
                try:
                    await asyncio.wait_for(self.stop_event.wait(), timeout=LEASE_TTL.total_seconds() / 3)
                except TimeoutError:
                    if not lease.renew():
                        log.error("lost the scheduler lease; stopping")
                        break
            log.info(
                "stopping: waiting for %d running job(s) to finish their current step", len(self.running)
            )
            self.aps.pause()
            if self.running:
                await asyncio.gather(*self.running, return_exceptions=True)
        finally:
            self.aps.shutdown(wait=False)
            lease.release()
            Scheduler.active = None


async def fire(job: str, account: str) -> None:
    """What the job store names for every scheduled job (a textual reference): Scheduler.active.fire."""
    if Scheduler.active is None:
        log.warning("%s for %s fired with no scheduler serving; ignored", job, account)
        return
    await Scheduler.active.fire(job, account)


async def serve(settings: ConnectorSettings, *, jobstore: str | None = None) -> None:
    """Run the scheduler service until stopped (what `connector schedule` calls)."""
    await Scheduler(settings, jobstore=jobstore).serve()
