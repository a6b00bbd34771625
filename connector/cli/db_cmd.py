"""`connector db upgrade`: bring the database schema up to date (Alembic)."""

from __future__ import annotations

import typer

from connector.cli.output import say
from connector.errors import ConfigError
from connector.settings import load_settings

app = typer.Typer(help="Database maintenance.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_cmd(
    url: str | None = typer.Option(None, "--url", help="Database URL (default: the setting)"),
) -> None:
    """Create or migrate the schema to the newest revision."""
    from connector.store import upgrade

    try:
        target = url or load_settings().database_url
    except ConfigError as exc:
        say(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    upgrade(target)
    say("database is up to date")
