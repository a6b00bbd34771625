"""The rule registry: every scrub rule with its id, severity, field and a message a biller understands."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from connector.pm.models import Claim, ServiceLine
from connector.scrub.settings import ScrubSettings

Severity = Literal["error", "warning"]
"""error: the claim is held back from the batch; warning: it goes out, but a person should look."""

DuplicateKey = tuple[str, dt.date | None, str, tuple[str, ...]]
"""(patient account id, service date, procedure code, sorted modifiers): what makes two lines one service."""

Hit = tuple[str | None, str]
"""What a check returns per problem: the line id (None for the claim) and a detail for the message."""


def duplicate_key(claim: Claim, line: ServiceLine) -> DuplicateKey:
    """The key the duplicate-claim rules compare (also what callers pass as ``already_submitted``)."""
    return (claim.patient.account_id, line.service_date, line.procedure_code, tuple(sorted(line.modifiers)))


@dataclass(slots=True, frozen=True)
class ScrubContext:
    """What the rules know besides the claim: today, the settings and what was already sent."""

    today: dt.date
    settings: ScrubSettings = field(default_factory=ScrubSettings)
    already_submitted: frozenset[DuplicateKey] = frozenset()
    absent_fields: frozenset[str] = frozenset()
    """Fields the PM export does not have at all (its profile lists them under ``absent:``): every claim is
    held with the reason, instead of the whole export being refused."""
    """Keys of lines already sent to a payer (from the store); the core never looks them up itself."""
    batch_first: Mapping[DuplicateKey, tuple[str, str]] = field(default_factory=dict)
    """Filled by the engine: key -> (claim id, line id) of its first occurrence among the claims not yet
    submitted (claims with a submitted date are history, checked by DUPLICATE-SUBMITTED)."""


Check = Callable[[Claim, ScrubContext], Iterable[Hit]]


@dataclass(slots=True, frozen=True)
class Rule:
    """One scrub rule."""

    id: str
    severity: Severity
    field: str
    """Canonical field the rule checks (``billing_npi``, ``procedure_code``, ...)."""
    message: str
    """What is wrong, in the billing office's words."""
    check: Check
    claim_types: frozenset[str] = frozenset({"P", "I"})


RULES: dict[str, Rule] = {}
"""Every registered rule by id, in registration order."""


def rule(
    rule_id: str, severity: Severity, field_name: str, message: str, *, claim_types: str = "PI"
) -> Callable[[Check], Check]:
    """Register a check function as a rule (ids are unique)."""

    def register(check: Check) -> Check:
        if rule_id in RULES:
            raise ValueError(f"scrub rule {rule_id} registered twice")
        RULES[rule_id] = Rule(rule_id, severity, field_name, message, check, frozenset(claim_types))
        return check

    return register


def submitted_keys(claims: Iterable[Claim]) -> frozenset[DuplicateKey]:
    """Keys of the lines of claims the PM marks as already sent (they have a submitted date)."""
    return frozenset(
        duplicate_key(claim, line)
        for claim in claims
        if claim.submitted_date is not None
        for line in claim.lines
    )
