"""Plants the known discrepancies into a generated data set and records them as the ground truth."""

from __future__ import annotations

import copy
import datetime as dt
import random
from decimal import Decimal
from typing import TYPE_CHECKING

from connector.sandbox import codes
from connector.sandbox.adjudicate import adjudicate, money, patient_share_plan, reverse
from connector.sandbox.model import ZERO, Claim, ClaimStatusRecord, Discrepancy, Payment, Practice
from connector.x12.models import Adjustment, ClaimPayment, Name, ProviderAdjustment

if TYPE_CHECKING:
    from collections.abc import Callable

    from connector.sandbox.generator import _Builder

MISSING_ERA_AGE_DAYS = 45
"""A claim without an ERA is ``missing_era`` once submitted this many days before ``as_of`` (others ≤ 14)."""


class Planter:
    """Picks claims for each planted category, changes their adjudication and writes the ground truth."""

    def __init__(
        self,
        rng: random.Random,
        builder: _Builder,
        practice: Practice,
        claims: list[Claim],
        payments: list[Payment],
        days: list[dt.date],
        scale: float,
    ) -> None:
        self.rng = rng
        self.builder = builder
        self.practice = practice
        self.claims = claims
        self.payments = payments
        self.days = days
        self.scale = scale
        self.discrepancies: list[Discrepancy] = []
        self.by_id = {c.claim_id: c for c in claims}
        self.where: dict[str, int] = {}
        for index, payment in enumerate(payments):
            for cp in payment.claims:
                self.where[cp.claim_id] = index
        self.pool = [c.claim_id for c in claims]
        rng.shuffle(self.pool)
        self.no_era: dict[str, tuple[str, str, str]] = {}
        self.adjusted: dict[str, int] = {}

    def count(self, base: int) -> int:
        """How many claims a category gets at this data-set size."""
        return max(1, round(base * self.scale))

    def _take(self, accept: Callable[[Claim, int], bool] | None = None) -> tuple[Claim, int]:
        for claim_id in self.pool:
            claim = self.by_id[claim_id]
            index = self.where[claim_id]
            if accept is None or accept(claim, index):
                self.pool.remove(claim_id)
                return claim, index
        raise AssertionError("not enough claims to plant every discrepancy; raise the payment count")

    def _replace(self, index: int, new: ClaimPayment) -> None:
        payment = self.payments[index]
        payment.claims = [new if cp.claim_id == new.claim_id else cp for cp in payment.claims]

    def _current(self, claim_id: str) -> ClaimPayment:
        return next(cp for cp in self.payments[self.where[claim_id]].claims if cp.claim_id == claim_id)

    def _add(
        self, claim_id: str, line_id: str | None, category: str, index: int, amount: Decimal, note: str
    ) -> None:
        number = self.payments[index].payment_number if index >= 0 else None
        self.discrepancies.append(Discrepancy(claim_id, line_id, category, number, money(amount), note))

    def _later(self, index: int, low: int, high: int) -> int:
        return min(len(self.payments) - 1, index + self.rng.randint(low, high))

    def plant_all(self) -> None:
        """Plant every category that lives inside payment 835s."""
        last = len(self.payments) - 4
        for _ in range(self.count(4)):
            self._mispriced("underpaid", Decimal("0.85"))
        for _ in range(self.count(2)):
            self._mispriced("overpaid", Decimal("1.12"))
        for _ in range(self.count(3)):
            claim, index = self._take(lambda c, _i: len(c.lines) >= 2)
            line = claim.lines[self.rng.randint(1, len(claim.lines) - 1)]
            denial = self.rng.choice(codes.LINE_DENIALS)
            self._replace(
                index, adjudicate(claim, patient_share_plan(self.rng), denied_lines={line.line_id: denial})
            )
            self._add(
                claim.claim_id,
                line.line_id,
                "partially_paid",
                index,
                line.expected,
                f"{denial[0]}-{denial[1]}",
            )
        for _ in range(self.count(2)):
            claim, index = self._take()
            cp = adjudicate(claim, patient_share_plan(self.rng), status="19")
            cp.names.append(Name("TT", "2", "ILLINOIS MEDICAID", id_qualifier="PI", id="77046"))
            self._replace(index, cp)
            self._add(
                claim.claim_id, None, "forwarded", index, cp.paid, "CLP02=19, crossover to ILLINOIS MEDICAID"
            )
        for _ in range(self.count(1)):
            self._secondary()
        for _ in range(self.count(2)):
            claim, index = self._take()
            interest = Decimal(self.rng.randint(105, 690)) / 100
            self._plb(index, "L6", claim.claim_id, -interest)
            self._add(
                claim.claim_id, None, "interest", index, interest, "PLB L6 (negative amount adds to payment)"
            )
        for _ in range(self.count(2)):
            self._reversal(last)
        for _ in range(self.count(2)):
            claim, index = self._take(lambda _c, i: i < last)
            amount = self._current(claim.claim_id).paid
            target = max(range(index + 2, len(self.payments)), key=lambda i: (self.payments[i].amount, -i))
            self._plb(target, "WO", claim.claim_id, amount)
            self.adjusted[claim.claim_id] = target
            self._add(
                claim.claim_id, None, "recouped", target, amount, "PLB WO takeback, reference = claim id"
            )
        for _ in range(self.count(2)):
            claim, index = self._take(lambda _c, i: i < last)
            duplicate = copy.deepcopy(self._current(claim.claim_id))
            target = self._later(index, 1, 3)
            self.payments[target].claims.append(duplicate)
            self._add(
                claim.claim_id, None, "duplicate_payment", target, duplicate.paid, "paid again (CLP02=1)"
            )
        for _ in range(self.count(2)):
            claim, index = self._take()
            line = self.rng.choice(claim.lines)
            line.pm_charge = line.charge + Decimal("15.00")
            self._add(
                claim.claim_id, line.line_id, "charge_mismatch", index, Decimal("15.00"), "PM charge − billed"
            )
        for _ in range(self.count(2)):
            claim, index = self._take()
            claim.in_pm = False
            self._add(claim.claim_id, None, "era_not_in_pm", index, self._current(claim.claim_id).paid, "")

    def _mispriced(self, category: str, factor: Decimal) -> None:
        claim, index = self._take()
        line = self.rng.choice(claim.lines)
        allowed = money(line.expected * factor)
        self._replace(index, adjudicate(claim, patient_share_plan(self.rng), allowed={line.line_id: allowed}))
        self._add(
            claim.claim_id, line.line_id, category, index, abs(line.expected - allowed), f"allowed {allowed}"
        )

    def _secondary(self) -> None:
        """Processed as secondary with OA-23 (prior payer's share): paid as expected, not a discrepancy."""
        claim, index = self._take()
        cp = adjudicate(claim, "none", status="2")
        line = cp.service_lines[0]
        prior = money(line.paid * Decimal("0.5"))
        line.adjustments.append(Adjustment("OA", "23", prior))
        line.paid -= prior
        cp.paid -= prior
        self._replace(index, cp)

    def _plb(self, index: int, reason: str, reference: str, amount: Decimal) -> None:
        payment = self.payments[index]
        fiscal = dt.date(payment.date.year, 12, 31)
        payment.adjustments.append(
            ProviderAdjustment(self.practice.npi, fiscal, reason, reference, money(amount))
        )

    def _reversal(self, last: int) -> None:
        claim, index = self._take(lambda _c, i: i < last)
        line = claim.lines[0]
        original = adjudicate(claim, "none", allowed={line.line_id: money(line.expected * Decimal("0.8"))})
        self._replace(index, original)
        target = self._later(index, 2, 3)
        self.builder.next_icn += 7
        claim.payer_claim_number = f"{self.builder.next_icn:012d}"
        corrected = adjudicate(claim, "none")
        self.payments[target].claims.extend([reverse(original), corrected])
        self.adjusted[claim.claim_id] = target
        self._add(
            claim.claim_id,
            None,
            "reversed",
            target,
            corrected.paid - original.paid,
            "CLP02=22 then corrected CLP02=1",
        )

    def record_denial(self, claim: Claim, payment_number: str, denial: tuple[str, str, str]) -> None:
        """Ground truth for a whole-claim denial: one entry per line."""
        for line in claim.lines:
            self.discrepancies.append(
                Discrepancy(
                    claim.claim_id,
                    line.line_id,
                    "denied",
                    payment_number,
                    line.expected,
                    f"{denial[0]}-{denial[1]}",
                )
            )

    def no_era_claims(self, as_of: dt.date) -> None:
        """Claims without an ERA: recent ones (pending, not discrepancies) and aged ones (missing_era)."""
        for _ in range(self.count(10)):
            service = as_of - dt.timedelta(days=self.rng.randint(2, 12))
            claim = self._unpaid(service, min(as_of, service + dt.timedelta(days=self.rng.randint(1, 2))))
            recent = (as_of - claim.submitted).days <= 2
            self.no_era[claim.claim_id] = ("Acknowledged", "A2", "20") if recent else ("Pending", "P1", "20")
        for _ in range(self.count(3)):
            submitted = as_of - dt.timedelta(days=self.rng.randint(MISSING_ERA_AGE_DAYS, 70))
            claim = self._unpaid(submitted - dt.timedelta(days=2), submitted)
            self.no_era[claim.claim_id] = ("Pending", "P1", "20")
            self.discrepancies.append(
                Discrepancy(claim.claim_id, None, "missing_era", None, claim.charge, f"submitted {submitted}")
            )

    def _unpaid(self, service: dt.date, submitted: dt.date) -> Claim:
        claim = self.builder.claim(service, submitted)
        self.builder.next_icn += self.rng.randint(1, 5000)
        claim.payer_claim_number = f"{self.builder.next_icn:012d}"
        self.claims.append(claim)
        return claim

    def statuses(self, claims: list[Claim], payments: list[Payment]) -> list[ClaimStatusRecord]:
        """What the portal's claim status search shows for every claim the payer knows."""
        latest: dict[str, tuple[Payment, ClaimPayment]] = {}
        for payment in payments:
            for cp in payment.claims:
                latest[cp.claim_id] = (payment, cp)
        records = []
        for claim in claims:
            patient = claim.patient
            status, category, code = self.no_era.get(claim.claim_id, ("", "", ""))
            paid, number, when = ZERO, "", claim.submitted
            if claim.claim_id in latest:
                payment, cp = latest[claim.claim_id]
                paid, number, when = cp.paid, payment.payment_number, payment.date
                if cp.status_code == "4":
                    status, category, code = "Finalized - Denied", "F2", "1"
                else:
                    status, category, code = "Finalized - Paid", "F1", "65"
            if claim.claim_id in self.adjusted:
                payment = self.payments[self.adjusted[claim.claim_id]]
                status, category, code = "Adjusted", "F3", "1"
                number, when = payment.payment_number, payment.date
                if any(a.reference == claim.claim_id and a.reason == "WO" for a in payment.adjustments):
                    paid = ZERO
            records.append(
                ClaimStatusRecord(
                    claim.claim_id,
                    claim.payer_claim_number,
                    patient.member_id,
                    patient.dob,
                    claim.service_date,
                    status,
                    category,
                    code,
                    claim.charge,
                    paid,
                    number,
                    when,
                )
            )
        return records
