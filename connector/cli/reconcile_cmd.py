"""`connector reconcile`: ERAs against a PM export, from files alone, into the Excel reconciliation report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from connector.cli.output import rich_safe
from connector.cli.pm_cmd import ACCOUNT_OPTION, MAPPINGS_OPTION
from connector.errors import ConfigError, InputError
from connector.pm.models import ChargeClaim, ChargeExport, Claim, PMExport
from connector.reconcile.model import FileNotRead
from connector.reconcile.rows import EraRemit
from connector.x12.code_check import CodeLists

if TYPE_CHECKING:
    from connector.jobs.era_reading import FileRows

ERA_SUFFIXES = {".835", ".txt", ".edi", ".x12", ".era", ".dat"}
EXIT_OK = 0
EXIT_CANNOT_RECONCILE = 2
"""Nothing written: the PM export, a bank or fee file, or an option could not be used."""
EXIT_WRITTEN_WITH_PROBLEMS = 3
"""The report was written from every readable ERA; some ERA files could not be read (listed in it)."""


def era_files(paths: list[Path]) -> list[Path]:
    """The files given, with folders expanded to their ERA-looking files (sorted, recursive)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in ERA_SUFFIXES)
        elif path.is_file():
            out.append(path)
        else:
            raise InputError(f"{path}: no such ERA file or folder")
    return out


def read_eras(
    paths: list[Path], *, strict: bool = False, codes: CodeLists | None = None
) -> tuple[list[EraRemit], list[FileNotRead]]:
    """Every 835 transaction in the files as compact rows, in file order, and the files that could not be
    read (one bad file never stops the others; a file is read whole or not at all, and its models are
    released once its rows are made)."""
    from connector.jobs.era_reading import read_era_file

    files = era_files(paths)
    return collect(files, [read_era_file(path, strict=strict, codes=codes) for path in files])


def collect(files: list[Path], found: list[FileRows]) -> tuple[list[EraRemit], list[FileNotRead]]:
    """The rows of the files read, and the files not read with the reason."""
    remittances: list[EraRemit] = []
    unread: list[FileNotRead] = []
    for path, rows in zip(files, found, strict=True):
        if isinstance(rows, list):
            remittances.extend(rows)
        elif rows.kind == "x12":
            unread.append(FileNotRead(str(path), rows.message))
        else:
            unread.append(FileNotRead(str(path), f"cannot read the file: {rows.message}"))
    return remittances, unread


def reconcile(
    era: list[Path] = typer.Option(..., "--era", help="835 file or folder (repeat --era for more)."),
    pm: Path = typer.Option(..., "--pm", help="PM export (CSV or XLSX)."),
    out: Path = typer.Option(..., "--out", help="Where to write the report (.xlsx)."),
    profile: str = typer.Option("generic", "--profile", help="PM export profile (mappings/pm/NAME.yaml)."),
    bank: Path | None = typer.Option(None, "--bank", help="Bank deposits CSV (date, amount, trace, text)."),
    as_of: str | None = typer.Option(None, "--as-of", help="Reconcile as of this date (YYYY-MM-DD)."),
    tolerance: str = typer.Option("0.01", "--tolerance", help="Allowed vs contracted amount tolerance."),
    aging_days: int = typer.Option(30, "--aging-days", help="Days without an ERA before missing_era."),
    fee_schedule: Path | None = typer.Option(
        None,
        "--fee-schedule",
        help="CSV: procedure, modifiers, amount.",
    ),
    with_scrub: bool = typer.Option(
        False, "--scrub", help="Also scrub the export: clean claim rate and a Scrub exceptions sheet."
    ),
    mappings: Path | None = MAPPINGS_OPTION,
    account: str | None = ACCOUNT_OPTION,
    strict: bool = typer.Option(
        False, "--strict", help="Treat ERAs with envelope or layout faults as unreadable (not read)."
    ),
) -> None:
    """Reconcile ERAs against the PM export and write the Excel report (no portal, no database needed).

    Exit 0: report written from every ERA. 3: report written, but some ERA files could not be read (they
    are listed on the Summary and the 'Files not read' sheet). 2: nothing written (bad PM export, bank or
    fee file, or option).
    """
    from connector.reconcile.lines import paused_gc

    with paused_gc():  # millions of long-lived model objects: a cyclic collection would rescan them all
        _reconcile_files(era, pm, out, profile, bank, as_of, tolerance, aging_days, fee_schedule, with_scrub,
                         mappings, account, strict)  # fmt: skip


def _reconcile_files(
    era: list[Path],
    pm: Path,
    out: Path,
    profile: str,
    bank: Path | None,
    as_of: str | None,
    tolerance: str,
    aging_days: int,
    fee_schedule: Path | None,
    with_scrub: bool,
    mappings: Path | None,
    account: str | None,
    strict: bool,
) -> None:
    from connector.cli.pm_cmd import mappings_dir, open_profile, practice_for
    from connector.codetables import load_reason_book
    from connector.jobs.era_reading import EraReading
    from connector.jobs.report_writing import report_writer
    from connector.pm.reader import read_charges, reconcile_needs
    from connector.reconcile import read_bank_csv
    from connector.reconcile import reconcile as run
    from connector.reconcile.engine import handed_over
    from connector.reconcile.fees import read_fee_schedule

    console = Console(stderr=True)
    reading: EraReading | None = None
    try:
        day = dt.date.fromisoformat(as_of) if as_of else dt.datetime.now(dt.UTC).date()
        margin = Decimal(tolerance)
        folder = mappings_dir(mappings)
        files = era_files(era)  # a wrong path is said before anything is read
        export: PMExport | ChargeExport
        # the ERA files are read by a child process while this one reads the PM export (two cores) when they
        # are many; else they are read first, here: a big remittance's models go before the PM export is read
        reading = EraReading(files, strict=strict, folder=folder)
        early = None if reading.beside else reading.per_file()
        if with_scrub:
            from connector.cli.claims_cmd import read_and_scrub

            export, scrubbed = read_and_scrub(pm, profile, None, day, folder, account)
        else:
            loaded = open_profile(profile, folder)
            needs = reconcile_needs(loaded)
            practice = practice_for(loaded, account, needs)
            export, scrubbed = read_charges(pm, loaded, practice=practice), None
        remittances, unread = collect(files, reading.per_file() if early is None else early)
        deposits = read_bank_csv(bank.read_text(encoding="utf-8-sig"), bank.name) if bank else None
        fees = read_fee_schedule(fee_schedule.read_text(encoding="utf-8-sig")) if fee_schedule else None
    except (ValueError, InvalidOperation, OSError, InputError, ConfigError) as exc:
        if reading is not None:
            reading.cancel()
        console.print(f"[red]cannot reconcile:[/red] {rich_safe(exc)}")
        raise typer.Exit(EXIT_CANNOT_RECONCILE) from exc
    inputs = {
        "ERA transactions": str(len(remittances)),
        "ERA files not read": str(len(unread)),
        "PM export": f"{pm.name} ({export.profile}, {len(export.claims)} claims, {export.line_count} lines)",
    }
    if bank is not None:
        inputs["Bank deposits"] = bank.name
    clean: dict[str, bool] | None = None
    extra: dict[str, list[dict[str, object]]] = {}
    if scrubbed is not None:
        held = scrubbed.held_ids
        clean = {claim.claim_id: claim.claim_id not in held for claim in scrubbed.claims}
        extra["Scrub exceptions"] = [
            {"claim_id": f.claim_id, "line_id": f.line_id or "", "row": f.row, "rule": f.rule_id,
             "severity": f.severity, "field": f.field, "message": f.message}
            for f in scrubbed.findings
        ]  # fmt: skip
    # the rows stream into the workbook's spools (written by a child process when they are many); each
    # claim's ERA rows and PM claim are released once used
    pm_claims: list[Claim | ChargeClaim] = list(export.claims)
    del export
    writer = report_writer(len(pm_claims))
    eras: Iterator[EraRemit] = handed_over(remittances)
    result = run(eras, handed_over(pm_claims), as_of=day, tolerance=margin,
                 aging_days=aging_days, deposits=deposits, fee_schedule=fees, clean_claims=clean,
                 inputs=inputs, book=load_reason_book(override_dir=folder), files_not_read=unread,
                 sink=writer.add)  # fmt: skip
    writer.save(result, out, extra=extra)
    table = Table(title=f"Reconciliation as of {day}")
    table.add_column("Category")
    table.add_column("Claims", justify="right")
    table.add_column("Net paid", justify="right")
    for category, (count, paid) in result.category_counts().items():
        table.add_row(category, str(count), f"{paid:,.2f}")
    Console().print(table)
    Console().print(result.tie_out.notes[0], result.tie_out.notes[1] if len(result.tie_out.notes) > 1 else "")
    Console().print(f"Report written to {out}")
    if unread:
        for item in unread:
            console.print(f"[red]ERA file not read:[/red] {item.reason}")
        console.print(
            f"{len(unread)} ERA file(s) not read; the report lists them (exit {EXIT_WRITTEN_WITH_PROBLEMS})."
        )
        raise typer.Exit(EXIT_WRITTEN_WITH_PROBLEMS)
