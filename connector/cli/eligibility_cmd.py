"""`connector eligibility check SCHEDULE`: check appointments now, print them, write the workbook."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from connector.errors import ConfigError, InputError

app = typer.Typer(help="Eligibility and benefits before the visit.", no_args_is_help=True)


@app.command("check")
def check(
    schedule: Path = typer.Argument(..., help="The PM schedule export (CSV or XLSX)."),
    account: str | None = typer.Option(None, "--account", help="Account name from the settings."),
    profile: str | None = typer.Option(None, "--profile", help="Schedule profile (default: the account's)."),
    days: int | None = typer.Option(None, "--days", min=1, max=10, help="Business days ahead (default 2)."),
    today: str | None = typer.Option(None, "--today", help="The day to check from (YYYY-MM-DD)."),
) -> None:
    """Check every appointment of the next business days in SCHEDULE on the portal (each patient and date of
    service once a day), print one line per appointment and write the Eligibility workbook."""
    from connector.jobs.eligibility import day_assessments, practice_today
    from connector.logging import register_secrets
    from connector.ops.dispatch import dispatch
    from connector.pm.schedule import read_schedule
    from connector.report.eligibility import ordered, problem_text
    from connector.settings import load_settings

    try:
        settings = load_settings()
        name, acct = settings.account(account)
        day = dt.date.fromisoformat(today) if today else practice_today(settings)
        chosen = profile or acct.schedule_profile
        parsed = read_schedule(schedule, chosen, override_dir=settings.mappings_dir)
    except (ConfigError, InputError, ValueError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    register_secrets(settings.secret_values())
    ahead = days or settings.eligibility_days
    options = {"schedule": schedule, "schedule_profile": chosen, "days": ahead}
    outcome = asyncio.run(dispatch("eligibility", name, settings, options=options, as_of=day))
    (result,) = outcome.results
    if not result.ok:
        typer.echo(
            f"eligibility check {result.outcome.lower()}: {result.error_class}: {result.error_message}",
            err=True,
        )
        raise typer.Exit(1)
    table = Table(title=f"Eligibility checked on {day} ({name})")
    for column in ("date", "time", "appointment", "patient id", "status", "estimate", "problems"):
        table.add_column(column)
    for a in ordered(day_assessments(settings, name, parsed, day, ahead)):
        appt = a.appointment
        table.add_row(
            appt.service_date.isoformat(), appt.start.strftime("%H:%M"), appt.appointment_id, appt.patient_id,
            a.status.value, "" if a.estimate is None else f"{a.estimate:.2f}", problem_text(a.problems),
        )  # fmt: skip
    Console().print(table)
    typer.echo(f"workbook: {result.counts.get('workbook')}")
