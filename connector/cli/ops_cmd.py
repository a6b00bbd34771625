"""`connector schedule` (run unattended) and `connector status` (recent and next runs, what needs care)."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from connector import errors
from connector.cli.output import rich_safe
from connector.errors import ConfigError, ConnectorError
from connector.settings import ConnectorSettings, load_settings


def _settings() -> ConnectorSettings:
    try:
        return load_settings()
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def schedule() -> None:
    """Run the scheduler until stopped (SIGTERM lets the current step finish). One per database."""
    from connector.logging import register_secrets
    from connector.ops.scheduler import serve

    settings = _settings()
    register_secrets(settings.secret_values())
    try:
        asyncio.run(serve(settings))
    except ConnectorError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None


def next_runs(settings: ConnectorSettings, now: dt.datetime) -> list[tuple[str, str, dt.datetime | None]]:
    """(job id, cron, next fire time in the practice's zone) for every planned job."""
    from connector.ops.scheduler import job_plan, make_trigger

    out = []
    for planned in job_plan(settings):
        trigger = make_trigger(planned.cron, settings.timezone)
        out.append((planned.job_id, planned.cron, trigger.get_next_fire_time(None, now)))
    return out


def needs_person(settings: ConnectorSettings) -> list[str]:
    """Problems no retry will fix: the latest run of a job failed with a person-issue; unsettled uploads."""
    from connector.jobs.paths import Paths
    from connector.jobs.signin import account_notes
    from connector.store import BatchState, Run, SubmissionBatch, ensure_schema, open_session

    ensure_schema(settings.database_url)
    problems = []
    with open_session(settings.database_url) as session:
        latest: dict[tuple[str, int | None], Run] = {}
        for run in session.scalars(select(Run).order_by(Run.started_at)):
            latest[(run.job, run.account_id)] = run
        for (job, _), run in sorted(latest.items(), key=lambda kv: kv[0][0]):
            cls = errors.by_name(run.error_class)
            if cls is not None and cls.needs_person:
                problems.append(f"{job}: {run.error_class}: {run.error_message or ''}".strip())
        for account in sorted(settings.accounts):
            problems += [f"{account}: {note}" for note in account_notes(Paths(settings.data_dir, account))]
        unknown = select(SubmissionBatch).where(SubmissionBatch.state == BatchState.UNKNOWN)
        for batch in session.scalars(unknown):
            problems.append(f"claim batch {batch.id}: upload outcome unknown; checked again on the next run")
    return problems


def status(limit: int = typer.Option(15, "--limit", help="How many recent runs to show.")) -> None:
    """Recent runs, the next scheduled runs, and anything that needs a person."""
    from connector.clock import describe_offset, load_reading
    from connector.jobs.paths import Paths
    from connector.store import Run, ensure_schema, open_session

    settings = _settings()
    console = Console(width=150)
    ensure_schema(settings.database_url)
    runs = Table(title="recent runs")
    for column in ("id", "job", "started (UTC)", "outcome", "counts", "error"):
        runs.add_column(column)
    with open_session(settings.database_url) as session:
        for run in session.scalars(select(Run).order_by(Run.started_at.desc()).limit(limit)):
            counts = ", ".join(f"{k}={v}" for k, v in sorted(run.counts.items()))
            error = f"{run.error_class}: {run.error_message}" if run.error_class else ""
            started = run.started_at.strftime("%Y-%m-%d %H:%M")
            runs.add_row(str(run.id), run.job, started, run.outcome, counts, error[:60])
    console.print(runs)
    upcoming = Table(title=f"next runs ({settings.timezone})")
    for column in ("job", "cron", "next"):
        upcoming.add_column(column)
    now = dt.datetime.now(ZoneInfo(settings.timezone))
    for job_id, cron, when in next_runs(settings, now):
        upcoming.add_row(job_id, cron, when.strftime("%a %Y-%m-%d %H:%M") if when else "never")
    console.print(upcoming)
    for account in sorted(settings.accounts):
        reading = load_reading(Paths(settings.data_dir, account).clock_state)
        if reading is not None:
            measured = dt.datetime.fromtimestamp(reading.measured_at, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
            said = describe_offset(reading.offset_s)
            console.print(f"clock ({account}): {said}; measured from the {reading.source}, {measured}")
    if settings.executor == "queue":
        from connector.cli.fleet_cmd import print_fleet

        try:
            print_fleet(settings, console)
        except ConnectorError as exc:
            console.print(f"[bold red]fleet:[/] {rich_safe(str(exc))}")
    problems = needs_person(settings)
    if problems:
        console.print("[bold red]needs a person:[/]")
        for problem in problems:
            console.print(f"  - {rich_safe(problem)}")
    else:
        console.print("nothing needs a person")


def demo(
    folder: Path = typer.Option(Path("data/demo"), "--data-dir", help="Where the demo writes (wiped first)."),
    variant: str = typer.Option(
        "v1", "--variant", help="Sandbox UI: v1, v2, or optum (Optum Pay's layout; runs a second cycle)."
    ),
    serve: bool = typer.Option(False, "--serve", help="Then keep serving the dashboard on the demo data."),
    port: int = typer.Option(8080, "--port", help="The dashboard's port with --serve (0: any free port)."),
) -> None:
    """Start the sandbox portal and run the whole daily cycle against it; print the report's path.
    With --serve, keep the dashboard running on the demo data and print its URL and a demo login."""
    from connector.cli.demo import run_demo

    raise typer.Exit(run_demo(folder, variant=variant, serve=serve, port=port))
