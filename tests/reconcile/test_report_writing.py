"""The workbook written by a child process equals the one written here; its failures are raised here."""

from __future__ import annotations

import errno
import os
import pickle
import signal
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from connector.errors import ReportNotWritten
from connector.jobs import report_writing
from connector.jobs.report_writing import ReportBeside, report_writer
from connector.reconcile import ClaimRow, LineRow, ReconciliationResult
from connector.reconcile.model import Reason
from connector.report import ReportWriter
from tests.reconcile.test_sink import _run, inputs  # noqa: F401  (the module's fixture)
from tests.reconcile.test_streaming import _cells


def test_rows_pickle_as_they_were_with_shared_reasons() -> None:
    """Rows cross the pipe by position; a reason shared by a claim and its line stays one object (the
    Denials sheet tells a claim's own reasons from its lines' by identity)."""
    reason = Reason("CO", "45", Decimal("12.50"), remarks=("M51",), description="Charges exceed fee")
    line = LineRow("C1", "L1", "denied", procedure="99213", reasons=(reason,), flags=("recouped",))
    claim = ClaimRow("C1", "denied", payer="ACME", payment_numbers=("T1", "T2"), reasons=(reason,))
    again_claim, again_lines = pickle.loads(pickle.dumps((claim, [line])))
    assert again_claim == claim and again_lines == [line]
    assert again_claim.reasons[0] is again_lines[0].reasons[0]


def test_totals_cross_with_their_counts_not_the_claim_ids(inputs: dict[str, Any]) -> None:  # noqa: F811
    result = _run(inputs, lambda claim, lines: None)
    assert result.totals is not None and result.totals.recent_by_id
    again = pickle.loads(pickle.dumps(result))
    assert again.totals is not None and again.totals.recent_by_id == {}
    assert again.totals.denial_groups() == result.totals.denial_groups()
    assert any(group.claims > 1 for group in again.totals.denial_groups())
    assert again.category_counts() == result.category_counts()
    assert again.totals.payer_table() == [replace(r, claim_ids=set()) for r in result.totals.payer_table()]


def test_the_child_writes_the_same_workbook(
    inputs: dict[str, Any],  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every cell of every sheet as written here; the deposits and tie-out lines cross in several batches."""
    monkeypatch.setattr(report_writing, "BATCH_ROWS", 7)
    here = ReportWriter()
    result = _run(inputs, here.add)
    beside = report_writer(len(inputs["claims"]), min_claims=0)
    assert isinstance(beside, ReportBeside)
    _run(inputs, beside.add)
    extra = {"Scrub exceptions": [{"claim_id": "C1", "rule": "R1"}]}
    ours = _cells(beside.save(result, tmp_path / "beside.xlsx", extra=extra))
    theirs = _cells(here.save(result, tmp_path / "here.xlsx", extra=extra))
    assert ours == theirs
    assert len(ours["Claims"]) > 100 and len(ours["Denials"]) > 10
    assert result.deposits is not None and len(result.deposits) > 2 * 7 and len(ours["Deposits"]) > 2 * 7
    assert len(result.tie_out.lines) > 2 * 7
    assert (tmp_path / "beside.xlsx").stat().st_mode & 0o777 == 0o600


def test_few_claims_are_written_here() -> None:
    assert isinstance(report_writer(report_writing.BESIDE_MIN_CLAIMS - 1), ReportWriter)


def test_an_error_in_the_child_is_raised_here(inputs: dict[str, Any], tmp_path: Path) -> None:  # noqa: F811
    """The child cannot save (a folder stands where the report goes): its OSError, with its errno (a full
    disk is told by it), is raised by save."""
    beside = ReportBeside()
    result = _run(inputs, beside.add)
    (tmp_path / "report.xlsx").mkdir()
    with pytest.raises(OSError) as caught:
        beside.save(result, tmp_path / "report.xlsx")
    assert caught.value.errno == errno.EISDIR
    assert beside._process is None


def test_a_killed_child_says_no_report_was_written(inputs: dict[str, Any], tmp_path: Path) -> None:  # noqa: F811
    beside = ReportBeside()
    process = beside._process
    assert process is not None and process.pid is not None
    os.kill(process.pid, signal.SIGKILL)
    process.join()
    with pytest.raises(ReportNotWritten, match=r"stopped \(exit code -9\).*no report was written"):
        result: ReconciliationResult = _run(inputs, beside.add)
        beside.save(result, tmp_path / "report.xlsx")
    assert not (tmp_path / "report.xlsx").exists()


def test_a_writer_dropped_unsaved_stops_its_child() -> None:
    beside = ReportBeside()
    process = beside._process
    assert process is not None
    beside.add(ClaimRow("C1", "paid_as_expected"), [])
    del beside
    process.join(10)
    assert process.exitcode is not None


def test_equal_amounts_of_the_rows_are_one_object_with_their_digits() -> None:
    """Sums and differences of the rows are kept as one object per text: equal digits share an object
    (pickled once per batch), a different exponent of the same value does not (the printing is unchanged)."""
    from connector.reconcile.assemble import same_amount

    first = same_amount(Decimal("12.50") + Decimal("0"))
    again = same_amount(Decimal("10.25") + Decimal("2.25"))
    assert again is first and str(again) == "12.50"
    other = same_amount(Decimal("12.5"))
    assert other == first and other is not first and str(other) == "12.5"
    zero = same_amount(Decimal("0.00"))
    assert str(zero) == "0.00" and same_amount(Decimal("0")) is not zero
