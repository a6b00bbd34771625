"""The report opens cleanly: LibreOffice (when installed) converts it to PDF headless without errors."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from connector.report import write_report
from tests.reconcile.book import reconcile


def test_libreoffice_converts_the_report_to_pdf(tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc)")
    from connector.pm.reader import read_export
    from connector.sandbox import era, exports
    from connector.sandbox.generator import generate
    from connector.x12 import read_835

    data = generate(seed=5, payments=30)
    paths = exports.write_exports(data, tmp_path / "data")
    remittances = [r for p in data.payments for r in read_835(era.era_bytes(data, p))]
    result = reconcile(remittances, read_export(paths.pm_csv, "generic").claims, as_of=data.as_of)
    report = write_report(result, tmp_path / "report.xlsx")
    profile = tmp_path / "lo-profile"
    done = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(report)],
        capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    pdf = tmp_path / "report.pdf"
    assert done.returncode == 0, done.stderr
    assert "error" not in done.stderr.lower().replace("javaldx", "")
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
    assert pdf.read_bytes().count(b"/Type /Page") > 3 or pdf.read_bytes().count(b"/Type/Page") > 3
