"""`connector demo`: the whole daily cycle against the bundled sandbox portal, with progress bars."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import logging
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from connector.errors import ConfigError
from connector.jobs.context import RunResult
from connector.jobs.registry import JOBS
from connector.ops.cycle import CycleOutcome
from connector.ops.dispatch import dispatch
from connector.sandbox.server import SandboxServer
from connector.settings import ConnectorSettings, PortalAccount

ACCOUNT = "prairie"
MAPS = {"v1": "sandbox-v1", "v2": "sandbox-v2", "optum": "optum-pay"}
OPTUM_FAULTS = {"epra_delay": 3600, "bundle_delay": 3600}
"""The optum demo: PDFs and bundles take an hour, so the first cycle leaves PDFs generating (the sandbox then
finishes them at once, as the portal would have by the next day's run)."""
FIRST_OPTUM_RUN: dict[str, Any] = {"pdf_wait_s": 2.0, "poll_s": 1.0, "bundle_wait_s": 1.0}
"""Options of the optum demo's first cycle (only the ERA job reads them)."""
NEW_CLAIMS = 6


def write_new_charges(pm_export: Path, target: Path, as_of: dt.date, count: int = NEW_CLAIMS) -> list[str]:
    """Today's new charges for the demo batch: copies of a few exported claims, new ids, one planted error."""
    with pm_export.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    by_claim: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_claim.setdefault(row["claim_id"], []).append(row)
    chosen = list(by_claim)[:count]
    new_ids = [f"N{as_of:%m%d}{n:02d}" for n in range(len(chosen))]
    service = (as_of - dt.timedelta(days=2)).isoformat()
    out: list[dict[str, str]] = []
    for n, claim_id in enumerate(chosen):
        for row in by_claim[claim_id]:
            new = dict(row)
            new["claim_id"] = new_ids[n]
            new["line_id"] = f"{new['claim_id']}-{row['line_id'].rsplit('-', 1)[-1]}"
            new["service_date"] = service
            new["submitted_date"] = ""
            new["claim_status"] = "open"
            new["posted_payment"] = ""
            if n == count - 1:  # a typo in the rendering NPI: the scrubber must hold this claim
                npi = new.get("rendering_npi") or "1234567893"
                new["rendering_npi"] = npi[:-1] + str((int(npi[-1]) + 1) % 10)
            out.append(new)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(out)
    return new_ids


def build_batch(
    settings: ConnectorSettings, charges: Path, outbox: Path, as_of: dt.date
) -> tuple[list[Path], dict[str, list[str]]]:
    """Scrub the new charges, write the clean claims' 837 into the outbox; return files and held claims."""
    from connector.claims.build import build_batches
    from connector.claims.plan import submitter_for
    from connector.claims.scrub_tables import load_scrub_settings
    from connector.pm.reader import read_export
    from connector.scrub import ScrubContext, scrub
    from connector.scrub.registry import submitted_keys
    from connector.store import control_number_allocator, ensure_schema, make_engine, session_factory

    export = read_export(charges, "generic")
    context = ScrubContext(as_of, load_scrub_settings(None), submitted_keys(export.claims))
    report = scrub(export.claims, context)
    ensure_schema(settings.database_url)
    allocate = control_number_allocator(session_factory(make_engine(settings.database_url)))
    submitter = submitter_for(report.clean_claims, contact_phone="2175550100")
    result = build_batches(report, outbox / f"batch-{as_of:%Y%m%d}.837", submitter, allocate)
    return [f.path for f in result.files], dict(result.held)


def demo_settings(sandbox: SandboxServer, root: Path, variant: str = "v1") -> ConnectorSettings:
    """Settings for one practice account on the local sandbox (sandbox-only credentials and answers)."""
    questions = sandbox.state.account.security_questions
    account = PortalAccount(
        practice_name="Prairie Family Medicine (sandbox)",
        portal=MAPS.get(variant, "sandbox-v1"),
        tins=[sandbox.data.practice.tin],
        security_answers={question: SecretStr(answer) for question, answer in questions.items()},
        base_url=sandbox.base_url,
        username=sandbox.username,
        password=SecretStr(sandbox.password),
        totp_secret=SecretStr(sandbox.totp_secret),
        pm_export=sandbox.pm_export_csv,
        bank_csv=sandbox.bank_csv,
    )
    return ConnectorSettings(
        accounts={ACCOUNT: account},
        data_dir=root,
        database_url=f"sqlite:///{root / 'connector.db'}",
    )


def _progress_hook(progress: Progress) -> Callable[[str, RunResult | None], None]:
    titles = {job.name: job.title for job in JOBS}
    tasks = {name: progress.add_task(title, total=1, start=False) for name, title in titles.items()}

    def hook(job: str, result: RunResult | None) -> None:
        task = tasks[job]
        if result is None:
            progress.start_task(task)
            return
        mark = (
            "[green]✓[/]" if result.ok else ("[yellow]–[/]" if result.outcome == "SKIPPED" else "[red]✗[/]")
        )
        progress.update(task, completed=1, description=f"{mark} {titles[job]}")

    return hook


def summary_table(outcome: CycleOutcome, suffix: str = "") -> Table:
    """One row per job: outcome and counts."""
    table = Table(title=f"Daily cycle against the sandbox portal{suffix}")
    table.add_column("step")
    table.add_column("outcome")
    table.add_column("counts / error")
    for result in outcome.results:
        detail = ", ".join(f"{k}={v}" for k, v in sorted(result.counts.items()) if v not in (0, ""))
        if result.error_class:
            detail = f"{result.error_class}: {result.error_message}"
        table.add_row(result.job, result.outcome, detail)
    return table


def run_demo(root: Path = Path("data/demo"), seed: int | None = None, variant: str = "v1") -> int:
    """Start the sandbox in-process, run the whole cycle (twice on optum), print the summary and report."""
    if variant not in MAPS:
        raise ConfigError(f"unknown variant {variant!r}; known: {', '.join(MAPS)}")
    console = Console()
    started = time.monotonic()
    logging.getLogger().setLevel(logging.WARNING)  # the progress bars and the summary tell the story
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True, mode=0o700)
    faults = dict(OPTUM_FAULTS) if variant == "optum" else {}
    folder = root / "sandbox"
    sandbox = (
        SandboxServer(folder, seed=seed, variant=variant, faults=faults)
        if seed
        else SandboxServer(folder, variant=variant, faults=faults)
    ).start()
    outcomes: list[CycleOutcome] = []
    try:
        console.print(f"Sandbox portal ({variant}) at [bold]{sandbox.base_url}[/] (sandbox-only credentials)")
        settings = demo_settings(sandbox, root, variant)
        as_of = sandbox.data.as_of
        charges = root / "new-charges.csv"
        write_new_charges(sandbox.pm_export_csv, charges, as_of)
        files, held = build_batch(settings, charges, root / "outbox" / ACCOUNT, as_of)
        console.print(
            f"Scrubbed today's charges: {len(files)} batch file(s) ready, {len(held)} claim(s) held"
        )
        for claim_id, reasons in held.items():
            console.print(f"  held {claim_id}: " + "; ".join(reasons))
        outcomes.append(_cycle(console, settings, as_of, FIRST_OPTUM_RUN if variant == "optum" else None))
        pending = int(_eras_counts(outcomes[-1]).get("pdf_pending", 0) or 0)
        if variant == "optum" and outcomes[-1].ok and pending:
            console.print(
                f"{pending} PDF remit(s) were still being generated when the cycle ended. The sandbox "
                "finishes them now (the portal would have by the next run); a second cycle collects them."
            )
            sandbox.finish_pdfs()
            outcomes.append(_cycle(console, settings, as_of, None))
        stored = _stored(settings) if variant == "optum" else None
    finally:
        sandbox.stop()
    for number, outcome in enumerate(outcomes, start=1):
        console.print(summary_table(outcome, f" (cycle {number})" if len(outcomes) > 1 else ""))
    console.print(f"Finished in {time.monotonic() - started:.1f} s")
    outcome = outcomes[-1]
    if outcome.report is not None:
        console.print(f"Reconciliation report: [bold]{outcome.report.resolve()}[/]")
    if not outcome.ok:
        console.print(f"[red]The cycle stopped: {outcome.stopped_by or 'skipped'}[/]")
        return 1
    if stored is not None:
        payments = len(sandbox.data.payments)
        eras, pdfs = stored
        console.print(f"Stored {eras} ERA(s) and {pdfs} PDF remit(s) for the portal's {payments} payments")
        if (eras, pdfs) != (payments, payments):
            console.print("[red]Some payments' files are missing or stored twice[/]")
            return 1
    return 0


def _cycle(
    console: Console, settings: ConnectorSettings, as_of: dt.date, options: dict[str, Any] | None
) -> CycleOutcome:
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console
    ) as progress:
        hook = _progress_hook(progress)
        return asyncio.run(dispatch("all", ACCOUNT, settings, progress=hook, as_of=as_of, options=options))


def _eras_counts(outcome: CycleOutcome) -> dict[str, Any]:
    return next((r.counts for r in outcome.results if r.job == "eras"), {})


def _stored(settings: ConnectorSettings) -> tuple[int, int]:
    """How many 835 and PDF files the store holds (each recorded once, by sha256)."""
    from sqlalchemy import func, select

    from connector.store import DownloadedFile, FileKind, open_session

    with open_session(settings.database_url) as session:
        rows = session.execute(select(DownloadedFile.kind, func.count()).group_by(DownloadedFile.kind)).all()
    counts = {kind: int(number) for kind, number in rows}
    return counts.get(FileKind.ERA_835, 0), counts.get(FileKind.PDF, 0)
