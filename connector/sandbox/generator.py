"""Seeded generator of the sandbox practice: patients, claims, payments; same seed, same data set."""

from __future__ import annotations

import datetime as dt
import random

from connector.sandbox import codes
from connector.sandbox.adjudicate import adjudicate, deny, money, patient_share_plan
from connector.sandbox.eligibility import plan_cases
from connector.sandbox.model import (
    ZERO,
    Claim,
    Dataset,
    Line,
    Patient,
    PayerInfo,
    Payment,
    Practice,
    RenderingProvider,
)
from connector.sandbox.planting import Planter

DEFAULT_SEED = 20261127
DEFAULT_PAYMENTS = 40
DEFAULT_AS_OF = dt.date(2026, 11, 27)
MIN_PAYMENTS = 12


def _digits(rng: random.Random, count: int) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(count))


def _practice(rng: random.Random) -> Practice:
    providers = [
        RenderingProvider(codes.make_npi("1" + _digits(rng, 8)), last, first)
        for last, first in (("Hartman", "Julia"), ("Okafor", "Daniel"), ("Lindqvist", "Sara"))
    ]
    return Practice(
        name="Prairie Family Medicine",
        npi=codes.make_npi("1" + _digits(rng, 8)),
        tin="84" + _digits(rng, 7),
        address="1200 Wabash Ave Suite 300",
        city="Springfield",
        state="IL",
        zip="627041234",
        providers=providers,
    )


def _patients(rng: random.Random, count: int) -> list[Patient]:
    patients: list[Patient] = []
    for index in range(count):
        first, sex = rng.choice(codes.FIRST_NAMES)
        city, state, zip_code = rng.choice(codes.CITIES)
        dob = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randint(0, 27000))
        patients.append(
            Patient(
                patient_id=f"P{10001 + index}",
                last=rng.choice(codes.LAST_NAMES),
                first=first,
                dob=dob,
                sex=sex,
                address=f"{rng.randint(100, 9999)} {rng.choice(codes.STREETS)}",
                city=city,
                state=state,
                zip=zip_code,
                member_id=_digits(rng, 9) + "01",
            )
        )
    return patients


def _payment_days(as_of: dt.date, count: int) -> list[dt.date]:
    days: list[dt.date] = []
    day = as_of
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= dt.timedelta(days=1)
    return sorted(days)


class _Builder:
    """Keeps the counters (claim ids, payer claim numbers, payment numbers) of one generation run."""

    def __init__(self, rng: random.Random, practice: Practice, patients: list[Patient]) -> None:
        self.rng = rng
        self.practice = practice
        self.patients = patients
        self.next_claim = 100 + rng.randint(0, 800)
        self.next_icn = rng.randint(10**11, 2 * 10**11)
        self.used_payment_numbers: set[str] = set()

    def claim(self, service_date: dt.date, submitted: dt.date) -> Claim:
        diagnoses, visit = self.rng.choice(codes.VISITS)
        self.next_claim += 1 + self.rng.randint(0, 3)
        claim_id = f"PFM{self.next_claim:06d}"
        lines = []
        for number, item in enumerate(visit, start=1):
            fee = codes.FEE_SCHEDULE[item.code]
            lines.append(
                Line(
                    line_id=f"{claim_id}-{number}",
                    service_date=service_date,
                    procedure=item.code,
                    modifiers=item.modifiers,
                    units=item.units,
                    pointers=item.pointers,
                    charge=money(fee.charge * item.units),
                    expected=money(fee.allowed * item.units),
                )
            )
        return Claim(
            claim_id=claim_id,
            patient=self.rng.choice(self.patients),
            rendering_npi=self.rng.choice(self.practice.providers).npi,
            diagnoses=diagnoses,
            lines=lines,
            submitted=submitted,
        )

    def adjudicated_claim(self, day: dt.date) -> Claim:
        service = day - dt.timedelta(days=self.rng.randint(14, 40))
        claim = self.claim(service, service + dt.timedelta(days=self.rng.randint(1, 4)))
        self.next_icn += self.rng.randint(1, 5000)
        claim.payer_claim_number = f"{self.next_icn:012d}"
        return claim

    def payment_number(self, zero_pay: bool) -> str:
        while True:
            number = ("NP" if zero_pay else "1") + _digits(self.rng, 9)
            if number not in self.used_payment_numbers:
                self.used_payment_numbers.add(number)
                return number


def generate(
    seed: int = DEFAULT_SEED, payments: int = DEFAULT_PAYMENTS, as_of: dt.date = DEFAULT_AS_OF
) -> Dataset:
    """Generate the data set: ``payments`` payment days ending at ``as_of``, with planted discrepancies."""
    payments = max(payments, MIN_PAYMENTS)
    rng = random.Random(seed)
    practice = _practice(rng)
    patients = _patients(rng, max(30, payments * 2))
    builder = _Builder(rng, practice, patients)
    days = _payment_days(as_of, payments)

    payment_list: list[Payment] = []
    claims: list[Claim] = []
    for day in days:
        payment = Payment(builder.payment_number(False), day)
        for _ in range(rng.randint(2, 5)):
            claim = builder.adjudicated_claim(day)
            claims.append(claim)
            payment.claims.append(adjudicate(claim, patient_share_plan(rng)))
        payment_list.append(payment)

    planter = Planter(rng, builder, practice, claims, payment_list, days, scale=payments / DEFAULT_PAYMENTS)
    planter.plant_all()

    denied_by_week: dict[tuple[int, int], Payment] = {}
    for _ in range(planter.count(8)):
        day = rng.choice(days)
        claim = builder.adjudicated_claim(day)
        claims.append(claim)
        denial = rng.choice(codes.DENIALS)
        week = day.isocalendar()[:2]
        notice = denied_by_week.get((week[0], week[1]))
        if notice is None:
            notice_day = max(d for d in days if d.isocalendar()[:2] == week)
            notice = Payment(builder.payment_number(True), notice_day, zero_pay=True)
            denied_by_week[(week[0], week[1])] = notice
        notice.claims.append(deny(claim, denial))
        planter.record_denial(claim, notice.payment_number, denial)

    payment_list.extend(denied_by_week.values())
    planter.no_era_claims(as_of)
    for payment in payment_list:
        payment.claims.sort(key=lambda c: (c.claim_id, c.status_code != "22"))
    payment_list.sort(key=lambda p: (p.date, p.zero_pay, p.payment_number))
    for index, payment in enumerate(payment_list, start=1):
        payment.index = index
        if not payment.zero_pay and payment.amount <= ZERO:
            raise AssertionError(f"generated payment {payment.payment_number} is not positive")
    claims.sort(key=lambda c: c.claim_id)
    statuses = planter.statuses(claims, payment_list)
    enrollments, visits = plan_cases(seed, practice, patients, as_of)
    return Dataset(
        seed=seed,
        as_of=as_of,
        practice=practice,
        payer=PayerInfo(),
        patients=patients,
        claims=claims,
        payments=payment_list,
        statuses=statuses,
        discrepancies=planter.discrepancies,
        enrollments=enrollments,
        visits=visits,
    )


__all__ = ["DEFAULT_AS_OF", "DEFAULT_PAYMENTS", "DEFAULT_SEED", "generate"]
