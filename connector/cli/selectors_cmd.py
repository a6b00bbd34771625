"""`connector selectors check` (drift report per logical name) and `connector record` (page snapshots)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from connector.errors import ConfigError

app = typer.Typer(help="Selector maps: check them against a portal or its recordings.", no_args_is_help=True)


def _reports_table(portal: str, reports: list[object]) -> tuple[Table, int]:
    from rich.markup import escape

    from connector.jobs.drift import PageReport

    table = Table(title=f"selector map {portal}")
    for column in ("page", "logical name", "result", "strategy", "count"):
        table.add_column(column)
    misses = 0
    for report in reports:
        assert isinstance(report, PageReport)
        if not report.recorded:
            table.add_row(report.page, "-", "not recorded", "", "")
            continue
        for check in report.checks:
            misses += check.state in ("none", "several")
            strategy = escape(check.strategy or "")  # XPaths hold [brackets] rich would read as markup
            table.add_row(report.page, check.name, check.state, strategy, str(check.count))
    return table, misses


async def _check(portal: str, offline: Path | None, account: str | None) -> tuple[str, list[object]]:
    import tempfile

    from connector.browser import BrowserSession
    from connector.jobs.drift import check_offline, record
    from connector.selectormap import load_map
    from connector.settings import load_settings

    if offline is not None:
        smap = load_map(portal or offline.name)
        async with BrowserSession() as browser:
            return smap.portal, list(await check_offline(smap, offline, browser))
    settings = load_settings()
    _, acct = settings.account(account)
    smap = load_map(portal or acct.portal)
    with tempfile.TemporaryDirectory(prefix="selectors-") as tmp:
        await record(smap, acct, Path(tmp), browser_settings=settings.browser)
        async with BrowserSession(settings.browser) as browser:
            return smap.portal, list(await check_offline(smap, Path(tmp), browser))


@app.command("check")
def check(
    account: str | None = typer.Option(None, "--account", help="Visit this account's portal."),
    offline: Path | None = typer.Option(None, "--offline", help="Check recorded snapshots in this folder."),
    portal: str = typer.Option("", "--map", help="Selector map name (default: the account's or folder's)."),
) -> None:
    """Per page and logical name: which strategy matched, none, or several. Exit 1 on any miss."""
    try:
        name, reports = asyncio.run(_check(portal, offline, account))
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    table, misses = _reports_table(name, reports)
    Console().print(table)
    if misses:
        typer.echo(f"{misses} selector(s) missing or ambiguous", err=True)
        raise typer.Exit(1)


def record(
    account: str | None = typer.Option(None, "--account", help="Account whose portal to record."),
    out: Path | None = typer.Option(None, "--out", help="Folder (default: recordings/<portal>)."),
    claim: str | None = typer.Option(None, "--claim", help="A claim number to record the status page with."),
) -> None:
    """Save sanitized HTML snapshots (no input values, cookies or PHI-shaped text) of each portal page."""
    from connector.jobs.drift import record as record_pages
    from connector.resources import data_dir
    from connector.selectormap import load_map
    from connector.settings import load_settings

    try:
        settings = load_settings()
        _, acct = settings.account(account)
        smap = load_map(acct.portal)
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    folder = out or data_dir("recordings") / smap.portal
    pages = asyncio.run(
        record_pages(smap, acct, folder, browser_settings=settings.browser, claim_number=claim)
    )
    typer.echo(f"recorded {len(pages)} page(s) into {folder}: {', '.join(pages)}")
