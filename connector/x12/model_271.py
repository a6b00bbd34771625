"""Typed models of the 270 eligibility inquiry and the 271 response around the shared eligibility models."""

from __future__ import annotations

from dataclasses import dataclass, field

from connector.eligibility.model import EligibilityResult, Inquiry, Rejection
from connector.x12.model_common import Envelope, Name, ReadFinding


@dataclass(slots=True)
class EligibilityInquiry270:
    """One 270 transaction: the payer asked, the provider asking, and one inquiry per subscriber/dependent."""

    envelope: Envelope
    reference: str
    """BHT03."""
    payer: Name | None = None
    provider: Name | None = None
    inquiries: list[Inquiry] = field(default_factory=list)


@dataclass(slots=True)
class EligibilityResponse271:
    """One 271 transaction: payer, provider, one result per patient, and request-level rejections."""

    envelope: Envelope
    reference: str
    """BHT03 (the 270's reference, echoed)."""
    payer: Name | None = None
    provider: Name | None = None
    results: list[EligibilityResult] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    """AAA at the payer (2100A) or provider (2100B) level: nobody was checked."""
    findings: list[ReadFinding] = field(default_factory=list)
    """Envelope faults met when reading leniently (``strict=False``); empty when read strictly."""
