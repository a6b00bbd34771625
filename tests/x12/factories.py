"""Representative claim batches and remittances for the X12 tests (and the benchmark)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from connector.x12.models import (
    Address,
    BillingProvider,
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

SUBSCRIBER = Person(
    last="DOE",
    first="JANE",
    birth_date=dt.date(1980, 2, 29),
    sex="F",
    address=Address("12 MAIN ST", "", "SPRINGFIELD", "IL", "627011234"),
    member_id="W123456789",
)
CHILD = Person(
    last="DOE",
    first="TIM",
    birth_date=dt.date(2015, 6, 1),
    sex="M",
    address=Address("12 MAIN ST", "APT 2", "SPRINGFIELD", "IL", "62701"),
)
PAYER = Payer(name="UNITEDHEALTHCARE", id="87726")
BILLING = BillingProvider(
    name="SPRINGFIELD FAMILY PRACTICE",
    npi="1234567893",
    tin="371234567",
    address=Address("100 CLINIC RD", "SUITE 5", "SPRINGFIELD", "IL", "627019999"),
    taxonomy="207Q00000X",
)
RENDERING = Provider(last_or_org="SMITH", first="ANNA", npi="1497758544", taxonomy="207Q00000X")
REFERRING = Provider(last_or_org="JONES", first="BOB", npi="1245319599")


def professional_claim(n: int, *, dependent: bool = False, frequency: str = "1") -> Claim837:
    """A professional claim with 1–3 lines, modifiers, several diagnoses and REF*6R on every line."""
    day = dt.date(2026, 3, 1) + dt.timedelta(days=n % 28)
    lines = [
        ServiceLine837(f"C{n}L1", "99214", Decimal("150.00"), service_date=day, modifiers=("25",)),
        ServiceLine837(
            f"C{n}L2", "93000", Decimal("45.50"), Decimal(2), service_date=day, diagnosis_pointers=(2, 1)
        ),
    ]
    if n % 3 == 0:
        lines.append(
            ServiceLine837(
                f"C{n}L3",
                "J1100",
                Decimal("12.25"),
                Decimal("1.5"),
                service_date=day,
                modifiers=("JW", "59", "XU", "76"),
                diagnosis_pointers=(3, 2, 1, 4),
                place_of_service="22",
            )
        )
    return Claim837(
        claim_id=f"PCN{n:06d}",
        total_charge=sum((line.charge for line in lines), Decimal(0)),
        subscriber=SUBSCRIBER,
        payer=PAYER,
        diagnosis_codes=("E119", "I10", "Z79.4", "R07.9"),
        lines=lines,
        frequency_code=frequency,
        original_claim_number="ORIG123" if frequency in ("7", "8") else "",
        patient=CHILD if dependent else None,
        rendering=RENDERING if n % 2 == 0 else None,
        referring=REFERRING if n % 4 == 1 else None,
        prior_authorization="AUTH9" if n % 5 == 0 else "",
        group_number="GRP001",
    )


def institutional_claim(n: int, *, dependent: bool = False) -> Claim837:
    """An outpatient hospital claim (type of bill 131) with revenue-coded lines."""
    day = dt.date(2026, 4, 2) + dt.timedelta(days=n % 20)
    lines = [
        ServiceLine837(f"I{n}L1", "99284", Decimal("820.00"), service_date=day, revenue_code="0450"),
        ServiceLine837(f"I{n}L2", "", Decimal("95.10"), Decimal(3), service_date=day, revenue_code="0250"),
        ServiceLine837(
            f"I{n}L3", "71046", Decimal("210.00"), service_date=day, revenue_code="0320", modifiers=("26",)
        ),
    ]
    return Claim837(
        claim_id=f"INST{n:05d}",
        total_charge=sum((line.charge for line in lines), Decimal(0)),
        subscriber=SUBSCRIBER,
        payer=PAYER,
        diagnosis_codes=("R079", "I10", "E785"),
        lines=lines,
        facility_type_code="13",
        frequency_code="1",
        patient=CHILD if dependent else None,
        attending=RENDERING,
        statement_from=day,
        statement_to=day,
    )


def claim_batch(kind: ClaimKind, count: int = 4) -> ClaimBatch837:
    """A batch of ``count`` claims of one kind, alternating subscriber-is-patient and dependent."""
    make = professional_claim if kind == "professional" else institutional_claim
    claims = [make(i, dependent=i % 2 == 1) for i in range(1, count + 1)]
    if kind == "professional" and count >= 3:
        claims[2] = professional_claim(3, frequency="7")
    return ClaimBatch837(
        kind=kind,
        submitter=Submitter("SPRINGFIELD BILLING", "SUB123", "ALEX BILLER", "2175550100"),
        receiver=Receiver("OPTUM", "87726"),
        billing_provider=BILLING,
        claims=claims,
        reference="BATCH0001",
    )
