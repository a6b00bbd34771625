"""Write the 837 files of a scrubbed export's clean claims, with control numbers allocated in the store.

ISA13 and GS06 come from the store's ``ISA13``/``GS06`` counters (committed before use, never handed out
twice); ST02 is ``0001`` inside each interchange. A claim the X12 writer still refuses is held with the
writer's reason instead of stopping the batch. Claims the PM marks as already submitted
are skipped unless asked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from connector.claims.plan import PlannedBatch, plan_batches
from connector.claims.scrub_output import held_reasons
from connector.errors import InputError
from connector.fileio import atomic_write_bytes
from connector.pm.models import Claim
from connector.scrub.findings import ScrubReport
from connector.x12 import ControlNumbers, Submitter, write_837

Allocate = Callable[[str, int], range]
"""(counter name, count) -> numbers; the CLI binds it to ``connector.store.allocate_control_numbers``."""


@dataclass(slots=True, frozen=True)
class BuiltFile:
    """One 837 file written."""

    path: Path
    kind: str
    payer_id: str
    claim_ids: tuple[str, ...]
    interchange: int
    group: int
    sha256: str


@dataclass(slots=True)
class BuildResult:
    """What was written and what was kept back, with reasons."""

    files: list[BuiltFile] = field(default_factory=list)
    held: dict[str, list[str]] = field(default_factory=dict)
    """Claim id -> reasons (scrub errors, or the X12 writer's refusal)."""
    already_submitted: list[str] = field(default_factory=list)
    """Clean claims skipped because the PM shows a submitted date."""


def _control(
    interchange: int, group: int, submitter: Submitter, receiver_id: str, created: dt.datetime, usage: str
) -> ControlNumbers:
    return ControlNumbers(
        interchange=interchange,
        group=group,
        transaction="0001",
        sender_id=submitter.id,
        receiver_id=receiver_id,
        created=created,
        usage=usage,
    )


def _drop_unwritable(plan: PlannedBatch, submitter: Submitter, result: BuildResult) -> None:
    """Remove claims the writer refuses (tried one by one, only after the whole batch failed)."""
    keep_x12, keep = [], []
    for x12_claim, claim in zip(plan.batch.claims, plan.claims, strict=True):
        probe = plan.batch.__class__(
            kind=plan.batch.kind,
            submitter=submitter,
            receiver=plan.batch.receiver,
            billing_provider=plan.batch.billing_provider,
            claims=[x12_claim],
        )
        try:
            write_837(probe, control=_control(1, 1, submitter, plan.payer_id, dt.datetime(2000, 1, 1), "T"))
        except InputError as exc:
            result.held.setdefault(claim.claim_id, []).append(f"cannot be written as X12: {exc}")
            continue
        keep_x12.append(x12_claim)
        keep.append(claim)
    plan.batch.claims[:] = keep_x12
    plan.claims[:] = keep


def output_path(out: Path, index: int, count: int, plan: PlannedBatch) -> Path:
    """``out`` itself for a single batch; else ``<stem>-<n>-<837p|837i>-<payer><suffix>``."""
    if count == 1:
        return out
    kind = "837p" if plan.kind == "professional" else "837i"
    payer = "".join(ch for ch in plan.payer_id if ch.isalnum()) or "payer"
    return out.with_name(f"{out.stem}-{index}-{kind}-{payer}{out.suffix or '.837'}")


def build_batches(
    report: ScrubReport,
    out: Path,
    submitter: Submitter,
    allocate: Allocate,
    *,
    include_submitted: bool = False,
    created: dt.datetime | None = None,
    usage: str = "P",
    filing: Callable[[str], str] = lambda payer_id: "CI",
) -> BuildResult:
    """Write one 837 per (kind, billing provider, payer) group of clean claims; files and held claims."""
    result = BuildResult(held=held_reasons(report))
    ready: list[Claim] = []
    for claim in report.clean_claims:
        if claim.submitted_date is not None and not include_submitted:
            result.already_submitted.append(claim.claim_id)
        else:
            ready.append(claim)
    plans = plan_batches(ready, submitter, filing)
    stamp = created or dt.datetime.now().replace(second=0, microsecond=0)
    for plan in plans:
        try:
            write_837(plan.batch, control=_control(1, 1, submitter, plan.payer_id, stamp, usage))
        except InputError:
            _drop_unwritable(plan, submitter, result)
    plans = [p for p in plans if p.claims]
    for index, plan in enumerate(plans, start=1):
        interchange = allocate("ISA13", 1)[0]
        group = allocate("GS06", 1)[0]
        data = write_837(
            plan.batch, control=_control(interchange, group, submitter, plan.payer_id, stamp, usage)
        )
        path = output_path(out, index, len(plans), plan)
        atomic_write_bytes(path, data)
        result.files.append(
            BuiltFile(
                path=path,
                kind=plan.kind,
                payer_id=plan.payer_id,
                claim_ids=tuple(c.claim_id for c in plan.claims),
                interchange=interchange,
                group=group,
                sha256=hashlib.sha256(data).hexdigest(),
            )
        )
    return result
