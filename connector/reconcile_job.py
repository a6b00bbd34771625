"""The reconcile job: the ERAs already in the store against the PM export, into the report and the store."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector import store
from connector.diskspace import disk_full, is_disk_full
from connector.errors import ConfigError, ConnectorError
from connector.reconcile import ReconciliationResult, read_bank_csv, reconcile
from connector.report import write_report
from connector.runner import RunResult
from connector.settings import ConnectorSettings
from connector.store import DownloadedFile, FileKind, Run, RunOutcome
from connector.x12 import Remittance, read_835

log = logging.getLogger(__name__)


def stored_remittances(session: Session, account_id: int) -> tuple[list[Remittance], int]:
    """Every 835 transaction downloaded for the account, read back from its stored file."""
    files = session.scalars(
        select(DownloadedFile)
        .join(Run, DownloadedFile.run_id == Run.id)
        .where(Run.account_id == account_id, DownloadedFile.kind == FileKind.ERA_835)
        .order_by(DownloadedFile.first_seen_at, DownloadedFile.id)
    ).all()
    remittances: list[Remittance] = []
    for row in files:
        remittances.extend(read_835(Path(row.stored_path).read_bytes(), source=Path(row.stored_path).name))
    return remittances, len(files)


def result_rows(result: ReconciliationResult) -> list[dict[str, Any]]:
    """Rows for the store: one per line and one per claim-level category (no patient names)."""
    rows: list[dict[str, Any]] = []
    for claim in result.claims:
        rows.append(
            {
                "claim_number": claim.claim_id,
                "category": str(claim.category),
                "expected": claim.expected,
                "paid": claim.paid,
                "difference": claim.difference,
                "detail": {"level": "claim", "flags": [str(f) for f in claim.flags]},
            }
        )
    for line in result.lines:
        rows.append(
            {
                "claim_number": line.claim_id,
                "category": str(line.category),
                "expected": line.expected,
                "paid": line.paid,
                "difference": line.difference,
                "detail": {"level": "line", "line_id": line.line_id, "procedure": line.procedure},
            }
        )
    return rows


def _problem(exc: Exception, settings: ConnectorSettings) -> tuple[str, str]:
    """Error class and one-line message of a failed reconcile: a full disk (writing the report), one of our
    errors (an unreadable or refused input), an input file that cannot be read; anything else is a bug."""
    if is_disk_full(exc):
        return "DiskFull", str(disk_full(settings.data_dir))
    if isinstance(exc, ConnectorError):
        return type(exc).__name__, str(exc)
    if isinstance(exc, OSError):
        return type(exc).__name__, f"cannot read an input file: {exc.filename}"
    raise exc


def reconcile_from_store(
    account: str, settings: ConnectorSettings, *, as_of: dt.date | None = None
) -> tuple[RunResult, Path | None]:
    """Run the reconcile job for one account; returns its ledger result and the report path."""
    from connector.pm.reader import read_export

    name, acct = settings.account(account)
    store.ensure_schema(settings.database_url)
    engine = store.make_engine(settings.database_url)
    factory = store.session_factory(engine)
    day = as_of or dt.datetime.now(dt.UTC).date()
    try:
        with factory.begin() as session:
            account_id = store.upsert_account(
                session,
                name,
                practice_name=acct.practice_name,
                portal_kind=acct.portal,
                base_url=acct.base_url,
            )
            run_id = store.start_run(session, "reconcile", account_id)
        result = RunResult(run_id, "reconcile", name, RunOutcome.RUNNING.value)
        report: Path | None = None
        try:
            if acct.pm_export is None:
                raise ConfigError(
                    f"set CONNECTOR_ACCOUNTS__{name.upper()}__PM_EXPORT to the PM export to reconcile"
                )
            export = read_export(
                acct.pm_export,
                acct.pm_profile,
                override_dir=settings.mappings_dir,
                limits=settings.archive_limits,
            )
            deposits = None
            if acct.bank_csv is not None:
                deposits = read_bank_csv(acct.bank_csv.read_text(encoding="utf-8-sig"), acct.bank_csv.name)
            with factory() as session:
                remittances, files = stored_remittances(session, account_id)
            inputs = {
                "ERA files": str(files),
                "ERA transactions": str(len(remittances)),
                "PM export": f"{acct.pm_export.name} ({export.profile}, {len(export.claims)} claims)",
            }
            outcome = reconcile(
                remittances,
                export.claims,
                as_of=day,
                aging_days=settings.missing_era_days,
                deposits=deposits,
                inputs=inputs,
            )
            report = Path(settings.data_dir) / "reports" / name / f"reconciliation-{day.isoformat()}.xlsx"
            write_report(outcome, report)
            counts: dict[str, Any] = {"eras": len(remittances), "claims": len(outcome.claims)}
            for category, (count, _paid) in outcome.category_counts().items():
                counts[str(category)] = count
            with factory.begin() as session:
                store.save_reconciliation(
                    session,
                    as_of=day,
                    results=result_rows(outcome),
                    inputs=inputs,
                    totals={"paid": str(sum((c.paid for c in outcome.claims), Decimal(0)))},
                    run_id=run_id,
                    account_id=account_id,
                )
            result.counts, result.outcome, result.artifacts = (
                counts,
                RunOutcome.SUCCEEDED.value,
                [str(report)],
            )
        except Exception as exc:
            result.outcome = "FAILED"
            result.error_class, result.error_message = _problem(exc, settings)
        with factory.begin() as session:
            error = (result.error_class, result.error_message or "") if result.error_class else None
            store.finish_run(
                session, run_id, RunOutcome(result.outcome), result.counts, error, result.artifacts
            )
        return result, report if result.ok else None
    finally:
        engine.dispose()
