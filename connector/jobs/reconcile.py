"""The reconcile job: the ERAs already in the store against the PM export, into the report and the store."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector import store
from connector.codetables import load_code_lists, load_reason_book
from connector.diskspace import disk_full, is_disk_full
from connector.errors import ConfigError, InputError, X12ParseError
from connector.jobs.context import JobContext
from connector.jobs.era_reading import EraReading, FileRows
from connector.jobs.report_writing import report_writer
from connector.pm.models import ChargeClaim
from connector.pm.profile_parse import load_profile
from connector.pm.reader import read_charges
from connector.reconcile import (
    ClaimRow,
    FileNotRead,
    LineRow,
    Reason,
    ReconciliationResult,
    read_bank_csv,
    reconcile,
)
from connector.reconcile.engine import handed_over
from connector.reconcile.lines import paused_gc
from connector.reconcile.rows import EraRemit, compact
from connector.reconcile.snapshot import snapshot
from connector.store import DownloadedFile, FileKind, Run
from connector.x12 import read_835
from connector.x12.code_check import CodeLists

log = logging.getLogger(__name__)


class StoredEra(NamedTuple):
    """What the job needs of a stored ERA file's row: where it is and its digest (alerts are keyed by it)."""

    id: int
    stored_path: str
    sha256: str


FETCH_BATCH = 1000
"""Stored file rows fetched per round trip (only the columns the job reads)."""


def _read_path(location: str) -> bytes:
    return Path(location).read_bytes()


def stored_remittances(
    session: Session,
    account_id: int,
    *,
    strict: bool = False,
    codes: CodeLists | None = None,
    read: Callable[[str], bytes] = _read_path,
) -> tuple[list[EraRemit], int, list[tuple[StoredEra, FileNotRead]]]:
    """Every 835 transaction downloaded for the account as compact rows, read back from its stored file
    (``read``: the file store's), and the files that cannot be read (with their store rows; one bad file never
    stops the others). The store rows come in batches of the three columns used; each file is read, compacted
    and released before the next."""
    query = (
        select(DownloadedFile.id, DownloadedFile.stored_path, DownloadedFile.sha256)
        .join(Run, DownloadedFile.run_id == Run.id)
        .where(Run.account_id == account_id, DownloadedFile.kind == FileKind.ERA_835)
        .order_by(DownloadedFile.first_seen_at, DownloadedFile.id)
        .execution_options(yield_per=FETCH_BATCH)
    )
    remittances: list[EraRemit] = []
    unread: list[tuple[StoredEra, FileNotRead]] = []
    files = 0
    for found in session.execute(query):
        row = StoredEra(*found)
        files += 1
        name = Path(row.stored_path).name
        try:
            data = read(row.stored_path)
            models = list(read_835(data, source=name, strict=strict, codes=codes))  # whole or none
            remittances.extend(compact(r, release=True) for r in models)  # the file's models are released
        except X12ParseError as exc:
            unread.append((row, FileNotRead(name, str(exc))))
        except OSError as exc:
            unread.append((row, FileNotRead(name, f"cannot read the stored file: {exc.strerror or exc}")))
    return remittances, files, unread


def stored_eras(session: Session, account_id: int) -> list[StoredEra]:
    """The account's stored ERA files (the three columns used), in the order they were first seen."""
    query = (
        select(DownloadedFile.id, DownloadedFile.stored_path, DownloadedFile.sha256)
        .join(Run, DownloadedFile.run_id == Run.id)
        .where(Run.account_id == account_id, DownloadedFile.kind == FileKind.ERA_835)
        .order_by(DownloadedFile.first_seen_at, DownloadedFile.id)
    )
    return [StoredEra(*found) for found in session.execute(query)]


def stored_rows_of(
    rows: list[StoredEra], found: list[FileRows]
) -> tuple[list[EraRemit], list[tuple[StoredEra, FileNotRead]]]:
    """The rows of the stored files read (:class:`EraReading`), and those not read with their store rows."""
    remittances: list[EraRemit] = []
    unread: list[tuple[StoredEra, FileNotRead]] = []
    for row, rows_of_file in zip(rows, found, strict=True):
        name = Path(row.stored_path).name
        if isinstance(rows_of_file, list):
            remittances.extend(rows_of_file)
        elif rows_of_file.kind == "x12":
            unread.append((row, FileNotRead(name, rows_of_file.message)))
        else:
            unread.append((row, FileNotRead(name, f"cannot read the stored file: {rows_of_file.message}")))
    return remittances, unread


def result_rows(result: ReconciliationResult) -> Iterator[dict[str, Any]]:
    """Rows for the store of a result holding its rows: one per claim, then one per line."""
    for claim in result.claims:
        yield claim_result(claim)
    for line in result.lines:
        yield line_result(line)


def claim_result(claim: ClaimRow) -> dict[str, Any]:
    """A claim's row for the store, with what the dashboard's work lists show (the patient's name as the
    report has it: the store is PHI, the logs never are)."""
    return {
        "claim_number": claim.claim_id,
        "category": str(claim.category),
        "expected": claim.expected,
        "paid": claim.paid,
        "difference": claim.difference,
        "detail": {"level": "claim", "flags": [str(f) for f in claim.flags], **claim_detail(claim)},
    }


def line_result(line: LineRow) -> dict[str, Any]:
    """A line's row for the store."""
    return {
        "claim_number": line.claim_id,
        "category": str(line.category),
        "expected": line.expected,
        "paid": line.paid,
        "difference": line.difference,
        "detail": {
            "level": "line",
            "line_id": line.line_id,
            "procedure": line.procedure,
            "service_date": _day(line.service_date),
            "charge": _text(line.charge),
            "allowed": _text(line.allowed),
            "denied": _text(line.denied_amount),
            "reasons": reason_rows(line.reasons),
        },
    }


def reason_rows(reasons: Sequence[Reason]) -> list[dict[str, Any]]:
    """Adjustment reasons as JSON: group, CARC, amount, RARCs, descriptions and the next action."""
    return [
        {"group": r.group, "code": r.code, "amount": _text(r.amount), "remarks": list(r.remarks),
         "description": r.description, "next_action": r.next_action, "remark_text": r.remark_text}
        for r in reasons
    ]  # fmt: skip


def claim_detail(claim: ClaimRow) -> dict[str, Any]:
    """The claim's facts the work lists show, as the store's JSON holds them (amounts as exact text, dates as
    ISO text: what its serialiser would write, without a call back into Python for each value)."""
    return {
        "payer": claim.payer, "patient": claim.patient, "service_date": _day(claim.service_date),
        "submitted": _day(claim.submitted), "status_code": claim.status_code,
        "payer_claim_number": claim.payer_claim_number, "payment_numbers": list(claim.payment_numbers),
        "payment_date": _day(claim.payment_date), "charge": _text(claim.charge),
        "denied": _text(claim.denied_amount), "patient_responsibility": _text(claim.patient_responsibility),
        "age_days": claim.age_days, "aging": claim.aging_bucket, "reasons": reason_rows(claim.reasons),
        "note": claim.note,
    }  # fmt: skip


def _text(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount)


def _day(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


async def run(ctx: JobContext) -> dict[str, Any]:
    """Reconcile the account's stored ERAs against its PM export (off the event loop: it reads every ERA and
    writes the workbook), save the verdicts in the store and the report under data/reports/<account>/."""
    try:
        return await asyncio.to_thread(_reconcile, ctx)
    except OSError as exc:
        if is_disk_full(exc):  # writing the report found no room: not an input problem
            raise disk_full(ctx.settings.data_dir) from None
        raise InputError(f"cannot read an input file: {exc.filename}") from None


def _reconcile(ctx: JobContext) -> dict[str, Any]:
    with paused_gc():  # millions of long-lived model objects: a cyclic collection would rescan them all
        return _reconcile_stored(ctx)


def _reconcile_stored(ctx: JobContext) -> dict[str, Any]:
    acct, settings, name = ctx.account_settings, ctx.settings, ctx.account
    day: dt.date = ctx.options.get("as_of") or dt.datetime.now(dt.UTC).date()
    if acct.pm_export is None:
        raise ConfigError(f"set CONNECTOR_ACCOUNTS__{name.upper()}__PM_EXPORT to the PM export to reconcile")
    reading: tuple[list[StoredEra], EraReading] | None = None
    if ctx.files.backend == "folder":  # a child reads the stored files while the PM export is read here
        with ctx.factory() as session:
            account_id = ctx.account_id(session)
            rows = stored_eras(session, account_id)
        paths = [Path(row.stored_path) for row in rows]
        reading = rows, EraReading(paths, strict=settings.x12_strict, folder=settings.mappings_dir)
    # not beside (few files, or one dominates): read first (a big remittance's models go before the PM export)
    early = None if reading is None or reading[1].beside else reading[1].per_file()
    try:
        profile = load_profile(acct.pm_profile, settings.mappings_dir)
        export = read_charges(
            acct.pm_export,
            profile,
            practice=acct.practice_values(),
            limits=settings.archive_limits,
        )
        deposits = None
        if acct.bank_csv is not None:
            deposits = read_bank_csv(acct.bank_csv.read_text(encoding="utf-8-sig"), acct.bank_csv.name)
    except BaseException:
        if reading is not None:
            reading[1].cancel()
        raise
    if reading is not None:
        remittances, unread = stored_rows_of(reading[0], reading[1].per_file() if early is None else early)
        files = len(reading[0])
    else:
        with ctx.factory() as session:
            account_id = ctx.account_id(session)
            codes = load_code_lists(settings.mappings_dir)
            remittances, files, unread = stored_remittances(session, account_id, strict=settings.x12_strict,
                                                            codes=codes, read=ctx.files.get)  # fmt: skip
    inputs = {
        "ERA files": str(files),
        "ERA files not read": str(len(unread)),
        "ERA transactions": str(len(remittances)),
        "PM export": f"{acct.pm_export.name} ({export.profile}, {len(export.claims)} claims)",
    }
    eras, pm_claims = len(remittances), list(export.claims)
    del export
    report = Path(settings.data_dir) / "reports" / name / f"reconciliation-{day.isoformat()}.xlsx"
    writer = report_writer(len(pm_claims))  # a child process writes the workbook when the claims are many
    # one transaction: the verdict rows are inserted as reconcile() produces them (each claim with its lines,
    # into the workbook's spools too), the totals once it is done; the report is saved before the commit
    with ctx.factory.begin() as session:
        saved = store.ReconciliationWriter(session, as_of=day, inputs=inputs, run_id=ctx.run_id,
                                           account_id=account_id)  # fmt: skip

        def sink(claim: ClaimRow, lines: list[LineRow]) -> None:
            writer.add(claim, lines)
            saved.add(claim_result(claim))
            for line in lines:
                saved.add(line_result(line))

        stored: Iterator[EraRemit] = handed_over(remittances)
        charges: Iterator[ChargeClaim] = handed_over(pm_claims)
        try:
            outcome = reconcile(
                stored,
                charges,
                as_of=day,
                aging_days=settings.missing_era_days,
                deposits=deposits,
                inputs=inputs,
                book=load_reason_book(override_dir=settings.mappings_dir),
                files_not_read=[item for _row, item in unread],
                sink=sink,
            )
            report_saved = writer.start_save(outcome, report)  # a child process may be saving it meanwhile
            saved.finish(snapshot(outcome))
            report_saved()
        except BaseException:
            saved.abort()  # the transaction is rolled back: nothing of this run is kept
            raise
    ctx.keep_report(report)
    counts: dict[str, Any] = {"eras": eras}
    categories = outcome.category_counts()
    counts["claims"] = sum(count for count, _paid in categories.values())
    if unread:
        # one alert per file (ops.cycle keys it by sha256), never one per run
        counts["files_not_read"] = len(unread)
        counts["unread_files"] = [{"file": item.file, "sha256": row.sha256} for row, item in unread]
    for category, (count, _paid) in categories.items():
        counts[str(category)] = count
    ctx.report = report
    return counts
