"""The reconciliation workbook written by a child process while this one reconciles: the second core of
`connector reconcile` and of the reconcile job once their inputs are read.

The claim and line rows ``reconcile()`` hands its sink are pickled in batches down a pipe; the child writes
them into the sheets as :class:`connector.report.ReportWriter` does here, and saves the workbook when told
(the result, without rows, is sent then; its deposit rows and tie-out lines go before it in batches, the
deposits written into their sheet as they come). The pipe's small buffer keeps the two in step, so memory
stays flat whatever the number of claims. An error in the child (a full disk, say) is sent back and raised
here by ``save``; a child that stops without answering raises :class:`~connector.errors.ReportNotWritten`.
A small reconciliation is written here: a child costs an interpreter's start.
"""

from __future__ import annotations

import multiprocessing
import pickle
import weakref
from collections.abc import Callable, Sequence
from dataclasses import replace
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from connector.errors import ReportNotWritten
from connector.jobs.era_reading import main_not_imported
from connector.reconcile.model import ClaimRow, LineRow, ReconciliationResult, TieOutLine

if TYPE_CHECKING:
    from connector.report import Extra

BESIDE_MIN_CLAIMS = 5_000
"""From this many claims the workbook is written by a child process (below, its start costs more than the
writing it takes off this process)."""
BATCH_CLAIMS = 500
"""Claims (with their lines) pickled together."""
BATCH_ROWS = 2_000
"""Deposit rows or tie-out lines pickled together."""
STOP_WAIT_S = 5.0


class ReportSink(Protocol):
    """What the reconciliation writes its report through: rows as they come, then the result."""

    def add(self, claim: ClaimRow, lines: list[LineRow]) -> None:
        """One claim row and its line rows (``reconcile()``'s sink)."""

    def save(self, result: ReconciliationResult, path: Path, *, extra: Extra | None = None) -> Path:
        """Finish the sheets and save the workbook (atomically, mode 0600)."""

    def start_save(
        self, result: ReconciliationResult, path: Path, *, extra: Extra | None = None
    ) -> Callable[[], Path]:
        """Begin saving; the function returned waits for the saved workbook (and raises what went wrong)."""


def report_writer(claims: int, *, min_claims: int | None = None) -> ReportSink:
    """The writer for a reconciliation of about ``claims`` claims: a child process when they are many (and
    it can be started), else :class:`connector.report.ReportWriter` in this process."""
    least = BESIDE_MIN_CLAIMS if min_claims is None else min_claims
    if claims >= least:
        try:
            return ReportBeside()
        except OSError:
            pass  # no process could be started: written here, as always
    from connector.report import ReportWriter

    return ReportWriter()


class ReportBeside:
    """A :class:`ReportSink` whose workbook is written by a child process (see the module's docstring)."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing of ours copied
        ours, theirs = context.Pipe()
        process = context.Process(target=_child, args=(theirs,), daemon=True)
        try:
            with main_not_imported():
                process.start()
        finally:
            theirs.close()
        self._conn: Connection = ours
        self._process: BaseProcess | None = process
        self._batch: list[tuple[ClaimRow, list[LineRow]]] = []
        self._stop = weakref.finalize(self, _stop, process, ours)  # never left running, whatever happens

    def add(self, claim: ClaimRow, lines: list[LineRow]) -> None:
        """One claim row and its line rows: sent with the next batch."""
        self._batch.append((claim, lines))
        if len(self._batch) >= BATCH_CLAIMS:
            self._send(("rows", self._batch))
            self._batch = []

    def save(self, result: ReconciliationResult, path: Path, *, extra: Extra | None = None) -> Path:
        """Send the rows left and the result; the child saves the workbook. Raises what the child raised."""
        return self.start_save(result, path, extra=extra)()

    def start_save(
        self, result: ReconciliationResult, path: Path, *, extra: Extra | None = None
    ) -> Callable[[], Path]:
        """Send the rows left and the result, and return at once: the child saves the workbook while this
        process goes on. The function returned waits for it (and raises what the child raised)."""
        path = Path(path)
        if self._batch:
            self._send(("rows", self._batch))
            self._batch = []
        # the long lists go in batches too, not in one message: a bank's deposits (written into their sheet
        # as they come) and the tie-out's line per remittance (kept for the Summary)
        deposits, tie = result.deposits, result.tie_out
        for kind, rows in (("deposits", deposits or []), ("tie-out", tie.lines)):
            for at in range(0, len(rows), BATCH_ROWS):
                self._send((kind, rows[at : at + BATCH_ROWS]))
        rest = replace(result, deposits=None if deposits is None else [], tie_out=replace(tie, lines=[]))
        self._send(("save", rest, path, extra))
        return lambda: self._saved(path)

    def _saved(self, path: Path) -> Path:
        try:
            reply: tuple[str, BaseException | None] = self._conn.recv()
        except (EOFError, OSError):
            self._gone()
        self.close()
        kind, error = reply
        if kind == "error" and error is not None:
            raise error
        return path

    def close(self) -> None:
        """Stop the child (nothing more will be written)."""
        self._stop()
        self._process = None

    def _send(self, message: tuple[Any, ...]) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self._conn.send_bytes(data)
        except OSError:  # the pipe is broken: the child is gone
            self._gone()

    def _gone(self) -> None:
        process = self._process
        code = None
        if process is not None:
            process.join(STOP_WAIT_S)
            code = process.exitcode
        self.close()
        raise ReportNotWritten(
            f"the process writing the report stopped (exit code {code}) before the report was saved; "
            "no report was written: run the reconciliation again"
        )


def _stop(process: BaseProcess, conn: Connection) -> None:
    conn.close()  # the child sees the end of the pipe and returns
    process.join(STOP_WAIT_S)
    if process.is_alive():
        process.terminate()
        process.join()


def _sendable(error: BaseException) -> BaseException:
    """The child's error as it can cross the pipe (its own class when it pickles, else its text)."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error


def _child(conn: Connection) -> None:
    """Write each batch of rows into the sheets; save the workbook on ``save`` and answer with the outcome.
    After an error the rows that follow are read and dropped, and the error is the answer."""
    import gc

    from connector.report import ReportWriter

    # the rows form no reference cycles (each batch is freed as it is written); the collector's passes over
    # them cost a fifth of this process's time
    gc.disable()
    writer = ReportWriter()
    failed: BaseException | None = None
    tie_lines: list[TieOutLine] = []
    while True:
        try:
            message: Sequence[Any] = pickle.loads(conn.recv_bytes())  # our parent's pickles, over our pipe
        except (EOFError, OSError):
            return  # the parent has gone: nothing to save
        kind = message[0]
        if kind != "save":
            if failed is None:
                try:
                    if kind == "rows":
                        for claim, lines in message[1]:
                            writer.add(claim, lines)
                    elif kind == "deposits":
                        writer.add_deposits(message[1])
                    else:  # "tie-out"
                        tie_lines += message[1]
                except Exception as exc:
                    failed = exc
            continue
        if failed is None:
            try:
                result: ReconciliationResult = message[1]
                if tie_lines:
                    result = replace(result, tie_out=replace(result.tie_out, lines=tie_lines))
                writer.save(result, message[2], extra=message[3])
            except Exception as exc:
                failed = exc
        conn.send(("error", _sendable(failed)) if failed is not None else ("ok", None))
        return
