"""`connector config show`: the effective configuration, secrets masked, with where each value came from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from pydantic import SecretStr
from rich.console import Console
from rich.table import Table

from connector.errors import ConfigError
from connector.settings import ConnectorSettings, load_settings, masked_database_url, value_sources

app = typer.Typer(help="Show the configuration.", no_args_is_help=True)


def _leaves(value: Any, prefix: str) -> list[tuple[str, str]]:
    if isinstance(value, SecretStr):
        return [(prefix, "********" if value.get_secret_value() else "")]
    if isinstance(value, dict):
        out: list[tuple[str, str]] = []
        for key, item in value.items():
            out += _leaves(item, f"{prefix}.{key}")
        return out
    if isinstance(value, list):
        if any(isinstance(v, SecretStr) for v in value):
            return [(prefix, f"[{len(value)} masked]")]
        return [(prefix, ", ".join(str(v) for v in value))]
    if hasattr(value, "__pydantic_fields__"):
        out = []
        for key in type(value).model_fields:
            out += _leaves(getattr(value, key), f"{prefix}.{key}")
        return out
    return [(prefix, "" if value is None else str(value))]


def rows(settings: ConnectorSettings, origins: dict[str, str]) -> list[tuple[str, str, str]]:
    """(setting, masked value, source) for every leaf setting."""
    out = []
    for key in ConnectorSettings.model_fields:
        value = getattr(settings, key)
        if key == "database_url":
            value = masked_database_url(value)
        for path, shown in _leaves(value, key):
            source = next((src for p, src in origins.items() if p.lower() == path.lower()), None)
            if source is None:
                source = next(
                    (src for p, src in origins.items() if path.lower().startswith(p.lower())), "default"
                )
            out.append((path, shown, source))
    return out


@app.command("show")
def show(
    config: Path | None = typer.Option(
        None, "--config", help="connector.toml to read (default ./connector.toml)"
    ),
) -> None:
    """Print every setting with its value (secrets masked) and the source it came from."""
    try:
        settings = load_settings(toml_file=config)
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    table = Table(title="connector configuration")
    table.add_column("setting")
    table.add_column("value")
    table.add_column("from")
    for path, shown, source in rows(settings, value_sources(toml_file=config)):
        table.add_row(path, shown, source)
    Console(width=160).print(table)
