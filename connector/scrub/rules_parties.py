"""Scrub rules on who is on the claim: providers (NPI, TIN, address), payer, member, patient."""

from __future__ import annotations

from collections.abc import Iterator

from connector.pm.models import Claim
from connector.scrub.codes import npi_ok, tin_ok
from connector.scrub.registry import Hit, ScrubContext, rule


def _npi_hits(npi: str, required: bool) -> Iterator[Hit]:
    if not npi:
        if required:
            yield None, "no NPI given"
        return
    if not npi_ok(npi):
        yield None, f"NPI {npi} is not 10 digits with a valid check digit"


@rule("NPI-BILLING", "error", "billing_npi", "Billing provider NPI is missing or invalid")
def billing_npi(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    yield from _npi_hits(claim.billing.npi, required=True)


@rule("NPI-RENDERING", "error", "rendering_npi", "Rendering provider NPI is invalid")
def rendering_npi(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    yield from _npi_hits(claim.rendering_npi, required=False)


@rule("NPI-REFERRING", "error", "referring_npi", "Referring provider NPI is invalid")
def referring_npi(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    yield from _npi_hits(claim.referring_npi, required=False)


@rule(
    "REFERRING-NAME-MISSING",
    "warning",
    "referring_last_name",
    "Referring provider NPI without the provider's last and first name: the 837 cannot carry the referral",
)
def referring_name(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    if claim.referring_npi and not (claim.referring_last_name and claim.referring_first_name):
        yield None, f"NPI {claim.referring_npi}"


@rule("TIN-FORMAT", "error", "billing_tin", "Billing provider tax id (TIN) must be 9 digits")
def billing_tin(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    if not tin_ok(claim.billing.tin):
        yield None, f"tax id {claim.billing.tin!r}" if claim.billing.tin else "no tax id given"


@rule(
    "BILLING-ADDRESS", "error", "billing_address", "Billing provider street, city, state and ZIP are needed"
)
def billing_address(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    a = claim.billing.address
    missing = [
        n for n, v in (("street", a.line1), ("city", a.city), ("state", a.state), ("ZIP", a.zip)) if not v
    ]
    if missing:
        yield None, "missing " + ", ".join(missing)


@rule(
    "BILLING-ZIP9", "warning", "billing_zip", "Billing provider ZIP should be 9 digits (ZIP+4) on 5010 claims"
)
def billing_zip9(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    digits = claim.billing.address.zip.replace("-", "")
    if digits and not (digits.isdigit() and len(digits) == 9):
        yield None, f"ZIP {claim.billing.address.zip}"


@rule("PAYER-ID-MISSING", "error", "payer_id", "Payer id is missing")
def payer_id(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    if not claim.payer_id:
        yield None, ""


@rule("MEMBER-ID-MISSING", "error", "member_id", "Member id (subscriber id) is missing")
def member_id(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    if not claim.patient.member_id:
        yield None, ""


@rule("DOB-MISSING", "error", "patient_dob", "Patient date of birth is missing")
def dob_missing(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    if claim.patient.dob is None:
        yield None, ""


@rule("SEX-CODE", "error", "patient_sex", "Patient sex must be M, F or U")
def sex_code(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    if claim.patient.sex not in ("M", "F", "U"):
        yield None, f"found {claim.patient.sex!r}" if claim.patient.sex else "none given"
