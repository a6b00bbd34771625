"""835 balancing at line, claim and transaction level; findings only, never corrections."""

from __future__ import annotations

from decimal import Decimal

from connector.x12.model_835 import BalanceFinding, Remittance

_ZERO = Decimal(0)


def balance_findings(remit: Remittance) -> list[BalanceFinding]:
    """Check SVC02−ΣCAS=SVC03, CLP03−Σ(claim+line CAS)=CLP04 and ΣCLP04−ΣPLB=BPR02."""
    findings: list[BalanceFinding] = []
    total_paid = _ZERO
    for claim in remit.claims:
        total_paid += claim.paid
        adjusted = _ZERO
        for adj in claim.adjustments:
            adjusted += adj.amount
        for i, line in enumerate(claim.service_lines):
            line_adj = _ZERO
            for adj in line.adjustments:
                line_adj += adj.amount
            adjusted += line_adj
            if line.charge - line_adj != line.paid:
                findings.append(
                    BalanceFinding(
                        "line",
                        "service line charge minus adjustments does not equal the paid amount",
                        expected=line.charge - line_adj,
                        actual=line.paid,
                        claim_id=claim.claim_id,
                        line_index=i,
                    )
                )
        if claim.charge - adjusted != claim.paid:
            findings.append(
                BalanceFinding(
                    "claim",
                    "claim charge minus claim and line adjustments does not equal the claim payment",
                    expected=claim.charge - adjusted,
                    actual=claim.paid,
                    claim_id=claim.claim_id,
                )
            )
    plb = _ZERO
    for entry in remit.provider_adjustments:
        plb += entry.amount
    if total_paid - plb != remit.payment_amount:
        findings.append(
            BalanceFinding(
                "transaction",
                "sum of claim payments minus provider adjustments does not equal the payment amount",
                expected=total_paid - plb,
                actual=remit.payment_amount,
            )
        )
    return findings
