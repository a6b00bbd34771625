"""`connector run JOB [--account NAME]`: a job (or `all`, the daily cycle) now, as a scheduled run does it."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from connector.cli.output import say
from connector.errors import ConfigError

if TYPE_CHECKING:
    from connector.jobs.context import RunResult

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
    job: str = typer.Argument(..., help="A job of the registry (`connector run --help` lists them) or all."),
    account: str | None = typer.Option(None, "--account", help="Account name from the settings."),
    since: str | None = typer.Option(None, "--since", help="ERAs: first payment date (YYYY-MM-DD)."),
    until: str | None = typer.Option(None, "--until", help="ERAs: last payment date (YYYY-MM-DD)."),
    claim: list[str] = typer.Option([], "--claim", help="statuses: a claim number (repeatable)."),
    file: list[Path] = typer.Option([], "--file", help="upload: an 837 file (repeatable); default: outbox."),
    method: str = typer.Option("auto", "--method", help="ERAs: auto, request or click."),
    days: int | None = typer.Option(None, "--days", min=1, max=10, help="eligibility: business days ahead."),
    as_of: str | None = typer.Option(
        None, "--as-of", help="eligibility: the practice's day to check from (YYYY-MM-DD; default today)."
    ),
    no_retry: bool = typer.Option(
        False, "--no-retry", help="One attempt only (alerts and the ledger stay as for a scheduled run)."
    ),
    clear_login_block: bool = typer.Option(
        False, "--clear-login-block", help="The password was fixed: allow sign-in again after a refusal."
    ),
) -> None:
    """Run one job for one account now, with the retries and alerts of a scheduled run; print each run's
    outcome (exit 1 failed, 3 skipped for maintenance)."""
    from connector.jobs.registry import SCHEDULABLE
    from connector.logging import register_secrets
    from connector.ops.dispatch import dispatch
    from connector.ops.retry import NO_RETRY
    from connector.settings import load_settings

    if job not in SCHEDULABLE:
        raise typer.BadParameter(f"job must be one of {', '.join(SCHEDULABLE)}")
    try:
        settings = load_settings()
    except ConfigError as exc:
        say(str(exc), err=True)
        raise typer.Exit(2) from None
    register_secrets(settings.secret_values())
    if clear_login_block:
        from connector.jobs.paths import Paths
        from connector.jobs.signin import clear_login_block as unblock
        from connector.jobs.signin_state import clear_shared_blocks

        try:
            name, _ = settings.account(account)
        except ConfigError as exc:
            say(str(exc), err=True)
            raise typer.Exit(2) from None
        cleared = unblock(Paths(settings.data_dir, name))
        if clear_shared_blocks(settings, name) or cleared:
            say(f"sign-in allowed again for {name}")
    options: dict[str, object] = {"method": method}
    if (start := _date(since, "--since")) is not None:
        options["since"] = start
    if (end := _date(until, "--until")) is not None:
        options["until"] = end
    if claim:
        options["claims"] = list(claim)
    if file:
        options["files"] = [str(p) for p in file]
    if days is not None:
        options["days"] = days
    day = _date(as_of, "--as-of")
    try:
        outcome = asyncio.run(
            dispatch(
                job, account, settings, options=options, policy=NO_RETRY if no_retry else None, as_of=day
            )
        )
    except ConfigError as exc:
        say(str(exc), err=True)
        raise typer.Exit(2) from None
    results: list[RunResult] = outcome.results
    for result in results:
        say(
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
