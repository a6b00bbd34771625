"""The ``connector`` command: one Typer app; each area registers its sub-commands here."""

from __future__ import annotations

import typer

from connector import __version__
from connector.cli import (
    claims_cmd,
    config_cmd,
    db_cmd,
    eligibility_cmd,
    fleet_cmd,
    ops_cmd,
    pm_cmd,
    reconcile_cmd,
    run_cmd,
    sandbox_cmd,
    selectors_cmd,
    storage_cmd,
    web_cmd,
    x12_cmd,
)

app = typer.Typer(
    name="connector",
    help="Does a billing office's daily payer-portal work: ERAs, claim status, batches, reconciliation.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"connector {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version."
    ),
    log_format: str = typer.Option("text", "--log-format", help="Log format: text or json."),
    log_level: str = typer.Option("INFO", "--log-level", help="Log level."),
) -> None:
    """Owner-only file modes and logging, before any command runs."""
    import os

    from connector.logging import configure_logging

    os.umask(0o077)  # whatever a library creates (SQLite journals, job store) is owner-only too

    configure_logging(fmt=log_format, level=log_level)


app.add_typer(config_cmd.app, name="config")
app.add_typer(db_cmd.app, name="db")
app.add_typer(claims_cmd.app, name="claims")
app.add_typer(pm_cmd.app, name="pm")
app.add_typer(sandbox_cmd.app, name="sandbox")
app.command("reconcile")(reconcile_cmd.reconcile)
app.command("run")(run_cmd.run)
app.add_typer(selectors_cmd.app, name="selectors")
app.command("record")(selectors_cmd.record)
app.add_typer(x12_cmd.app, name="x12")
app.add_typer(eligibility_cmd.app, name="eligibility")
app.add_typer(storage_cmd.app, name="storage")
app.command("schedule")(ops_cmd.schedule)
app.command("status")(ops_cmd.status)
app.command("worker")(fleet_cmd.worker)
app.add_typer(fleet_cmd.app, name="fleet")
app.command("demo")(ops_cmd.demo)
app.command("web")(web_cmd.web)
app.add_typer(web_cmd.users_app, name="users")


def main() -> None:
    """Console-script entry point."""
    app()
