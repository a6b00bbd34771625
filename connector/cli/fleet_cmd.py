"""`connector worker` (run queued jobs) and `connector fleet init` / the fleet part of `connector status`."""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console
from rich.table import Table

from connector.errors import ConfigError, ConnectorError
from connector.settings import ConnectorSettings, load_settings

app = typer.Typer(help="The fleet: a job queue on PostgreSQL and workers on several machines.")


def _settings() -> ConnectorSettings:
    try:
        return load_settings()
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def worker(
    concurrency: int = typer.Option(2, "--concurrency", min=1, help="Jobs at once (a browser context each)."),
    queues: list[str] = typer.Option([], "--queues", help="Queues to take jobs from (default fleet.queue)."),
) -> None:
    """Run queued jobs until SIGTERM (running jobs finish their current step). Needs PostgreSQL."""
    from connector.fleet.worker import serve
    from connector.logging import register_secrets

    settings = _settings()
    register_secrets(settings.secret_values())
    try:
        asyncio.run(serve(settings, concurrency=concurrency, queues=list(queues) or None))
    except ConnectorError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None


@app.command("init")
def init() -> None:
    """Create the connector's tables and the job queue's (idempotent; workers and the dispatcher do too)."""
    from connector.fleet.queue import ensure_queue_schema, make_app
    from connector.store import ensure_schema

    settings = _settings()

    async def _init() -> bool:
        queue = make_app(settings)
        async with queue.open_async():
            return await ensure_queue_schema(queue)

    try:
        ensure_schema(settings.database_url)
        created = asyncio.run(_init())
    except ConnectorError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo("job queue created" if created else "job queue already there")


def print_fleet(settings: ConnectorSettings, console: Console) -> None:
    """The fleet view of `connector status`: workers, jobs per account and state, the oldest waiting job."""
    from connector.fleet.status import fleet_status

    seen = asyncio.run(fleet_status(settings))
    workers = Table(title="workers")
    for column in ("worker", "started (UTC)", "last heartbeat (UTC)", "state"):
        workers.add_column(column)
    for w in seen.workers:
        workers.add_row(
            w.name,
            w.started.strftime("%Y-%m-%d %H:%M:%S"),
            w.last_heartbeat.strftime("%Y-%m-%d %H:%M:%S"),
            "alive" if w.alive else "gone",
        )
    console.print(workers)
    jobs = Table(title="queued jobs per account")
    for column in ("account", "waiting", "running", "failed", "stalled"):
        jobs.add_column(column)
    for account, counts in sorted(seen.per_account.items()):
        jobs.add_row(account, *(str(counts[k]) for k in ("waiting", "running", "failed", "stalled")))
    console.print(jobs)
    if seen.oldest_waiting is not None:
        account, job, queued = seen.oldest_waiting
        console.print(f"oldest waiting job: {job} for {account}, queued {queued}")
    else:
        console.print("no job waiting")
