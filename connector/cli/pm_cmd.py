"""`connector pm init|check|profiles`: draft a PM export profile, check it against an export, list profiles.

Also the helpers every command that reads an export shares: the mappings folder (``--mappings``, else the
``mappings_dir`` setting) and the account whose settings a profile's ``from_settings`` reads.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import typer

from connector.errors import ConfigError, PMExportError
from connector.pm.profile import REQUIRED_FIELDS, Profile

app = typer.Typer(
    help="PM export profiles: draft one from an export, check one against it.", no_args_is_help=True
)

EXIT_PROBLEMS = 1
EXIT_UNREADABLE = 2
MAPPINGS_OPTION = typer.Option(
    None, "--mappings", help="Folder of mapping files that override ours (default: the mappings_dir setting)"
)
ACCOUNT_OPTION = typer.Option(
    None, "--account", help="Account whose practice NPI/TIN/name/address the profile's from_settings reads"
)
NEEDS = {"claims": "every 837 field (scrub, claims build)", "reconcile": "what reconciling uses"}


def fail(message: str) -> typer.Exit:
    """Print an error and return the exit (code 2) to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(EXIT_UNREADABLE)


def mappings_dir(given: Path | None) -> Path | None:
    """``--mappings`` when given, else the ``mappings_dir`` setting (None when settings cannot be read)."""
    if given is not None:
        return given
    from connector.settings import load_settings

    try:
        return load_settings().mappings_dir
    except ConfigError:
        return None  # no usable connector.toml: only the shipped mappings


def practice_for(profile: Profile, account: str | None, needs: Collection[str]) -> dict[str, str]:
    """The account's settings values when the profile reads a needed field from them (else nothing)."""
    if not any(f in needs for f in profile.from_settings):
        return {}
    from connector.settings import load_settings

    settings = load_settings()
    if account is None and not settings.accounts:
        raise ConfigError(
            f"profile {profile.name} takes the billing provider from an account's settings: configure an"
            " account (practice_name, npis, tins, address) in connector.toml"
        )
    return settings.account(account)[1].practice_values()


def open_profile(name: str, mappings: Path | None) -> Profile:
    """Load a profile by name or path (exit 2 with the reason when it is not valid)."""
    from connector.pm.profile_parse import load_profile

    try:
        return load_profile(name, mappings)
    except ConfigError as exc:
        raise fail(str(exc)) from None


def needs_for(kind: str, profile: Profile) -> frozenset[str]:
    """The fields a command needs: ``claims`` (scrub, 837) or ``reconcile``."""
    from connector.pm.reader import reconcile_needs

    if kind == "reconcile":
        return reconcile_needs(profile)
    if kind != "claims":
        raise fail(f"--for {kind!r}: use one of {', '.join(NEEDS)}")
    return REQUIRED_FIELDS


@app.command("init")
def init_cmd(
    export: Path = typer.Argument(..., help="PM export (CSV or XLSX)"),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the draft here (default: print it)"),
    name: str | None = typer.Option(None, "--name", help="Profile name (default: the file name of --out)"),
    sheet: str | None = typer.Option(None, "--sheet", help="XLSX sheet (default: the first)"),
    mappings: Path | None = MAPPINGS_OPTION,
) -> None:
    """Draft a profile from the export's header: recognised columns, date format, layout, what is missing."""
    from connector.pm.draft import find_header, load_synonyms, recognise, render
    from connector.pm.table import read_table

    try:
        synonyms = load_synonyms(mappings_dir(mappings))
        table = find_header(read_table(export, sheet=sheet), synonyms)
    except PMExportError as exc:
        raise fail(str(exc)) from None
    draft = recognise(table, synonyms)
    text = render(draft, name or (out.stem if out else export.stem), export.name)
    if out is None:
        typer.echo(text, nl=False)
        return
    if out.exists():
        raise fail(f"{out} exists; choose another --out (nothing overwritten)")
    out.write_text(text, encoding="utf-8")
    typer.echo(f"profile drafted in {out}: check it with connector pm check {export} --profile {out}")


@app.command("check")
def check_cmd(
    export: Path = typer.Argument(..., help="PM export (CSV or XLSX)"),
    profile: str = typer.Option("generic", "--profile", "-p", help="Profile name or YAML file"),
    sheet: str | None = typer.Option(
        None, "--sheet", help="XLSX sheet (default: the profile's, else the first)"
    ),
    purpose: str = typer.Option(
        "claims", "--for", help="claims (scrub, 837) or reconcile: the fields asked for"
    ),
    mappings: Path | None = MAPPINGS_OPTION,
    account: str | None = ACCOUNT_OPTION,
    limit: int = typer.Option(30, "--limit", help="Problems to print"),
) -> None:
    """Show, for every field, the column or rule it comes from and three sample values, then the rows that
    fail; exit 0 when the export reads cleanly, 1 when rows fail, 2 when it cannot be read at all."""
    from connector.pm.check import field_reports
    from connector.pm.reader import check_export

    folder = mappings_dir(mappings)
    loaded = open_profile(profile, folder)
    needs = needs_for(purpose, loaded)
    try:
        practice = practice_for(loaded, account, needs)
        result = check_export(export, loaded, sheet=sheet, needs=needs, practice=practice)
    except (PMExportError, ConfigError) as exc:
        raise fail(str(exc)) from None
    table = result.table
    where = table.source + (f" (sheet {table.sheet})" if table.sheet else "")
    typer.echo(f"{where}: profile {loaded.name}, header on row {table.first_row_number - 1}")
    e = result.export
    skipped = ", ".join(f"{n} {what}" for what, n in result.skipped.items() if n)
    typer.echo(
        f"{len(e.claims)} claims, {e.line_count} lines from {e.row_count} rows"
        + (f" (skipped: {skipped})" if skipped else "")
    )
    for report in field_reports(result, loaded):
        shown = ", ".join(report.samples) if report.samples else "-"
        typer.echo(f"  {report.field:<22} {report.source}\n  {'':<22} e.g. {shown}")
    if result.builder is not None:
        for table_ in {id(t): t for t in result.builder.reader.lookups.values()}.values():
            if table_.misses:
                typer.echo(
                    f"  note: {table_.misses} lookups in {table_.source} found no row (fields left blank)"
                )
    if not result.problems:
        typer.echo(f"no problems: the export reads cleanly for {NEEDS.get(purpose, purpose)}")
        return
    capped = " (stopped at 100)" if result.truncated else ""
    typer.echo(f"{len(result.problems)} problem(s){capped}; nothing is imported until they are fixed:")
    for problem in result.problems[:limit]:
        typer.echo(f"  {problem}")
    if len(result.problems) > limit:
        typer.echo(f"  ... {len(result.problems) - limit} more")
    raise typer.Exit(EXIT_PROBLEMS)


@app.command("profiles")
def profiles_cmd(mappings: Path | None = MAPPINGS_OPTION) -> None:
    """List the known profiles: shipped ones and those in the override folder (which win)."""
    from connector.pm.profile_parse import available_profiles, load_profile

    folder = mappings_dir(mappings)
    for name in available_profiles(folder):
        where = "override" if folder is not None and (folder / "pm" / f"{name}.yaml").is_file() else "shipped"
        try:
            described = load_profile(name, folder).description
        except ConfigError as exc:
            described = f"NOT VALID: {exc}"
        typer.echo(f"{name:<20} {where:<9} {described}")
