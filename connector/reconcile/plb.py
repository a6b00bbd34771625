"""Provider adjustments (PLB): recoupments (WO/FB) and interest (L6) allocated to the claim they name."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from connector.reconcile.keys import claim_key
from connector.reconcile.model import Category, ClaimRow, ProviderAdjustmentRow
from connector.reconcile.netting import ClaimGroup
from connector.reconcile.reasons import ReasonBook
from connector.reconcile.rows import EraRemit

RECOUPMENTS = frozenset({"WO", "FB", "WU", "J1"})
INTEREST = frozenset({"L6"})
_TOKENS = re.compile(r"[A-Za-z0-9]+")


@dataclass(slots=True)
class PlbPlan:
    """The PLB rows and what they do to the claims they name, worked out before any claim row is built."""

    rows: list[ProviderAdjustmentRow]
    marks: dict[str, list[tuple[str, Decimal]]]
    """Claim group key -> (recoupment or interest, PLB amount) in PLB order."""
    hidden: set[str]
    """Keys of the groups whose claim row is not the last with its claim id: a PLB never names them and
    their AMT*I interest is not flagged (as when the rows were looked up by claim id)."""


def plan_provider_adjustments(
    remittances: Iterable[EraRemit], groups: Mapping[str, ClaimGroup], book: ReasonBook
) -> PlbPlan:
    """One row per PLB adjustment; a recoupment or interest whose reference names a claim marks that claim.

    A claim is named by its claim id (the PM's, else the CLP01 its row shows), or by the CLP01 or payer
    claim number of any payment in its group; the first claim (in report order) a key names wins. Only the
    keys some PLB reference could name are indexed."""
    plbs = [(remit, plb) for remit in remittances for plb in remit.provider_adjustments]
    last: dict[str, ClaimGroup] = {}
    for group in groups.values():
        last[row_id(group)] = group
    hidden = {group.key for group in groups.values() if last[row_id(group)] is not group}
    lookups: set[str] = set()
    for _remit, plb in plbs:
        for text in _candidates(plb.reference):
            lookups.update((text, "#" + text))
    index: dict[str, ClaimGroup] = {}
    if lookups:
        for claim_id, group in last.items():
            if (key := claim_key(claim_id)) in lookups:
                index.setdefault(key, group)
        for group in groups.values():
            owner = last.get(group.pm.claim_id if group.pm is not None else group.key)
            if owner is None:
                continue
            for entry in group.entries:
                if (key := claim_key(entry.claim.claim_id)) in lookups:
                    index.setdefault(key, owner)
                number = entry.claim.payer_claim_number
                if number and (key := "#" + claim_key(number)) in lookups:
                    index.setdefault(key, owner)
    del last
    rows: list[ProviderAdjustmentRow] = []
    marks: dict[str, list[tuple[str, Decimal]]] = {}
    for remit, plb in plbs:
        named = _named_claim(plb.reference, index)
        reason = plb.reason
        kind = "recoupment" if reason in RECOUPMENTS else "interest" if reason in INTEREST else "other"
        if named is not None and kind != "other":
            marks.setdefault(named.key, []).append((kind, plb.amount))
        rows.append(
            ProviderAdjustmentRow(
                payment_number=remit.trace_number,
                payer=remit.payer.name,
                reason=plb.reason,
                reference=plb.reference,
                amount=plb.amount,
                description=book.describe("plb", plb.reason),
                claim_id=row_id(named) if named is not None else "",
                kind=kind,
            )
        )
    return PlbPlan(rows, marks, hidden)


def apply_marks(row: ClaimRow, group_key: str, plan: PlbPlan) -> None:
    """Recoupments and interest the PLBs name on this claim's row, then its AMT*I interest flag."""
    for kind, amount in plan.marks.get(group_key, ()):
        if kind == "recoupment":
            row.recouped += amount
            _flag(row, "recouped")
        else:
            row.interest -= amount
            _flag(row, "interest")
    if row.interest and "interest" not in row.flags and group_key not in plan.hidden:
        _flag(row, "interest")


def row_id(group: ClaimGroup) -> str:
    """The claim id of a group's row: the PM claim's, else the effective payment's CLP01."""
    if group.pm is not None:
        return group.pm.claim_id
    assert group.effective is not None
    return group.effective.claim.claim_id


def _candidates(reference: str) -> list[str]:
    """The keys a PLB reference is looked up by: whole reference, then each token (empty keys dropped)."""
    if not reference:
        return []
    return [key for text in (reference, *_TOKENS.findall(reference)) if (key := claim_key(text))]


def _named_claim(reference: str, index: Mapping[str, ClaimGroup]) -> ClaimGroup | None:
    """The claim a PLB reference names: whole reference, then each token; claim or payer claim number."""
    for key in _candidates(reference):
        found = index.get(key) or index.get("#" + key)
        if found is not None:
            return found
    return None


def _flag(row: ClaimRow, category: Category) -> None:
    if category not in row.flags and row.category != category:
        row.flags = (*row.flags, category)
