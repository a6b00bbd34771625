"""Scrub rules on the claim as a whole: charges, dates, frequency, timely filing, duplicates, UB fields."""

from __future__ import annotations

from collections.abc import Iterator

from connector.pm.models import Claim
from connector.scrub.codes import revenue_code_ok, type_of_bill_ok
from connector.scrub.registry import Hit, ScrubContext, duplicate_key, rule

MAX_LINES = {"P": 50, "I": 999}
"""Service lines one 837P / 837I claim may carry."""


@rule(
    "FIELD-NOT-IN-EXPORT",
    "error",
    "absent",
    "The PM export has no column for a field the 837 needs (its profile lists it under absent:)",
)
def not_in_export(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    for fname in sorted(ctx.absent_fields):
        yield None, fname.replace("_", " ")


@rule("CLAIM-NO-LINES", "error", "line_id", "Claim has no service lines")
def no_lines(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    if not claim.lines:
        yield None, ""


@rule("CLAIM-TOO-MANY-LINES", "error", "line_id", "Claim has more service lines than one 837 claim may carry")
def too_many_lines(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    limit = MAX_LINES[claim.claim_type]
    if len(claim.lines) > limit:
        yield None, f"{len(claim.lines)} lines, at most {limit}"


@rule("CHARGE-POSITIVE", "error", "line_charge", "Line charge must be more than zero")
def charge_positive(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    for line in claim.lines:
        if line.charge <= 0:
            yield line.line_id, f"charge {line.charge}"


@rule("CLAIM-TOTAL", "error", "claim_total_charge", "Claim total does not equal the sum of its line charges")
def claim_total(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    if claim.lines and claim.total_charge != claim.lines_total:
        yield None, f"claim total {claim.total_charge}, lines add up to {claim.lines_total}"


@rule("DOS-MISSING", "error", "service_date", "Service date is missing")
def dos_missing(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    for line in claim.lines:
        if line.service_date is None:
            yield line.line_id, ""


@rule("DOS-FUTURE", "error", "service_date", "Service date is in the future")
def dos_future(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    for line in claim.lines:
        if line.service_date is not None and line.service_date > ctx.today:
            yield line.line_id, f"service date {line.service_date.isoformat()}"


@rule("DOS-BEFORE-BIRTH", "error", "service_date", "Service date is before the patient's date of birth")
def dos_before_birth(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    dob = claim.patient.dob
    for line in claim.lines:
        if dob is not None and line.service_date is not None and line.service_date < dob:
            yield line.line_id, f"service date {line.service_date.isoformat()}"


@rule(
    "FREQ-CODE",
    "error",
    "frequency_code",
    "Claim frequency must be 1 (original), 7 (replacement) or 8 (void)",
)
def frequency_code(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    if claim.frequency_code not in ("1", "7", "8"):
        yield None, f"frequency {claim.frequency_code!r}"


@rule(
    "FREQ-ORIGINAL-MISSING",
    "error",
    "original_claim_number",
    "A replacement (7) or void (8) needs the payer's original claim number",
)
def frequency_original(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    if claim.frequency_code in ("7", "8") and not claim.original_claim_number:
        yield None, f"frequency {claim.frequency_code}"


def _filing_age(claim: Claim, ctx: ScrubContext) -> tuple[int, int] | None:
    """(days from the earliest service date to submission or today, the payer's limit)."""
    first = claim.first_service_date
    if first is None:
        return None
    sent = claim.submitted_date or ctx.today
    return (sent - first).days, ctx.settings.for_payer(claim.payer_id).timely_filing_days


@rule("TIMELY-FILING", "error", "service_date", "Past the payer's timely filing limit")
def timely_filing(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    age = _filing_age(claim, ctx)
    if age is not None and age[0] > age[1]:
        yield None, f"{age[0]} days after the first service date, limit {age[1]} days"


@rule(
    "TIMELY-FILING-SOON", "warning", "service_date", "Close to the payer's timely filing limit: send it now"
)
def timely_filing_soon(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    age = _filing_age(claim, ctx)
    if age is not None and claim.submitted_date is None:
        days, limit = age
        if limit - ctx.settings.timely_warning_days <= days <= limit:
            yield None, f"{limit - days} day(s) left of {limit}"


@rule(
    "DUPLICATE-IN-BATCH", "error", "procedure_code", "Same patient, date, code and modifiers as another line"
)
def duplicate_in_batch(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    if claim.submitted_date is not None:
        return  # only claims still to be sent make up the batch
    for line in claim.lines:
        first = ctx.batch_first.get(duplicate_key(claim, line))
        if first is not None and first[1] != line.line_id:
            yield line.line_id, f"same as line {first[1]} of claim {first[0]}"


@rule("DUPLICATE-SUBMITTED", "error", "procedure_code", "This service was already submitted to a payer")
def duplicate_submitted(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    if claim.frequency_code in ("7", "8") or claim.submitted_date is not None or not ctx.already_submitted:
        return  # a replacement/void, or the submitted claim itself
    for line in claim.lines:
        if duplicate_key(claim, line) in ctx.already_submitted:
            yield line.line_id, "send a replacement (frequency 7) instead of a new claim"


@rule("REV-CODE", "error", "revenue_code", "Revenue code must be 4 digits", claim_types="I")
def revenue_code(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    for line in claim.lines:
        if not revenue_code_ok(line.revenue_code):
            yield line.line_id, f"revenue code {line.revenue_code!r}" if line.revenue_code else "none given"


@rule("TYPE-OF-BILL", "error", "type_of_bill", "Type of bill is missing or invalid", claim_types="I")
def type_of_bill(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    if not type_of_bill_ok(claim.type_of_bill):
        yield None, f"type of bill {claim.type_of_bill!r}" if claim.type_of_bill else "none given"


@rule(
    "STATEMENT-DATES",
    "error",
    "statement_from",
    "Statement dates missing, reversed or not covering the services",
    claim_types="I",
)
def statement_dates(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    start, end = claim.statement_from, claim.statement_to
    if start is None or end is None:
        yield None, "statement from and to dates are both required"
        return
    if start > end:
        yield None, f"from {start.isoformat()} is after to {end.isoformat()}"
        return
    for line in claim.lines:
        if line.service_date is not None and not start <= line.service_date <= end:
            yield line.line_id, f"service date {line.service_date.isoformat()} outside the statement period"
