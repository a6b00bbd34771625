"""`connector web` (the billing office's dashboard) and `connector users add|list|unblock` (its sign-ins)."""

from __future__ import annotations

import sys

import typer

from connector.errors import ConfigError, ConnectorError
from connector.settings import ConnectorSettings, load_settings

users_app = typer.Typer(help="Dashboard users: add (or reset), list, unblock.", no_args_is_help=True)


def _settings() -> ConnectorSettings:
    try:
        return load_settings()
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def web(
    host: str | None = typer.Option(None, "--host", help="Address to listen on (default 127.0.0.1)."),
    port: int | None = typer.Option(None, "--port", help="Port (default 8080)."),
) -> None:
    """Serve the dashboard on the connector's store until stopped (loopback unless told otherwise)."""
    from connector.logging import register_secrets
    from connector.web.server import WebServer

    settings = _settings()
    register_secrets(settings.secret_values())
    try:
        server = WebServer(settings, host=host, port=port)
    except (ConnectorError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Dashboard at {server.base_url}/ (Ctrl-C stops it)")
    server.serve_forever()


def _password(from_stdin: bool) -> str:
    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = typer.prompt("Password", hide_input=True)
    second = typer.prompt("Repeat the password", hide_input=True)
    if first != second:
        typer.echo("error: the passwords differ", err=True)
        raise typer.Exit(2)
    return str(first)


@users_app.command("add")
def add(
    name: str = typer.Argument(..., help="The user name people type to sign in."),
    role: str = typer.Option("viewer", "--role", help="viewer (reads) or admin (runs jobs, clears blocks)."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
) -> None:
    """Add a dashboard user (or set an existing user's role and password). The password is asked for."""
    from connector.store import ensure_schema, open_session
    from connector.web.users import add_user

    settings = _settings()
    password = _password(password_stdin)
    try:
        ensure_schema(settings.database_url)
        with open_session(settings.database_url) as session:
            user = add_user(session, name, role, password)
            session.commit()
    except ConnectorError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"user {user.name} ({user.role}) saved")


@users_app.command("list")
def list_() -> None:
    """Every dashboard user with role, last sign-in and any block."""
    from connector.store import ensure_schema, open_session
    from connector.web.users import list_users

    settings = _settings()
    ensure_schema(settings.database_url)
    with open_session(settings.database_url) as session:
        for user in list_users(session):
            last = user.last_login_at.strftime("%Y-%m-%d %H:%M") if user.last_login_at else "never"
            block = f", blocked until {user.blocked_until:%H:%M:%S}" if user.blocked_until else ""
            typer.echo(f"{user.name}\t{user.role}\tlast sign-in {last}{block}")


@users_app.command("unblock")
def unblock(name: str = typer.Argument(..., help="The user to let sign in again at once.")) -> None:
    """Clear a user's login block after wrong passwords."""
    from connector.store import ensure_schema, open_session
    from connector.web.users import clear_block

    settings = _settings()
    ensure_schema(settings.database_url)
    with open_session(settings.database_url) as session:
        cleared = clear_block(session, name)
        session.commit()
    typer.echo(f"{name} may sign in again" if cleared else f"{name} was not blocked")
