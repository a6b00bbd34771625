"""What the commands print: text that may quote input goes out with control characters escaped."""

from __future__ import annotations

import typer
from rich.markup import escape

from connector.safetext import printable


def say(text: str, *, err: bool = False) -> None:
    """Print one message; an ESC sequence or U+202E taken from a file is shown escaped, never obeyed."""
    typer.echo(printable(text, keep="\n\t"), err=err)


def rich_safe(text: object) -> str:
    """``text`` for a rich console: control characters escaped and square brackets not read as markup."""
    return escape(printable(str(text), keep="\n\t"))
