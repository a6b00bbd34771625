"""Reconciliations and their verdict rows, stored as the rows come (one per claim and per service line).

A reconciliation of 100,000 claims stores about 280,000 rows. They are made into the table's column values
as they come (amounts checked as the money columns check them, the detail serialised as the JSON column
does) and written without the ORM's or the statement compiler's work per row: PostgreSQL (psycopg) takes
them by ``COPY``; SQLite takes them by the driver's ``executemany``, at the end, from a private spool file
(SQLite has one writer at a time: its write lock is held only for that short write, so other jobs' ledger
rows and heartbeats are not held up). Another driver gets Core ``INSERT`` statements. A failed write raises
:class:`~connector.errors.StorageError` naming the table, never a row's values (they are PHI).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import pickle
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from typing import IO, Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from connector.errors import StorageError
from connector.store.db import _json_dumps
from connector.store.models import ReconciliationResult, ReconciliationRun
from connector.store.types import ExactDecimal, utcnow

RESULT_TABLE = cast(Table, ReconciliationResult.__table__)
RESULT_BATCH = 2000
"""Result rows written together: memory stays flat whatever the number of claims."""
RESULT_DEFAULTS: dict[str, Any] = {
    "claim_payment_id": None, "service_line_id": None, "expected": None, "paid": None, "difference": None,
    "detail": {},
}  # fmt: skip
COLUMNS = (
    "reconciliation_run_id", "claim_number", "claim_payment_id", "service_line_id", "category", "expected",
    "paid", "difference", "detail",
)  # fmt: skip
FAST_DRIVERS = {("sqlite", "pysqlite"), ("postgresql", "psycopg")}

Values = tuple[Any, ...]
"""One row's column values after the run id, in ``COLUMNS`` order."""


def save_reconciliation(
    session: Session,
    *,
    as_of: dt.date,
    results: Iterable[Mapping[str, Any]],
    inputs: Mapping[str, Any] | None = None,
    totals: Mapping[str, Any] | None = None,
    run_id: int | None = None,
    account_id: int | None = None,
) -> ReconciliationRun:
    """Store one reconciliation and its result rows (written in batches as ``results`` yields them).

    Each result mapping has ``claim_number`` and ``category`` and may have ``claim_payment_id``,
    ``service_line_id``, ``expected``, ``paid``, ``difference`` (Decimal) and ``detail`` (JSON).
    """
    writer = ReconciliationWriter(session, as_of=as_of, inputs=inputs, run_id=run_id, account_id=account_id)
    for row in results:
        writer.add(row)
    return writer.finish(totals)


class ReconciliationWriter:
    """One reconciliation stored as its result rows come (pushed one at a time, written in batches of
    RESULT_BATCH); its totals are set by :meth:`finish`. All in the caller's transaction (see the module's
    docstring for how each database is written)."""

    def __init__(
        self,
        session: Session,
        *,
        as_of: dt.date,
        inputs: Mapping[str, Any] | None = None,
        run_id: int | None = None,
        account_id: int | None = None,
    ) -> None:
        self.session = session
        self.run = ReconciliationRun(
            as_of=as_of, created_at=utcnow(), run_id=run_id, account_id=account_id, inputs=dict(inputs or {}),
            totals={},
        )  # fmt: skip
        self._dialect = session.get_bind().dialect
        self._fast = (self._dialect.name, self._dialect.driver) in FAST_DRIVERS
        self._money = cast(ExactDecimal, RESULT_TABLE.c.expected.type).process_bind_param
        self._batch: list[Any] = []
        self._copy: Any = None
        """PostgreSQL: the one COPY the rows stream into, open from the first batch to :meth:`finish`."""
        self._copying: Any = None
        """... and the cursor's context that holds it (and the connection's lock) open."""
        self._spool: IO[bytes] | None = None
        if self._dialect.name == "sqlite":
            self._spool = tempfile.TemporaryFile()  # noqa: SIM115  (closed in finish; 0600, unlinked)
        else:
            session.add(self.run)
            session.flush()

    def add(self, row: Mapping[str, Any]) -> None:
        """One result row (see :func:`save_reconciliation`)."""
        if self._fast:
            self._batch.append(self._values(row))
        else:
            self._batch.append({**RESULT_DEFAULTS, **row})
        if len(self._batch) >= RESULT_BATCH:
            self._flush()

    def finish(self, totals: Mapping[str, Any] | None = None) -> ReconciliationRun:
        """Write the rows left and set the totals (the snapshot of the Summary)."""
        self.run.totals = dict(totals or {})
        if self._spool is not None:
            self._write_spooled()
        self._flush()
        if self._copying is not None:
            copying, self._copying, self._copy = self._copying, None, None
            with _stored():
                copying.__exit__(None, None, None)  # waits for the server to take the last rows
        self.session.flush()
        self.session.expire(self.run, ["results"])
        return self.run

    def abort(self) -> None:
        """Give up (the caller's transaction is rolled back): end a COPY in progress as failed."""
        copying, self._copying, self._copy = self._copying, None, None
        if copying is not None:
            failed = RuntimeError("reconciliation abandoned")
            with contextlib.suppress(Exception):
                copying.__exit__(RuntimeError, failed, None)
        if self._spool is not None:
            self._spool.close()
            self._spool = None

    def _values(self, row: Mapping[str, Any]) -> Values:
        money, dialect = self._money, self._dialect
        return (
            row["claim_number"], row.get("claim_payment_id"), row.get("service_line_id"), row["category"],
            money(row.get("expected"), dialect), money(row.get("paid"), dialect),
            money(row.get("difference"), dialect), _json_dumps(row.get("detail") or {}),
        )  # fmt: skip

    def _flush(self) -> None:
        if not self._batch:
            return
        batch, self._batch = self._batch, []
        if self._spool is not None:
            pickle.dump(batch, self._spool, protocol=pickle.HIGHEST_PROTOCOL)
        else:
            self._write(batch)

    def _write(self, batch: list[Any]) -> None:
        """One batch, with the run's id, into the table."""
        if not batch:
            return
        run_id = self.run.id
        if not self._fast:
            self.session.execute(
                insert(RESULT_TABLE), [{**row, "reconciliation_run_id": run_id} for row in batch]
            )
            return
        with _stored():
            if self._dialect.name == "postgresql":
                copy = self._copy or self._open_copy()
                for values in batch:
                    copy.write_row((run_id, *values))
            else:
                cursor = self.session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
                try:
                    cursor.executemany(_INSERT, [(run_id, *values) for values in batch])
                finally:
                    cursor.close()

    def _open_copy(self) -> Any:
        """The COPY the rows go into; its rows are sent by a thread while this one makes the next ones, and
        the server takes them meanwhile (nothing else is said on the connection until :meth:`finish`)."""
        from psycopg.copy import QueuedLibpqWriter

        driver: Any = self.session.connection().connection.driver_connection
        cursor = driver.cursor()
        copying = cursor.copy(_COPY, writer=QueuedLibpqWriter(cursor))
        with _stored():
            self._copy = copying.__enter__()
        self._copying = copying
        return self._copy

    def _write_spooled(self) -> None:
        """SQLite: the run row now, then every spooled batch with its id (one short write)."""
        spool, self._spool = self._spool, None
        assert spool is not None
        self.session.add(self.run)
        self.session.flush()
        rows, self._batch = self._batch, []
        with spool:
            spool.seek(0)
            while True:
                try:
                    batch: list[Any] = pickle.load(spool)  # our own file, written above
                except EOFError:
                    break
                self._write(batch)
        self._write(rows)


@contextlib.contextmanager
def _stored() -> Iterator[None]:
    """A driver error while writing rows, as a StorageError naming the table, never a row's values (the
    error it came from stays its context: a full disk is still told by it)."""
    try:
        yield
    except Exception as exc:
        code = getattr(exc, "sqlstate", None) or getattr(exc, "sqlite_errorname", None) or ""
        what = f"{type(exc).__name__} {code}".strip()
        raise StorageError(f"cannot store the reconciliation's result rows ({what})") from None


_COPY = f"COPY reconciliation_result ({', '.join(COLUMNS)}) FROM STDIN"
_INSERT = f"INSERT INTO reconciliation_result ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
