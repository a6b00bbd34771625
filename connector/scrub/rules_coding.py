"""Scrub rules on the coding: diagnoses, procedures, modifiers, units, place of service, pointers."""

from __future__ import annotations

from collections.abc import Iterator

from connector.pm.models import Claim
from connector.scrub.codes import ICD10_START, icd10cm_ok, modifier_ok, procedure_ok
from connector.scrub.registry import Hit, ScrubContext, rule

MAX_DIAGNOSES = {"P": 12, "I": 25}
"""837P carries 12 diagnoses (HI); 837I a principal plus 24 others."""
MAX_MODIFIERS = 4
MAX_POINTERS = 4
"""SV107 carries at most four diagnosis pointers per professional line."""
REVIEW_MODIFIERS = frozenset({"59", "XE", "XP", "XS", "XU"})


@rule("DX-PRINCIPAL-MISSING", "error", "diagnosis_codes", "No diagnosis code (principal diagnosis missing)")
def principal_missing(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    if not claim.diagnosis_codes:
        yield None, ""


@rule("DX-FORMAT", "error", "diagnosis_codes", "Diagnosis code is not a valid ICD-10-CM code")
def dx_format(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    for position, code in enumerate(claim.diagnosis_codes, start=1):
        if not icd10cm_ok(code):
            yield None, f"diagnosis {position} {code!r}"


@rule("DX-TOO-MANY", "error", "diagnosis_codes", "Too many diagnosis codes for one claim")
def dx_too_many(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    limit = MAX_DIAGNOSES[claim.claim_type]
    if len(claim.diagnosis_codes) > limit:
        yield None, f"{len(claim.diagnosis_codes)} codes, at most {limit}"


@rule(
    "DX-BEFORE-ICD10",
    "error",
    "diagnosis_codes",
    "ICD-10 codes cannot be used for services before 2015-10-01",
)
def dx_before_icd10(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    for line in claim.lines:
        if line.service_date is not None and line.service_date < ICD10_START:
            yield line.line_id, f"service date {line.service_date.isoformat()}"


@rule("PROC-FORMAT", "error", "procedure_code", "Procedure code is not a CPT or HCPCS code")
def proc_format(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    for line in claim.lines:
        if not line.procedure_code and claim.claim_type == "I":
            continue  # an institutional line may carry only a revenue code
        if not procedure_ok(line.procedure_code):
            yield line.line_id, f"code {line.procedure_code!r}" if line.procedure_code else "no code given"


@rule("MOD-FORMAT", "error", "modifiers", "Modifier must be two letters or digits")
def mod_format(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    for line in claim.lines:
        for modifier in line.modifiers:
            if not modifier_ok(modifier):
                yield line.line_id, f"modifier {modifier!r}"


@rule("MOD-TOO-MANY", "error", "modifiers", "More than four modifiers on one line")
def mod_too_many(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    for line in claim.lines:
        if len(line.modifiers) > MAX_MODIFIERS:
            yield line.line_id, f"{len(line.modifiers)} modifiers"


@rule("MOD-26-TC", "error", "modifiers", "Modifiers 26 and TC cannot be billed together on one line")
def mod_26_tc(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    for line in claim.lines:
        if "26" in line.modifiers and "TC" in line.modifiers:
            yield line.line_id, ""


@rule("MOD-59-REVIEW", "warning", "modifiers", "Modifier 59/XE/XP/XS/XU: check the documentation supports it")
def mod_59_review(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    for line in claim.lines:
        flagged = [m for m in line.modifiers if m in REVIEW_MODIFIERS]
        if flagged:
            yield line.line_id, f"modifier {', '.join(flagged)}"


@rule("UNITS-POSITIVE", "error", "units", "Units must be more than zero")
def units_positive(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    for line in claim.lines:
        if line.units <= 0:
            yield line.line_id, f"units {line.units}"


@rule("UNITS-MAX", "error", "units", "Units exceed the most allowed for this code on one line")
def units_max(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    maxima = ctx.settings.unit_maxima
    for line in claim.lines:
        limit = maxima.get(line.procedure_code)
        if limit is not None and line.units > limit:
            yield line.line_id, f"{line.procedure_code} billed with {line.units} units, at most {limit}"


@rule("POS-INVALID", "error", "place_of_service", "Place of service is not on the CMS list", claim_types="P")
def pos_invalid(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    allowed = ctx.settings.places_of_service
    for line in claim.lines:
        pos = line.place_of_service
        valid = pos in allowed if allowed else (len(pos) == 2 and pos.isdigit())
        if not valid:
            yield line.line_id, f"place of service {pos!r}" if pos else "no place of service given"


@rule("DXPTR-MISSING", "error", "diagnosis_pointers", "Line has no diagnosis pointer", claim_types="P")
def pointer_missing(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    for line in claim.lines:
        if not line.diagnosis_pointers:
            yield line.line_id, ""


@rule(
    "DXPTR-INVALID",
    "error",
    "diagnosis_pointers",
    "Diagnosis pointer must be 1-12 and point at a diagnosis on the claim",
    claim_types="P",
)
def pointer_invalid(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    count = len(claim.diagnosis_codes)
    for line in claim.lines:
        bad = [p for p in line.diagnosis_pointers if not (1 <= p <= 12 and p <= count)]
        if bad:
            shown = ", ".join(str(p) for p in bad)
            yield line.line_id, f"pointer {shown} (the claim has {count} diagnosis code(s))"


@rule(
    "DXPTR-TOO-MANY",
    "error",
    "diagnosis_pointers",
    "More than four diagnosis pointers on one line",
    claim_types="P",
)
def pointer_too_many(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    for line in claim.lines:
        if len(line.diagnosis_pointers) > MAX_POINTERS:
            yield line.line_id, f"{len(line.diagnosis_pointers)} pointers"
