"""Run every registered rule over a batch of claims and collect the findings (pure)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from connector.pm.models import Claim
from connector.scrub import rules_claim, rules_coding, rules_parties, rules_text
from connector.scrub.findings import Finding, ScrubReport
from connector.scrub.registry import RULES, DuplicateKey, ScrubContext, duplicate_key

RULE_MODULES = (rules_text, rules_parties, rules_coding, rules_claim)
"""Imported for their registrations; the order here is the order findings are listed in."""


def scrub(claims: Iterable[Claim], ctx: ScrubContext) -> ScrubReport:
    """Scrub a batch: claim and line findings for every rule not turned off for the claim's payer."""
    batch = tuple(claims)
    first: dict[DuplicateKey, tuple[str, str]] = {}
    for claim in batch:
        if claim.submitted_date is not None:
            continue  # history: already sent, compared through DUPLICATE-SUBMITTED instead
        for line in claim.lines:
            first.setdefault(duplicate_key(claim, line), (claim.claim_id, line.line_id))
    ctx = dataclasses.replace(ctx, batch_first=first)
    order = [m.__name__ for m in RULE_MODULES]
    rules = sorted(RULES.values(), key=lambda r: order.index(r.check.__module__))
    findings: list[Finding] = []
    for claim in batch:
        disabled = ctx.settings.for_payer(claim.payer_id).disabled
        rows = {line.line_id: line.source_row for line in claim.lines}
        claim_row = claim.lines[0].source_row if claim.lines else None
        for r in rules:
            if r.id in disabled or claim.claim_type not in r.claim_types:
                continue
            for line_id, detail in r.check(claim, ctx):
                findings.append(
                    Finding(
                        rule_id=r.id,
                        severity=r.severity,
                        field=r.field,
                        message=f"{r.message}: {detail}" if detail else r.message,
                        claim_id=claim.claim_id,
                        line_id=line_id,
                        row=rows.get(line_id, claim_row) if line_id else claim_row,
                    )
                )
    return ScrubReport(claims=batch, findings=tuple(findings))
