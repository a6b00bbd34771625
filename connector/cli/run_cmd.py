"""`connector run health|eras|statuses|upload|acks|reconcile|eligibility|all [--account NAME]`: a job now."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from connector.errors import ConfigError

if TYPE_CHECKING:
    from connector.runner import RunResult
    from connector.settings import ConnectorSettings

JOB_NAMES = ("health", "eras", "statuses", "upload", "acks", "reconcile", "eligibility", "all")
EXIT_FAILED = 1
EXIT_SKIPPED = 3


def _date(value: str | None, option: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{option} takes YYYY-MM-DD") from None


def run(
    job: str = typer.Argument(
        ..., help="health, eras, statuses, upload, acks, reconcile, eligibility or all"
    ),
    account: str | None = typer.Option(None, "--account", help="Account name from the settings."),
    since: str | None = typer.Option(None, "--since", help="ERAs: first payment date (YYYY-MM-DD)."),
    until: str | None = typer.Option(None, "--until", help="ERAs: last payment date (YYYY-MM-DD)."),
    claim: list[str] = typer.Option([], "--claim", help="statuses: a claim number (repeatable)."),
    file: list[Path] = typer.Option([], "--file", help="upload: an 837 file (repeatable); default: outbox."),
    method: str = typer.Option("auto", "--method", help="ERAs: auto, request or click."),
    days: int | None = typer.Option(None, "--days", min=1, max=10, help="eligibility: business days ahead."),
    today: str | None = typer.Option(
        None, "--today", help="eligibility: the day to check from (YYYY-MM-DD)."
    ),
    clear_login_block: bool = typer.Option(
        False, "--clear-login-block", help="The password was fixed: allow sign-in again after a refusal."
    ),
) -> None:
    """Run one job for one account now and print its outcome (exit 1 failed, 3 skipped for maintenance)."""
    from connector.logging import register_secrets
    from connector.runner import run_job
    from connector.settings import load_settings

    if job not in JOB_NAMES:
        raise typer.BadParameter(f"job must be one of {', '.join(JOB_NAMES)}")
    try:
        settings = load_settings()
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    register_secrets(settings.secret_values())
    if clear_login_block:
        from connector.runner_signin import Paths
        from connector.runner_signin import clear_login_block as unblock

        try:
            name, _ = settings.account(account)
        except ConfigError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from None
        if unblock(Paths(settings.data_dir, name)):
            typer.echo(f"sign-in allowed again for {name}")
    options: dict[str, object] = {"method": method}
    if (start := _date(since, "--since")) is not None:
        options["since"] = start
    if (end := _date(until, "--until")) is not None:
        options["until"] = end
    if claim:
        options["claims"] = list(claim)
    if file:
        options["files"] = [str(p) for p in file]
    if job == "eligibility":
        from connector.eligibility_job import eligibility_options

        try:
            name, _ = settings.account(account)
        except ConfigError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from None
        options |= eligibility_options(name, settings, days=days, today=_date(today, "--today"))
    try:
        if job in ("reconcile", "all"):
            results = asyncio.run(_cycle(job, account, settings))
        else:
            results = [asyncio.run(run_job(job, account, settings, options=options))]
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    for result in results:
        typer.echo(
            json.dumps(
                {
                    "run": result.run_id,
                    "job": result.job,
                    "account": result.account,
                    "outcome": result.outcome,
                    "counts": result.counts,
                    "error": result.error_class,
                    "message": result.error_message,
                    "artifacts": result.artifacts,
                },
                default=str,
            )
        )
    if any(r.outcome == "SKIPPED" for r in results):
        raise typer.Exit(EXIT_SKIPPED)
    if not all(r.ok for r in results):
        raise typer.Exit(EXIT_FAILED)


async def _cycle(job: str, account: str | None, settings: ConnectorSettings) -> list[RunResult]:
    """`reconcile` (from the store) or `all` (the daily cycle), with retries and notifications."""
    from connector.cycle import CYCLE, run_cycle

    name, _ = settings.account(account)
    outcome = await run_cycle(name, settings, jobs=CYCLE if job == "all" else ("reconcile",))
    return outcome.results
