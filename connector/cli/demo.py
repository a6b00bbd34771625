"""`connector demo`: the whole daily cycle once against the bundled sandbox portal, with progress bars."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import logging
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from pydantic import SecretStr
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from connector.jobs.context import RunResult
from connector.jobs.registry import JOBS
from connector.ops.cycle import CycleOutcome
from connector.ops.dispatch import dispatch
from connector.sandbox.server import SandboxServer
from connector.settings import ConnectorSettings, PortalAccount

ACCOUNT = "prairie"
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


def demo_settings(sandbox: SandboxServer, root: Path) -> ConnectorSettings:
    """Settings for one practice account on the local sandbox (sandbox-only credentials)."""
    account = PortalAccount(
        practice_name="Prairie Family Medicine (sandbox)",
        portal="sandbox-v1",
        base_url=sandbox.base_url,
        username=sandbox.username,
        password=SecretStr(sandbox.password),
        totp_secret=SecretStr(sandbox.totp_secret),
        pm_export=sandbox.pm_export_csv,
        bank_csv=sandbox.bank_csv,
        pm_schedule=sandbox.schedule_csv,
    )
    return ConnectorSettings(
        accounts={ACCOUNT: account},
        eligibility_pace_seconds=0.2,
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


def summary_table(outcome: CycleOutcome) -> Table:
    """One row per job: outcome and counts."""
    table = Table(title="Daily cycle against the sandbox portal")
    table.add_column("step")
    table.add_column("outcome")
    table.add_column("counts / error")
    for result in outcome.results:
        detail = ", ".join(
            f"{k}={v}" for k, v in sorted(result.counts.items()) if v not in (0, "") and k != "workbook"
        )
        if result.error_class:
            detail = f"{result.error_class}: {result.error_message}"
        table.add_row(result.job, result.outcome, detail)
    return table


def run_demo(root: Path = Path("data/demo"), seed: int | None = None) -> int:
    """Start the sandbox in-process, run the whole cycle once, print the summary and the report path."""
    console = Console()
    started = time.monotonic()
    logging.getLogger().setLevel(logging.WARNING)  # the progress bars and the summary tell the story
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True, mode=0o700)
    sandbox = (
        SandboxServer(root / "sandbox", seed=seed) if seed else SandboxServer(root / "sandbox")
    ).start()
    try:
        console.print(f"Sandbox portal at [bold]{sandbox.base_url}[/] (sandbox-only credentials)")
        settings = demo_settings(sandbox, root)
        as_of = sandbox.data.as_of
        charges = root / "new-charges.csv"
        write_new_charges(sandbox.pm_export_csv, charges, as_of)
        files, held = build_batch(settings, charges, root / "outbox" / ACCOUNT, as_of)
        console.print(
            f"Scrubbed today's charges: {len(files)} batch file(s) ready, {len(held)} claim(s) held"
        )
        for claim_id, reasons in held.items():
            console.print(f"  held {claim_id}: " + "; ".join(reasons))
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            outcome = asyncio.run(
                dispatch("all", ACCOUNT, settings, progress=_progress_hook(progress), as_of=as_of)
            )
    finally:
        sandbox.stop()
    console.print(summary_table(outcome))
    console.print(f"Finished in {time.monotonic() - started:.1f} s")
    if outcome.report is not None:
        console.print(f"Reconciliation report: [bold]{outcome.report.resolve()}[/]")
    for result in outcome.results:
        if result.counts.get("workbook"):
            console.print(f"Eligibility workbook: [bold]{Path(result.counts['workbook']).resolve()}[/]")
    if not outcome.ok:
        console.print(f"[red]The cycle stopped: {outcome.stopped_by or 'skipped'}[/]")
        return 1
    return 0
