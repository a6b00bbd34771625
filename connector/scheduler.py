"""APScheduler 3.x wiring: a cron per job per account, one scheduler per database; jobs call the runner."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import signal
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from connector.errors import ConfigError, StorageError
from connector.fileio import ensure_private_file
from connector.settings import JOBS, ConnectorSettings, load_settings

log = logging.getLogger(__name__)

LEASE_NAME = "scheduler"
LEASE_TTL = dt.timedelta(minutes=2)
MISFIRE_GRACE_SECONDS = 3600
JOBSTORE_TABLE = "apscheduler_jobs"

_running: set[asyncio.Task[Any]] = set()
stop_requested = asyncio.Event()
"""Set on SIGTERM/SIGINT: the runner finishes its current step and stops at the next step boundary."""


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
        for job in JOBS:
            cron = crons.get(job, "").strip()
            if cron:
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


_scheduler: AsyncIOScheduler | None = None
"""The running scheduler (set by :func:`serve`), so a job skipped for maintenance can be rescheduled."""


async def fire(job: str, account: str) -> None:
    """What every scheduled job runs: load settings fresh (never pickled secrets) and call the runner."""
    if stop_requested.is_set():
        log.info("not starting %s for %s: the scheduler is stopping", job, account)
        return
    from connector.cycle import CYCLE, run_cycle, run_with_policy
    from connector.notify import Notifier
    from connector.store_incidents import StoreIncidentLog

    task = asyncio.current_task()
    if task is not None:
        _running.add(task)
    try:
        settings = load_settings()
        if job in ("all", "reconcile"):
            outcome = await run_cycle(account, settings, jobs=CYCLE if job == "all" else ("reconcile",))
            until = outcome.skipped_until
        else:
            notifier = Notifier(settings.notify_urls, StoreIncidentLog(settings.database_url))
            result = await run_with_policy(job, account, settings, notifier)
            until = result.until if result.outcome == "SKIPPED" else None
        if until:
            reschedule_after_maintenance(job, account, until)
    finally:
        if task is not None:
            _running.discard(task)


def reschedule_after_maintenance(job: str, account: str, until: str) -> dt.datetime | None:
    """Add a one-off run of the job a few minutes after the announced end of the maintenance window."""
    try:
        end = dt.datetime.fromisoformat(until.replace("Z", "+00:00"))
    except ValueError:
        log.warning("maintenance end %r not understood; the regular schedule will pick the job up", until)
        return None
    if end.tzinfo is None:
        end = end.replace(tzinfo=dt.UTC)
    when = end + dt.timedelta(minutes=5)
    if _scheduler is not None:
        _scheduler.add_job(
            "connector.scheduler:fire",
            trigger="date",
            run_date=when,
            args=[job, account],
            id=f"{account}:{job}:after-maintenance",
            replace_existing=True,
        )
        log.info("%s for %s rescheduled after maintenance, at %s", job, account, when.isoformat())
    return when


def build_scheduler(
    settings: ConnectorSettings,
    *,
    jobstore: str | None = None,
    func: Callable[..., Awaitable[None]] | str = "connector.scheduler:fire",
    on_skip: Callable[[str, str], None] | None = None,
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
    plan = job_plan(settings)
    for planned in plan:
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
    scheduler._connector_plan = {p.job_id for p in plan}
    return scheduler


def prune_removed_jobs(scheduler: AsyncIOScheduler) -> list[str]:
    """Remove stored jobs that are no longer in the settings (after start, when the store is loaded)."""
    wanted: set[str] = getattr(scheduler, "_connector_plan", set())
    removed = [job.id for job in scheduler.get_jobs() if job.id not in wanted]
    for job_id in removed:
        scheduler.remove_job(job_id)
    return removed


class Lease:
    """The single-instance lease in the database: a second scheduler refuses to start."""

    def __init__(self, database_url: str, holder: str | None = None) -> None:
        from connector.store import ensure_schema, make_engine, session_factory

        ensure_schema(database_url)
        self._sessions = session_factory(make_engine(database_url))
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}"

    def acquire(self) -> None:
        """Take the lease or raise StorageError naming who holds it.

        A lease held by a process of this host that no longer exists is taken over at once; one held from
        another host is refused until its time to live runs out.
        """
        from connector.processes import gone_from_this_host
        from connector.store import acquire_lease, lease_holder, take_over_lease

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
        from connector.store import renew_lease

        with self._sessions() as session:
            ok = renew_lease(session, LEASE_NAME, self.holder, LEASE_TTL)
            session.commit()
            return ok

    def release(self) -> None:
        """Give the lease back."""
        from connector.store import release_lease

        with self._sessions() as session:
            release_lease(session, LEASE_NAME, self.holder)
            session.commit()


async def serve(settings: ConnectorSettings, *, jobstore: str | None = None) -> None:
    """Run the scheduler until SIGTERM/SIGINT; the current step of a running job finishes first."""
    lease = Lease(settings.database_url)
    lease.acquire()
    global _scheduler
    scheduler = build_scheduler(settings, jobstore=jobstore)
    _scheduler = scheduler
    from connector.recovery import recover

    recover(settings.database_url, settings.data_dir, settings.trace_retention_days)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop_requested.set)
    scheduler.start()
    removed = prune_removed_jobs(scheduler)
    if removed:
        log.info("removed jobs no longer configured: %s", ", ".join(removed))
    for job in scheduler.get_jobs():
        log.info("scheduled %s, next at %s", job.id, job.next_run_time)
    try:
        while not stop_requested.is_set():
            try:
                await asyncio.wait_for(stop_requested.wait(), timeout=LEASE_TTL.total_seconds() / 3)
            except TimeoutError:
                if not lease.renew():
                    log.error("lost the scheduler lease; stopping")
                    break
        log.info("stopping: waiting for %d running job(s) to finish their current step", len(_running))
        scheduler.pause()
        if _running:
            await asyncio.gather(*_running, return_exceptions=True)
    finally:
        scheduler.shutdown(wait=False)
        lease.release()
