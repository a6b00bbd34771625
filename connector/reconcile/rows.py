"""Compact ERA rows: only what matching, netting and the report read of an 835, kept in place of the models.

``compact(remittance)`` is called as each file is read, so the parsed models (names, addresses, contacts,
references, quantities, dates of every segment) are released file by file. Money stays the Decimal read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from connector.pickling import pickled_by_position
from connector.reconcile.adjustments import claim_remarks
from connector.x12.models import (
    Adjustment,
    BalanceFinding,
    ClaimPayment,
    DateEntry,
    Name,
    Party,
    ProcedureCode,
    ProviderAdjustment,
    ReadFinding,
    Remark,
    Remittance,
    ServiceLine,
)

ZERO = Decimal(0)
CLAIM_DATES = frozenset({"232", "472"})
"""Claim DTM qualifiers the reconciliation reads (the first service date when the lines have none)."""


@pickled_by_position
@dataclass(slots=True)
class EraLine:
    """One SVC as reconciled: billed and restated procedure, charge, paid, allowed, line id, date, CAS, LQ."""

    procedure: ProcedureCode
    original_procedure: ProcedureCode | None
    charge: Decimal
    paid: Decimal
    allowed: Decimal | None
    line_control_number: str | None
    service_date: dt.date | None
    adjustments: tuple[Adjustment, ...]
    remarks: tuple[Remark, ...]


@pickled_by_position
@dataclass(slots=True)
class EraClaim:
    """One CLP as reconciled: its numbers, status, money, claim CAS and RARCs, patient, crossover, lines."""

    claim_id: str
    status_code: str
    charge: Decimal
    paid: Decimal
    payer_claim_number: str
    adjustments: tuple[Adjustment, ...]
    remarks: tuple[Remark, ...]
    """The RARCs of MOA03–07 and MIA05/20–24."""
    interest: Decimal
    """Σ AMT*I."""
    patient: Name | None
    crossover_carrier: Name | None
    dates: tuple[DateEntry, ...]
    """The claim's DTM 232 and 472, in file order."""
    service_lines: tuple[EraLine, ...]

    @property
    def is_reversal(self) -> bool:
        """CLP02=22: reverses an earlier payment of the same claim."""
        return self.status_code == "22"


@pickled_by_position
@dataclass(slots=True)
class EraControl:
    """The control numbers that tell two reads of one transaction apart: ISA13, GS06, ST02."""

    interchange_control_number: str
    group_control_number: str
    transaction_control_number: str


@pickled_by_position
@dataclass(slots=True)
class EraRemit:
    """One 835 transaction as reconciled: payment, payer, control numbers, claims, PLB and findings."""

    envelope: EraControl
    trace_number: str
    payer: Party
    """Name, N104 and REF*2U only."""
    payment_amount: Decimal
    payment_method: str
    payment_date: dt.date | None
    claims: tuple[EraClaim, ...]
    provider_adjustments: tuple[ProviderAdjustment, ...]
    findings: tuple[BalanceFinding, ...]
    """The transaction-level balancing findings (the tie-out's note)."""
    read_findings: tuple[ReadFinding, ...]

    @property
    def total_paid(self) -> Decimal:
        """Σ CLP04."""
        return sum((c.paid for c in self.claims), ZERO)

    @property
    def plb_total(self) -> Decimal:
        """Σ PLB amounts."""
        return sum((p.amount for p in self.provider_adjustments), ZERO)


def compact(remit: Remittance | EraRemit, *, release: bool = False) -> EraRemit:
    """The compact row of one remittance (a row is returned as it is). ``release``: the remittance's claims
    are taken out of it as their rows are made (a caller done with the models: one big remittance's models
    go as its rows grow)."""
    if isinstance(remit, EraRemit):
        return remit
    env, payer = remit.envelope, remit.payer
    two_u = [r for r in payer.references if r.qualifier == "2U"][:1]  # what payer.reference("2U") reads
    return EraRemit(
        envelope=EraControl(
            env.interchange_control_number, env.group_control_number, env.transaction_control_number
        ),
        trace_number=remit.trace_number,
        payer=Party(payer.entity, name=payer.name, id=payer.id, references=two_u),
        payment_amount=remit.payment_amount,
        payment_method=remit.payment_method,
        payment_date=remit.payment_date,
        claims=_claims(remit.claims, release),
        provider_adjustments=tuple(remit.provider_adjustments),
        findings=tuple(f for f in remit.findings if f.level == "transaction"),
        read_findings=tuple(remit.read_findings),
    )


def _claims(claims: list[ClaimPayment], release: bool) -> tuple[EraClaim, ...]:
    if not release:
        return tuple(_claim(c) for c in claims)
    claims.reverse()
    rows = []
    while claims:
        rows.append(_claim(claims.pop()))
    return tuple(rows)


def _claim(clp: ClaimPayment) -> EraClaim:
    return EraClaim(
        claim_id=clp.claim_id,
        status_code=clp.status_code,
        charge=clp.charge,
        paid=clp.paid,
        payer_claim_number=clp.payer_claim_number,
        adjustments=tuple(clp.adjustments),
        remarks=tuple(claim_remarks(clp.outpatient, clp.inpatient)),
        interest=sum((a.amount for a in clp.amounts if a.qualifier == "I"), ZERO),
        patient=clp.patient,
        crossover_carrier=clp.crossover_carrier,
        dates=tuple(d for d in clp.dates if d.qualifier in CLAIM_DATES),
        service_lines=tuple(_line(line) for line in clp.service_lines),
    )


def _line(line: ServiceLine) -> EraLine:
    return EraLine(
        procedure=line.procedure,
        original_procedure=line.original_procedure,
        charge=line.charge,
        paid=line.paid,
        allowed=line.allowed,
        line_control_number=line.line_control_number,
        service_date=line.service_date,
        adjustments=tuple(line.adjustments),
        remarks=tuple(line.remarks),
    )
