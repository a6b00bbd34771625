"""What a job receives (JobContext) and what a run gives back (RunResult, carrying the error object)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from connector import store
from connector.errors import ConnectorError, PortalMaintenance, PortalUnavailable
from connector.filestore import FileStore, Kind, export_file, open_store
from connector.jobs.paths import Paths
from connector.settings import ConnectorSettings, PortalAccount
from connector.store import DownloadedFile, FileKind
from connector.store import RunOutcome as Outcome
from flows.portal import PortalPage
from flows.records import SavedFile, SavedKind

UNEXPECTED = "unexpected error; see the connector log"

STORE_KIND: dict[SavedKind, FileKind] = {
    "835": FileKind.ERA_835,
    "pdf": FileKind.PDF,
    "999": FileKind.ACK_999,
    "277ca": FileKind.ACK_277CA,
}
"""How a file saved by a flow is recorded in the store."""

FILESTORE_KIND: dict[SavedKind, Kind] = {"835": "era", "pdf": "pdf", "999": "ack", "277ca": "ack"}
"""How a file saved by a flow is kept in the file store."""


@dataclass(slots=True)
class RunResult:
    """What one run did: ledger id, outcome, counts, and the error object when it failed or was skipped.

    Decisions are taken on ``error`` with ``isinstance`` and the error classes' attributes (``retryable``,
    ``needs_person``, ``what_to_do``); the ledger stores the class name and message.
    """

    run_id: int | None
    job: str
    account: str | None
    outcome: str
    counts: dict[str, Any] = field(default_factory=dict)
    error: BaseException | None = None
    artifacts: list[str] = field(default_factory=list)
    report: Path | None = None

    @property
    def ok(self) -> bool:
        """True when the run succeeded (or was a health check that found the portal usable)."""
        return self.outcome == Outcome.SUCCEEDED.value

    @property
    def error_class(self) -> str | None:
        """The error's class name, as the ledger stores it."""
        return type(self.error).__name__ if self.error is not None else None

    @property
    def error_message(self) -> str | None:
        """The message for people: ours say what happened; an unexpected bug only points to the log."""
        if self.error is None:
            return None
        return str(self.error) if isinstance(self.error, ConnectorError) else UNEXPECTED

    @property
    def retryable(self) -> bool:
        """The run failed for a passing reason (portal down, 5xx, 429, timeout, broken download)."""
        return isinstance(self.error, ConnectorError) and self.error.retryable

    @property
    def needs_person(self) -> bool:
        """The run failed for a reason no retry fixes."""
        return isinstance(self.error, ConnectorError) and self.error.needs_person

    @property
    def retry_after(self) -> float | None:
        """Seconds the portal asked us to wait (429/503), for the backoff."""
        return self.error.retry_after if isinstance(self.error, PortalUnavailable) else None

    @property
    def until(self) -> str | None:
        """End of the maintenance window when the run was skipped for maintenance."""
        return self.error.until if isinstance(self.error, PortalMaintenance) else None

    def finish(self, outcome: Outcome, error: BaseException | None = None) -> None:
        """Set the outcome (and the error that caused it)."""
        self.outcome = outcome.value
        self.error = error


@dataclass(slots=True)
class JobContext:
    """What a job needs: the store, its run, the account and settings, its folders, options, and (for jobs
    that need the portal) the signed-in page."""

    factory: sessionmaker[Session]
    run_id: int
    account: str
    settings: ConnectorSettings
    options: dict[str, Any]
    page: PortalPage | None = None
    report: Path | None = None
    file_store: FileStore | None = None

    @property
    def files(self) -> FileStore:
        """The file store the settings choose (the data folder by default; the database in fleet mode)."""
        if self.file_store is None:
            self.file_store = open_store(self.settings, self.factory)
        return self.file_store

    def keep(self, saved: SavedFile) -> tuple[bytes, str]:
        """A file a flow saved: its bytes, and where the file store keeps it (the ledger's stored_path)."""
        data = saved.path.read_bytes()
        return data, self.files.keep(
            FILESTORE_KIND[saved.kind], self.account, saved.path, saved.sha256
        ).location

    def keep_report(self, report: Path) -> None:
        """A written workbook into the export folders and, with the database store, the database too (the
        local file stays: the run's summary message attaches it)."""
        data = report.read_bytes()
        if self.files.backend != "folder":
            self.files.put("report", self.account, report.name, data)
        self.export(report.name, data)

    def export(self, name: str, data: bytes) -> None:
        """Write a new file into the export folders (global and the account's), when any is set."""
        export_file(self.settings, self.account, name, data)

    @property
    def portal(self) -> PortalPage:
        """The signed-in portal page (only jobs that need the browser have one)."""
        if self.page is None:
            raise RuntimeError("this job runs without the portal")
        return self.page

    @property
    def account_settings(self) -> PortalAccount:
        """This account's settings."""
        return self.settings.accounts[self.account]

    @property
    def paths(self) -> Paths:
        """This account's folders under the data folder."""
        return Paths(self.settings.data_dir, self.account)

    @property
    def downloads(self) -> Path:
        """Where this account's downloads go."""
        return self.paths.downloads

    @property
    def outbox(self) -> Path:
        """837 files waiting to be uploaded for this account."""
        return self.paths.outbox

    def account_id(self, session: Session) -> int:
        """The ledger's id for this account."""
        found = session.scalars(select(store.Account.id).where(store.Account.key == self.account)).one()
        return int(found)


def known_references(session: Session, kinds: tuple[FileKind, ...]) -> set[tuple[str, str]]:
    """(kind, portal reference) of every stored file of these kinds: what need not be fetched again."""
    rows = session.execute(
        select(DownloadedFile.kind, DownloadedFile.portal_reference).where(DownloadedFile.kind.in_(kinds))
    )
    return {(str(kind.value), str(ref)) for kind, ref in rows if ref}
