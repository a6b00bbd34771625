"""Typed records the flows hand back to the runner (flows never persist anything themselves)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

HealthState = Literal["up", "degraded", "maintenance", "unreachable"]
SavedKind = Literal["835", "pdf", "999", "277ca"]
"""What a flow saved (the store records it as a ``connector.store.FileKind``)."""
ReceiptState = Literal["SUBMITTED", "UNKNOWN", "DUPLICATE", "REJECTED"]
"""What the portal said about an upload (the store keeps a batch's life as ``connector.store.BatchState``)."""


@dataclass(frozen=True, slots=True)
class MaintenanceWindow:
    """A scheduled or running maintenance window announced on the status page."""

    name: str
    starts: dt.datetime | None
    ends: dt.datetime | None
    in_progress: bool


@dataclass(frozen=True, slots=True)
class PortalHealth:
    """What the status page says: up / degraded / maintenance (with window) / unreachable."""

    state: HealthState
    indicator: str | None = None
    description: str = ""
    components: dict[str, str] = field(default_factory=dict)
    maintenance: tuple[MaintenanceWindow, ...] = ()
    source: Literal["json", "html", "none"] = "json"

    @property
    def maintenance_until(self) -> dt.datetime | None:
        """End of the maintenance window in progress, if any."""
        running = [w.ends for w in self.maintenance if w.in_progress and w.ends]
        return max(running) if running else None


@dataclass(frozen=True, slots=True)
class PaymentListing:
    """One row of the payments search: a payment (TRN02) with its 835 and PDF remit links."""

    payment_number: str
    payment_date: str
    amount: str
    payer: str
    era_url: str | None
    pdf_url: str | None


@dataclass(frozen=True, slots=True)
class SavedFile:
    """A file saved under a generated name (0600, atomically) by a flow."""

    kind: SavedKind
    path: Path
    sha256: str
    size: int
    reference: str
    """The portal's key for the file: payment number for ERAs/PDFs, batch id for acknowledgements."""
    reused: bool = False
    """True when the file was already on disk from an earlier, interrupted run (not fetched again)."""


@dataclass(frozen=True, slots=True)
class EraDownload:
    """Everything the ERA flow found and saved."""

    listings: tuple[PaymentListing, ...]
    files: tuple[SavedFile, ...]
    skipped_known: int
    pages: int
    method: Literal["request", "click"]
    pending_pdfs: tuple[tuple[str, PaymentListing], ...] = ()
    """(reference, listing) of PDF remits asked for and still being generated (a later run collects them)."""
    pdf_requested: int = 0
    access: str = "full"
    """"full", or "standard" when the portal's free access level hides features."""
    unavailable: tuple[str, ...] = ()
    """What this access level cannot fetch (said once to a person, not a failure)."""
    bundle_files: int = 0
    count_mismatches: int = 0
    """Periods whose rows walked differ from the portal's record count."""


@dataclass(frozen=True, slots=True)
class ClaimStatusRow:
    """One status row for a claim as the portal shows it (PHI stays in the record, never in logs)."""

    claim_number: str
    status: str
    category_code: str
    paid_amount: str
    payment_number: str
    status_date: str


@dataclass(frozen=True, slots=True)
class MemberQuery:
    """A claim-status search by member (PHI, never logged): the claim, member id, birth and service dates."""

    claim_number: str
    member_id: str
    dob: dt.date
    service_date: dt.date


@dataclass(frozen=True, slots=True)
class BatchReceipt:
    """The outcome of uploading one claim batch: SUBMITTED (with the portal's batch id) or UNKNOWN."""

    state: ReceiptState
    batch_id: str | None
    upload_name: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class PortalBatch:
    """A row of the portal's batch list, used to settle batches whose upload outcome was unknown."""

    batch_id: str
    file_name: str
    status: str


@dataclass(frozen=True, slots=True)
class AckListing:
    """A file in the responses mailbox: a 999 or 277CA for a batch."""

    batch_id: str
    kind: SavedKind
    url: str
    name: str
