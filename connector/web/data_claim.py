"""One claim's whole story: the batch it went in (999/277CA as timely-filing evidence), the statuses seen,
the ERA lines and adjustments, the reconciliation verdict, and the files to download."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from connector.errors import ConnectorError
from connector.filestore import DB_PREFIX
from connector.store import (
    Acknowledgement,
    ClaimPaymentRow,
    ClaimStatusObservation,
    ReconciliationResult,
    ServiceLineRow,
    SubmissionBatch,
)
from connector.web.codes import describe, describe_status
from connector.web.data_money import latest

SEGMENT_END = re.compile(rb"[~\n]")


@dataclass(slots=True)
class BatchStory:
    """A batch that carried the claim, and its acknowledgements."""

    batch: SubmissionBatch
    acks: list[Acknowledgement]
    claim_ack: list[dict[str, Any]] = field(default_factory=list)
    """The 277CA detail items about this claim."""
    file_present: bool = True


@dataclass(slots=True)
class ClaimStory:
    """Everything the claim page shows."""

    claim: str
    verdicts: list[tuple[str, ReconciliationResult]] = field(default_factory=list)
    """(account, result row) of the newest reconciliation of each account."""
    payments: list[ClaimPaymentRow] = field(default_factory=list)
    statuses: list[ClaimStatusObservation] = field(default_factory=list)
    batches: list[BatchStory] = field(default_factory=list)

    @property
    def found(self) -> bool:
        """True when the store knows anything about the claim."""
        return bool(self.verdicts or self.payments or self.statuses or self.batches)


def carc_text(group: str, code: str) -> str:
    """'CO-45 Charge exceeds fee schedule...'."""
    return f"{group}-{code} {describe('carc', code)}".strip()


def rarc_text(code: str) -> str:
    """'M51 Missing/incomplete/invalid procedure code(s).'."""
    return f"{code} {describe('rarc', code)}".strip()


def _batch_has(location: str, claim: str, read: Callable[[str], bytes] | None = None) -> bool | None:
    """True when the 837 file names the claim in a CLM segment; None when the file is gone.

    ``location`` is a path, or (fleet mode's shared outbox) a ``db:<sha256>`` location read with ``read``.
    """
    try:
        if location.startswith(DB_PREFIX):
            if read is None:
                return None
            data = read(location)
        else:
            data = Path(location).read_bytes()
    except (OSError, ConnectorError):
        return None
    needle = b"CLM*" + claim.encode() + b"*"
    return any(
        segment.strip().startswith(needle) for segment in SEGMENT_END.split(data) if b"CLM*" in segment
    )


def claim_story(session: Session, claim: str, read: Callable[[str], bytes] | None = None) -> ClaimStory:
    """Gather the claim's story from every table that mentions it (``read``: stored batches' bytes)."""
    story = ClaimStory(claim)
    for key, day in latest(session).items():
        rows = session.scalars(
            select(ReconciliationResult)
            .where(ReconciliationResult.reconciliation_run_id == day.run_id)
            .where(ReconciliationResult.claim_number == claim)
            .order_by(ReconciliationResult.id)
        )
        story.verdicts += [(key, row) for row in rows]
    story.payments = list(
        session.scalars(
            select(ClaimPaymentRow)
            .where(ClaimPaymentRow.patient_control_number == claim)
            .options(
                selectinload(ClaimPaymentRow.remittance),
                selectinload(ClaimPaymentRow.adjustments),
                selectinload(ClaimPaymentRow.service_lines).selectinload(ServiceLineRow.adjustments),
            )
            .order_by(ClaimPaymentRow.id)
        )
    )
    story.statuses = list(
        session.scalars(
            select(ClaimStatusObservation)
            .where(ClaimStatusObservation.claim_number == claim)
            .order_by(ClaimStatusObservation.observed_at, ClaimStatusObservation.id)
        )
    )
    acks_by_batch: dict[int, list[Acknowledgement]] = {}
    for ack in session.scalars(select(Acknowledgement).order_by(Acknowledgement.received_at)):
        if ack.batch_id is not None:
            acks_by_batch.setdefault(ack.batch_id, []).append(ack)
    for batch in session.scalars(select(SubmissionBatch).order_by(SubmissionBatch.created_at)):
        mentions = [
            item
            for ack in acks_by_batch.get(batch.id, [])
            for item in (ack.detail or [])
            if str(item.get("claim", "")) == claim
        ]
        present = _batch_has(batch.file_path, claim, read)
        if present or mentions:
            story.batches.append(
                BatchStory(batch, acks_by_batch.get(batch.id, []), mentions, present is not None)
            )
    return story


def status_words(item: dict[str, Any]) -> str:
    """A 277CA detail item's status codes with their descriptions."""
    return "; ".join(describe_status(s) for s in item.get("statuses", []))
