"""`connector claims scrub|build|rules`: scrub a PM export, build the 837 batch of the clean claims."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import typer

from connector.errors import ConfigError, PMExportError, StorageError
from connector.pm.models import PMExport
from connector.scrub.findings import ScrubReport

app = typer.Typer(help="Scrub PM exports and build claim batches (837).", no_args_is_help=True)

EXIT_UNREADABLE = 2

PROFILE_OPTION = typer.Option("generic", "--profile", "-p", help="PM export profile (mappings/pm/NAME.yaml)")
SHEET_OPTION = typer.Option(None, "--sheet", help="XLSX sheet (default: the profile's, else the first)")
TODAY_OPTION = typer.Option(None, "--today", help="Scrub as of this date (YYYY-MM-DD; default today)")
MAPPINGS_OPTION = typer.Option(None, "--mappings", help="Folder of mapping files that override ours")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(EXIT_UNREADABLE)


def _as_of(today: str | None) -> dt.date:
    if today is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(today)
    except ValueError:
        raise _fail(f"--today {today!r} is not a date (YYYY-MM-DD)") from None


def read_and_scrub(
    export_path: Path, profile: str, sheet: str | None, today: dt.date, mappings: Path | None
) -> tuple[PMExport, ScrubReport]:
    """Read the export (exit 2 when it cannot be read) and scrub every claim in it."""
    from connector.claims.pipeline import scrub_export

    try:
        return scrub_export(export_path, profile, today=today, sheet=sheet, mappings=mappings)
    except (PMExportError, ConfigError) as exc:
        raise _fail(str(exc)) from None


def print_summary(export: PMExport, report: ScrubReport, limit: int) -> None:
    """Totals, the rules that fired, and the first ``limit`` findings."""
    s = report.summary()
    where = f"{export.source}" + (f" (sheet {export.sheet})" if export.sheet else "")
    typer.echo(f"{where}: {s['claims']} claims, {s['lines']} lines, profile {export.profile}")
    typer.echo(
        f"clean {s['clean_claims']}, held {s['held_claims']}, clean claim rate {s['clean_claim_rate']}%"
        f" ({s['errors']} errors, {s['warnings']} warnings)"
    )
    for rule_id, count in report.counts_by_rule().items():
        typer.echo(f"  {rule_id:<24} {count}")
    if limit < 0:
        return
    for f in report.findings[:limit]:
        where = f"claim {f.claim_id}" + (f" line {f.line_id}" if f.line_id else "") + f" (row {f.row})"
        typer.echo(f"{f.severity.upper():<7} {where}: {f.message} [{f.rule_id}]")
    if len(report.findings) > limit:
        typer.echo(f"... {len(report.findings) - limit} more findings (use --out to get them all)")


@app.command("scrub")
def scrub_cmd(
    export: Path = typer.Argument(..., help="PM export (CSV or XLSX)"),
    profile: str = PROFILE_OPTION,
    sheet: str | None = SHEET_OPTION,
    out: Path | None = typer.Option(None, "--out", "-o", help="Write findings to scrub.xlsx or .json"),
    today: str | None = TODAY_OPTION,
    mappings: Path | None = MAPPINGS_OPTION,
    limit: int = typer.Option(50, "--limit", help="Findings to print (all go to --out)"),
) -> None:
    """Scrub every claim of a PM export; exit 0 when the export was read (findings are results), 2 if not."""
    from connector.claims.scrub_output import write_json, write_xlsx

    exported, report = read_and_scrub(export, profile, sheet, _as_of(today), mappings)
    print_summary(exported, report, limit)
    if out is not None:
        suffix = out.suffix.lower()
        if suffix not in (".json", ".xlsx"):
            raise _fail(f"--out {out.name}: use a .json or .xlsx file name")
        try:
            (write_json if suffix == ".json" else write_xlsx)(out, exported, report)
        except OSError as exc:
            raise _fail(f"cannot write {out}: {exc.strerror}") from None
        typer.echo(f"findings written to {out}")


@app.command("rules")
def rules_cmd() -> None:
    """List the scrub rules (id, severity, field, message): ids to turn off in mappings/scrub/payers.yaml."""
    from connector.scrub import RULES

    for r in RULES.values():
        kinds = "" if r.claim_types == frozenset({"P", "I"}) else f" ({'/'.join(sorted(r.claim_types))} only)"
        typer.echo(f"{r.id:<24} {r.severity:<8} {r.field:<22} {r.message}{kinds}")


@app.command("build")
def build_cmd(
    export: Path = typer.Argument(..., help="PM export (CSV or XLSX)"),
    out: Path = typer.Option(..., "--out", "-o", help="837 file to write (several groups: numbered files)"),
    profile: str = PROFILE_OPTION,
    sheet: str | None = SHEET_OPTION,
    today: str | None = TODAY_OPTION,
    mappings: Path | None = MAPPINGS_OPTION,
    database_url: str | None = typer.Option(None, "--database-url", help="Store for control numbers"),
    submitter_name: str | None = typer.Option(None, "--submitter-name", help="Default: billing provider"),
    submitter_id: str | None = typer.Option(None, "--submitter-id", help="ETIN; default: billing TIN"),
    contact_name: str = typer.Option("BILLING OFFICE", "--contact-name"),
    contact_phone: str = typer.Option("", "--contact-phone", envvar="CONNECTOR_SUBMITTER_PHONE"),
    contact_email: str = typer.Option("", "--contact-email", envvar="CONNECTOR_SUBMITTER_EMAIL"),
    include_submitted: bool = typer.Option(
        False, "--include-submitted", help="Also send clean claims the PM shows as already submitted"
    ),
    test_usage: bool = typer.Option(False, "--test", help="Mark the interchange as test data (ISA15=T)"),
) -> None:
    """Scrub, then write the 837P/837I of the clean claims; list the held claims with their reasons."""
    from connector.claims.pipeline import build_claims
    from connector.claims.plan import submitter_for

    exported, report = read_and_scrub(export, profile, sheet, _as_of(today), mappings)
    print_summary(exported, report, limit=-1)
    clean = report.clean_claims
    if clean and not (contact_phone or contact_email):
        raise _fail("give --contact-phone or --contact-email (the 837 submitter contact, PER*IC)")
    submitter = submitter_for(
        clean,
        name=submitter_name,
        submitter_id=submitter_id,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
    )
    if not out.parent.is_dir():
        raise _fail(f"cannot write {out}: folder {out.parent} does not exist")
    result = build_claims(
        report,
        out,
        submitter,
        _allocator(database_url),
        mappings=mappings,
        include_submitted=include_submitted,
        usage="T" if test_usage else "P",
    )
    for f in result.files:
        typer.echo(
            f"wrote {f.path}: {f.kind} 837, payer {f.payer_id}, {len(f.claim_ids)} claims,"
            f" ISA13 {f.interchange:09d}, GS06 {f.group}"
        )
    if not result.files:
        typer.echo("no 837 written: no clean claim to send")
    if result.already_submitted:
        typer.echo(
            f"skipped {len(result.already_submitted)} clean claims the PM shows as already submitted"
            " (--include-submitted sends them)"
        )
    if result.held:
        typer.echo(f"held {len(result.held)} claims:")
        for claim_id, reasons in result.held.items():
            typer.echo(f"  {claim_id}: " + "; ".join(reasons))


def _allocator(database_url: str | None) -> Callable[[str, int], range]:
    """Control numbers from the store (schema created on first use of an empty database)."""
    from connector.settings import load_settings
    from connector.store import control_number_allocator, ensure_schema, make_engine, session_factory

    try:
        url = database_url or load_settings().database_url
        ensure_schema(url)
    except (ConfigError, StorageError) as exc:
        raise _fail(str(exc)) from None
    return control_number_allocator(session_factory(make_engine(url)))
