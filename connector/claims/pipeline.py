"""Scrub a PM export and build the 837 of its clean claims: the one path for the CLI and the demo."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from connector.claims.build import Allocate, BuildResult, build_batches
from connector.claims.scrub_tables import load_scrub_settings
from connector.pm.models import PMExport
from connector.pm.reader import read_export
from connector.scrub import ScrubContext, scrub
from connector.scrub.findings import ScrubReport
from connector.scrub.registry import submitted_keys
from connector.x12 import Submitter


def scrub_export(
    export_path: Path,
    profile: str,
    *,
    today: dt.date,
    sheet: str | None = None,
    mappings: Path | None = None,
) -> tuple[PMExport, ScrubReport]:
    """Read the export (PMExportError/ConfigError when it cannot be read) and scrub every claim in it."""
    export = read_export(export_path, profile, sheet=sheet, override_dir=mappings)
    settings = load_scrub_settings(mappings)
    ctx = ScrubContext(today=today, settings=settings, already_submitted=submitted_keys(export.claims))
    return export, scrub(export.claims, ctx)


def build_claims(
    report: ScrubReport,
    out: Path,
    submitter: Submitter,
    allocate: Allocate,
    *,
    mappings: Path | None = None,
    include_submitted: bool = False,
    usage: str = "P",
) -> BuildResult:
    """Write the 837 files of the report's clean claims (filing indicator from each payer's settings)."""
    settings = load_scrub_settings(mappings)
    return build_batches(
        report,
        out,
        submitter,
        allocate,
        include_submitted=include_submitted,
        usage=usage,
        filing=lambda payer_id: settings.for_payer(payer_id).filing_indicator,
    )
