"""Provider adjustments (PLB): recoupments (WO/FB) and interest (L6) allocated to the claim they name."""

from __future__ import annotations

import re
from collections.abc import Mapping

from connector.reconcile.keys import claim_key
from connector.reconcile.model import Category, ClaimRow, ProviderAdjustmentRow
from connector.reconcile.netting import ClaimGroup
from connector.reconcile.reasons import ReasonBook
from connector.reconcile.rows import EraRemit

RECOUPMENTS = frozenset({"WO", "FB", "WU", "J1"})
INTEREST = frozenset({"L6"})
_TOKENS = re.compile(r"[A-Za-z0-9]+")


def allocate_provider_adjustments(
    remittances: list[EraRemit],
    groups: Mapping[str, ClaimGroup],
    claims: Mapping[str, ClaimRow],
    book: ReasonBook,
) -> list[ProviderAdjustmentRow]:
    """One row per PLB adjustment; a recoupment or interest whose reference names a claim marks that claim."""
    index: dict[str, ClaimRow] = {}
    for claim in claims.values():
        index.setdefault(claim_key(claim.claim_id), claim)
    for group in groups.values():
        owner = claims.get(group.pm.claim_id if group.pm is not None else group.key)
        if owner is None:
            continue
        for entry in group.entries:
            index.setdefault(claim_key(entry.claim.claim_id), owner)
            if entry.claim.payer_claim_number:
                index.setdefault("#" + claim_key(entry.claim.payer_claim_number), owner)
    out: list[ProviderAdjustmentRow] = []
    for remit in remittances:
        for plb in remit.provider_adjustments:
            row: ClaimRow | None = _named_claim(plb.reference, index)
            kind = (
                "recoupment"
                if plb.reason in RECOUPMENTS
                else "interest"
                if plb.reason in INTEREST
                else "other"
            )
            if row is not None:
                if kind == "recoupment":
                    row.recouped += plb.amount
                    _flag(row, "recouped")
                elif kind == "interest":
                    row.interest -= plb.amount
                    _flag(row, "interest")
            out.append(
                ProviderAdjustmentRow(
                    payment_number=remit.trace_number,
                    payer=remit.payer.name,
                    reason=plb.reason,
                    reference=plb.reference,
                    amount=plb.amount,
                    description=book.describe("plb", plb.reason),
                    claim_id=row.claim_id if row is not None else "",
                    kind=kind,
                )
            )
    for claim in claims.values():
        if claim.interest and "interest" not in claim.flags:
            _flag(claim, "interest")
    return out


def _named_claim(reference: str, index: Mapping[str, ClaimRow]) -> ClaimRow | None:
    """The claim a PLB reference names: whole reference, then each token; claim or payer claim number."""
    if not reference:
        return None
    candidates = [reference, *_TOKENS.findall(reference)]
    for text in candidates:
        key = claim_key(text)
        if not key:
            continue
        found = index.get(key) or index.get("#" + key)
        if found is not None:
            return found
    return None


def _flag(row: ClaimRow, category: Category) -> None:
    if category not in row.flags and row.category != category:
        row.flags = (*row.flags, category)
