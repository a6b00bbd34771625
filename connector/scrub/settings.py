"""Scrub settings: per-payer rule settings (timely filing, rules turned off), the POS list, unit maxima.

Pure: the values come in as plain mappings (``from_mappings``); ``connector.claims.scrub_tables`` reads
them from ``mappings/scrub/`` files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

DEFAULT_TIMELY_FILING_DAYS = 90
"""UnitedHealthcare-style default: 90 days from the date of service."""


@dataclass(slots=True, frozen=True)
class PayerRules:
    """The rule settings that apply to one payer's claims."""

    timely_filing_days: int = DEFAULT_TIMELY_FILING_DAYS
    disabled: frozenset[str] = frozenset()
    """Rule ids that do not run for this payer."""
    name: str = ""
    filing_indicator: str = "CI"
    """SBR09 on the 837: CI commercial, MB Medicare Part B, MC Medicaid, BL Blue Cross, ..."""


@dataclass(slots=True, frozen=True)
class ScrubSettings:
    """Everything the rules look up besides the claim itself."""

    default: PayerRules = field(default_factory=PayerRules)
    payers: Mapping[str, PayerRules] = field(default_factory=dict)
    places_of_service: frozenset[str] = frozenset()
    """CMS place-of-service codes; empty means only the two-digit shape is checked."""
    unit_maxima: Mapping[str, Decimal] = field(default_factory=dict)
    """Procedure code -> the most units one line may carry (an MUE-style table)."""
    timely_warning_days: int = 14
    """Warn when an unsent claim is this close to its payer's filing limit."""

    def for_payer(self, payer_id: str) -> PayerRules:
        """The payer's rules, or the defaults for a payer without its own entry."""
        return self.payers.get(payer_id, self.default)


def _rules(entry: Mapping[str, Any], base: PayerRules, where: str) -> PayerRules:
    days = entry.get("timely_filing_days", base.timely_filing_days)
    if not isinstance(days, int) or days <= 0:
        raise ValueError(f"{where}: timely_filing_days must be a positive whole number of days")
    disabled = entry.get("disabled_rules", [])
    if not isinstance(disabled, list):
        raise ValueError(f"{where}: disabled_rules must be a list of rule ids")
    filing = str(entry.get("filing_indicator", base.filing_indicator))
    if not (len(filing) == 2 and filing.isalnum()):
        raise ValueError(
            f"{where}: filing_indicator must be a two-character SBR09 code (CI, MB, MC, BL, ...)"
        )
    return PayerRules(
        timely_filing_days=days,
        disabled=base.disabled | frozenset(str(r) for r in disabled),
        name=str(entry.get("name", "")),
        filing_indicator=filing,
    )


def from_mappings(
    payer_config: Mapping[str, Any],
    places_of_service: frozenset[str] = frozenset(),
    unit_maxima: Mapping[str, Decimal] | None = None,
) -> ScrubSettings:
    """Build settings from a ``payers.yaml``-shaped mapping (``default:`` and ``payers: {id: {...}}``).

    A payer entry inherits the defaults; its ``disabled_rules`` add to the default ones. Raises ValueError
    naming the key on a bad value.
    """
    default = _rules(payer_config.get("default") or {}, PayerRules(), "default")
    payers = {
        str(payer_id): _rules(entry or {}, default, f"payers.{payer_id}")
        for payer_id, entry in (payer_config.get("payers") or {}).items()
    }
    warn = payer_config.get("timely_warning_days", 14)
    return ScrubSettings(
        default=default,
        payers=payers,
        places_of_service=places_of_service,
        unit_maxima=dict(unit_maxima or {}),
        timely_warning_days=int(warn),
    )
