"""Claim scrubbing (pure): a registry of rules run over canonical PM claims; findings per claim and line."""

from __future__ import annotations

from connector.scrub.engine import scrub
from connector.scrub.findings import Finding, ScrubReport
from connector.scrub.registry import RULES, DuplicateKey, Rule, ScrubContext, Severity, duplicate_key
from connector.scrub.settings import PayerRules, ScrubSettings, from_mappings

__all__ = [
    "RULES",
    "DuplicateKey",
    "Finding",
    "PayerRules",
    "Rule",
    "ScrubContext",
    "ScrubReport",
    "ScrubSettings",
    "Severity",
    "duplicate_key",
    "from_mappings",
    "scrub",
]
