"""Scrub results: findings per claim and line, the clean and held claims, and the clean claim rate."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from connector.pm.models import Claim
from connector.scrub.registry import Severity


@dataclass(slots=True, frozen=True)
class Finding:
    """One rule that fired on a claim (``line_id`` None) or on one of its lines."""

    rule_id: str
    severity: Severity
    field: str
    message: str
    claim_id: str
    line_id: str | None = None
    row: int | None = None
    """Export row of the line (or of the claim's first line), for pointing the biller at the file."""


@dataclass(slots=True, frozen=True)
class ScrubReport:
    """All findings of one scrub run, in claim order."""

    claims: tuple[Claim, ...]
    findings: tuple[Finding, ...]

    @property
    def held_ids(self) -> frozenset[str]:
        """Claims with at least one error: they stay out of the batch."""
        return frozenset(f.claim_id for f in self.findings if f.severity == "error")

    @property
    def clean_claims(self) -> tuple[Claim, ...]:
        """Claims without errors (warnings allowed), in export order."""
        held = self.held_ids
        return tuple(c for c in self.claims if c.claim_id not in held)

    @property
    def held_claims(self) -> tuple[Claim, ...]:
        """Claims with at least one error, in export order."""
        held = self.held_ids
        return tuple(c for c in self.claims if c.claim_id in held)

    @property
    def clean_claim_rate(self) -> Decimal:
        """Share of claims without errors, as a percentage with one decimal (100.0 for an empty export)."""
        if not self.claims:
            return Decimal("100.0")
        rate = Decimal(len(self.claims) - len(self.held_ids)) * 100 / Decimal(len(self.claims))
        return rate.quantize(Decimal("0.1"))

    def for_claim(self, claim_id: str) -> list[Finding]:
        """Findings of one claim."""
        return [f for f in self.findings if f.claim_id == claim_id]

    def counts_by_rule(self) -> dict[str, int]:
        """How often each rule fired, most frequent first."""
        return dict(Counter(f.rule_id for f in self.findings).most_common())

    def summary(self) -> dict[str, object]:
        """Totals for a report header or a JSON summary."""
        errors = sum(1 for f in self.findings if f.severity == "error")
        return {
            "claims": len(self.claims),
            "lines": sum(len(c.lines) for c in self.claims),
            "clean_claims": len(self.claims) - len(self.held_ids),
            "held_claims": len(self.held_ids),
            "clean_claim_rate": str(self.clean_claim_rate),
            "errors": errors,
            "warnings": len(self.findings) - errors,
            "by_rule": self.counts_by_rule(),
        }
