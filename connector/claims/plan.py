"""Turn clean canonical claims into 837 batches: one per claim kind, billing provider and payer (pure).

Every line carries REF*6R = the PM line id. Free text (names, addresses) loses X12 delimiter characters
(``* ~ : ^``) and control characters; ids and codes are sent as the PM wrote them (the scrubber checked them).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from connector.pm.models import Address, Claim, ServiceLine
from connector.x12.models import (
    Address as X12Address,
)
from connector.x12.models import (
    BillingProvider as X12BillingProvider,
)
from connector.x12.models import (
    Claim837,
    ClaimBatch837,
    ClaimKind,
    Payer,
    Person,
    Provider,
    Receiver,
    ServiceLine837,
    Submitter,
)

_UNSAFE = re.compile(r"[*~:^\x00-\x1f\x7f]+")
GroupKey = tuple[str, str, str, str, Address, str]
"""(claim type, billing NPI, billing TIN, billing name, billing address, payer id)."""


def x12_text(value: str) -> str:
    """Free text made safe for an X12 element: delimiters and control characters become blanks."""
    return " ".join(_UNSAFE.sub(" ", value).split())


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def submitter_for(
    clean: Sequence[Claim],
    *,
    name: str | None = None,
    submitter_id: str | None = None,
    contact_name: str = "BILLING OFFICE",
    contact_phone: str = "",
    contact_email: str = "",
) -> Submitter:
    """The 837 submitter: given values, else the first clean claim's billing provider (name, TIN as id)."""
    first = clean[0].billing if clean else None
    return Submitter(
        name=x12_text(name or (first.name if first else "")),
        id=submitter_id or (_digits(first.tin) if first else ""),
        contact_name=x12_text(contact_name),
        contact_phone=_digits(contact_phone),
        contact_email=contact_email,
    )


def _address(a: Address) -> X12Address:
    return X12Address(
        line1=x12_text(a.line1), city=x12_text(a.city), state=x12_text(a.state), postal_code=_digits(a.zip)
    )


@dataclass(slots=True)
class PlannedBatch:
    """One 837 to write: the X12 model and the canonical claims in it."""

    batch: ClaimBatch837
    claims: list[Claim] = field(default_factory=list)

    @property
    def kind(self) -> ClaimKind:
        return self.batch.kind

    @property
    def payer_id(self) -> str:
        return self.batch.receiver.id


def _line(line: ServiceLine, professional: bool) -> ServiceLine837:
    return ServiceLine837(
        line_control_number=line.line_id,
        procedure_code=line.procedure_code,
        charge=line.charge,
        units=line.units,
        service_date=line.service_date,
        modifiers=line.modifiers,
        diagnosis_pointers=line.diagnosis_pointers if professional else (1,),
        place_of_service=line.place_of_service if professional else "",
        revenue_code="" if professional else line.revenue_code,
    )


def _person(last: str, first: str, npi: str) -> Provider | None:
    """A provider who is a person (NM102=1), or None without both names."""
    last, first = x12_text(last), x12_text(first)
    return Provider(last_or_org=last, first=first, npi=npi) if last and first else None


def claim_837(claim: Claim, filing_indicator: str = "CI") -> Claim837:
    """One canonical claim as the X12 writer's input (the patient is the subscriber in PM exports)."""
    professional = claim.claim_type == "P"
    p = claim.patient
    if p.dob is None:
        raise ValueError(f"claim {claim.claim_id}: no date of birth")
    subscriber = Person(
        last=x12_text(p.last_name),
        first=x12_text(p.first_name),
        birth_date=p.dob,
        sex=p.sex,
        address=_address(p.address),
        member_id=p.member_id,
    )
    rendering = referring = None
    if claim.rendering_npi and claim.rendering_npi != claim.billing.npi:
        rendering = _person(claim.rendering_last_name, claim.rendering_first_name, claim.rendering_npi)
        if rendering is None and professional:
            # without the person's name: 837P accepts a non-person entity (NM102=2) in loop 2310B;
            # 837I's 2310D does not, so an institutional claim goes without it
            rendering = Provider(last_or_org=x12_text(claim.billing.name), npi=claim.rendering_npi)
    if claim.referring_npi:
        referring = _person(claim.referring_last_name, claim.referring_first_name, claim.referring_npi)
    tob = claim.type_of_bill.lstrip("0")
    return Claim837(
        claim_id=claim.claim_id,
        total_charge=claim.total_charge,
        subscriber=subscriber,
        payer=Payer(name=x12_text(claim.payer_name) or claim.payer_id, id=claim.payer_id),
        diagnosis_codes=claim.diagnosis_codes,
        lines=[_line(line, professional) for line in claim.lines],
        frequency_code=claim.frequency_code,
        place_of_service=claim.lines[0].place_of_service if professional and claim.lines else "11",
        facility_type_code="" if professional else tob[:2],
        original_claim_number=claim.original_claim_number,
        rendering=rendering,
        referring=referring,
        statement_from=claim.statement_from,
        statement_to=claim.statement_to,
        filing_indicator=filing_indicator,
    )


def group_key(claim: Claim) -> GroupKey:
    """Claims that can share one 837 transaction: same kind, billing provider and payer."""
    b = claim.billing
    return (claim.claim_type, b.npi, b.tin, b.name, b.address, claim.payer_id)


def plan_batches(
    claims: list[Claim], submitter: Submitter, filing: Callable[[str], str] = lambda payer_id: "CI"
) -> list[PlannedBatch]:
    """Group claims into 837 batches in first-seen order; the payer is each batch's receiver.

    ``filing`` gives the SBR09 claim filing indicator for a payer id (``mappings/scrub/payers.yaml``).
    """
    plans: dict[GroupKey, PlannedBatch] = {}
    for claim in claims:
        key = group_key(claim)
        plan = plans.get(key)
        if plan is None:
            b = claim.billing
            plan = PlannedBatch(
                ClaimBatch837(
                    kind="professional" if claim.claim_type == "P" else "institutional",
                    submitter=submitter,
                    receiver=Receiver(name=x12_text(claim.payer_name) or claim.payer_id, id=claim.payer_id),
                    billing_provider=X12BillingProvider(
                        name=x12_text(b.name), npi=b.npi, tin=_digits(b.tin), address=_address(b.address)
                    ),
                )
            )
            plans[key] = plan
        plan.batch.claims.append(claim_837(claim, filing(claim.payer_id)))
        plan.claims.append(claim)
    return list(plans.values())
