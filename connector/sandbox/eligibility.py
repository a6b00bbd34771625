"""The payer's enrollments and the practice's upcoming appointments, with every eligibility case planted.

Generated from its own random stream (the rest of the data set does not move when this changes). Every
appointment carries what a correct check must report: status, problems and the patient estimate, computed
here in whole cents independently of ``connector.eligibility``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field, replace

from connector.eligibility.model import business_days_after
from connector.sandbox.codes import FEE_SCHEDULE
from connector.sandbox.model import Patient, Practice

MEDICARE = "Medicare Part B"


@dataclass(slots=True, frozen=True)
class Figures:
    """A deductible or out-of-pocket maximum in cents: the amount for the year and what is met."""

    amount: int
    met: int

    @property
    def remaining(self) -> int:
        """What is left for the year."""
        return max(self.amount - self.met, 0)


@dataclass(slots=True)
class Enrollment:
    """One member as the payer's eligibility system knows them."""

    member_id: str
    last: str
    first: str
    dob: dt.date
    plan: str
    group: str
    effective: dt.date
    end: dt.date | None = None
    active: bool = True
    office_copay: int = 0
    specialist_copay: int = 0
    coinsurance: int = 0
    """Patient share in percent."""
    deductible: Figures = Figures(0, 0)
    family_deductible: Figures | None = None
    out_of_pocket: Figures = Figures(600000, 0)
    family_out_of_pocket: Figures | None = None
    out_of_network: frozenset[str] = frozenset()
    """Rendering NPIs the plan does not have in its network."""
    referral_required: bool = False
    auth_codes: tuple[str, ...] = ()
    other_payer: str = ""
    relationship: str = "Self"


@dataclass(slots=True)
class Visit:
    """One appointment of the schedule export and what a correct eligibility check reports for it."""

    appointment_id: str
    start: dt.datetime
    patient: Patient
    member_id: str
    """As the PM has it (may differ from the payer's)."""
    provider_npi: str
    visit_type: str
    procedures: tuple[str, ...]
    case: str
    status: str = "active"
    flags: tuple[str, ...] = ()
    estimate: int | None = None
    """Expected patient estimate in cents (None when it cannot be estimated)."""
    dob_in_pm: dt.date | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def planned_charge(self) -> int:
        """Σ fee schedule charges of the planned procedures, in cents."""
        return sum(int(FEE_SCHEDULE[code].charge * 100) for code in self.procedures)


def expected_estimate(visit: Visit, enrollment: Enrollment) -> int | None:
    """The patient estimate in cents: co-pay, else deductible left then co-insurance, capped by OOP left."""
    specialist = visit.visit_type == "specialist"
    copay = (
        enrollment.specialist_copay if specialist and enrollment.specialist_copay else enrollment.office_copay
    )
    if copay > 0:
        owe = copay
    else:
        charge = visit.planned_charge
        left = enrollment.deductible.remaining
        if enrollment.family_deductible is not None:
            left = min(left, enrollment.family_deductible.remaining)
        from_deductible = min(charge, left)
        rest = (charge - from_deductible) * enrollment.coinsurance  # in cents x percent
        owe = from_deductible + (rest + 50) // 100  # half up to the cent
    return min(owe, enrollment.out_of_pocket.remaining)


class _Planner:
    """Builds enrollments and visits case by case."""

    def __init__(
        self, rng: random.Random, practice: Practice, patients: list[Patient], as_of: dt.date
    ) -> None:
        self.rng = rng
        self.practice = practice
        self.pool = list(patients)
        rng.shuffle(self.pool)
        self.days = business_days_after(as_of, 3)
        self.enrollments: list[Enrollment] = []
        self.visits: list[Visit] = []
        self.next_id = 5001
        self.slot = 0

    def patient(self) -> Patient:
        return self.pool.pop()

    def base(self, p: Patient, **changes: object) -> Enrollment:
        plan = self.rng.choice(("Choice Plus PPO", "Options PPO"))
        enrollment = Enrollment(
            member_id=p.member_id, last=p.last, first=p.first, dob=p.dob, plan=plan,
            group=f"G{self.rng.randint(100000, 999999)}", effective=dt.date(2026, 1, 1),
            office_copay=self.rng.choice((2000, 2500, 3000, 3500)), specialist_copay=5000, coinsurance=20,
            deductible=Figures(150000, self.rng.randint(0, 150000)), out_of_pocket=Figures(500000, 123456),
        )  # fmt: skip
        return replace(enrollment, **changes)  # type: ignore[arg-type]

    def visit(self, p: Patient, case: str, day: int = 0, **kw: object) -> Visit:
        self.slot += 1
        start = dt.datetime.combine(self.days[day], dt.time(8, 0)) + dt.timedelta(
            minutes=20 * (self.slot % 27)
        )
        providers = [prov.npi for prov in self.practice.providers]
        visit = Visit(
            appointment_id=f"A{self.next_id}", start=start, patient=p, member_id=p.member_id,
            provider_npi=str(kw.pop("npi", providers[self.slot % len(providers)])),
            visit_type=str(kw.pop("visit_type", "office")),
            procedures=tuple(kw.pop("procedures", ("99213",))),  # type: ignore[arg-type]
            case=case, dob_in_pm=p.dob,
        )  # fmt: skip
        self.next_id += 1
        for key, value in kw.items():
            setattr(visit, key, value)
        self.visits.append(visit)
        return visit

    def add(self, case: str, enrollment: Enrollment, visit: Visit, *, again: bool = False) -> None:
        if not again:
            self.enrollments.append(enrollment)
        if visit.status == "active":
            visit.estimate = expected_estimate(visit, enrollment)


def plan_cases(seed: int, practice: Practice, patients: list[Patient], as_of: dt.date) -> tuple[
    list[Enrollment], list[Visit]
]:  # fmt: skip
    """Enrollments and visits planting every eligibility case (see docs/sandbox.md)."""
    rng = random.Random(f"eligibility-{seed}")
    pl = _Planner(rng, practice, patients, as_of)
    npis = [prov.npi for prov in practice.providers]
    for index in range(4):  # clean, co-pay
        p = pl.patient()
        pl.add("clean_copay", pl.base(p), pl.visit(p, "clean_copay", day=index % 2))
    p = pl.patient()  # high deductible plan, nothing met yet: the whole visit goes to the deductible
    e = pl.base(p, plan="HSA Saver HDHP", office_copay=0, deductible=Figures(300000, 0), coinsurance=20)
    pl.add("deductible_not_met", e, pl.visit(p, "deductible_not_met", procedures=("99203",)))
    p = pl.patient()  # partly met: deductible left, then 20% on the rest
    e = pl.base(p, plan="HSA Saver HDHP", office_copay=0, deductible=Figures(300000, 295000), coinsurance=20)
    pl.add(
        "deductible_partly_met", e, pl.visit(p, "deductible_partly_met", day=1, procedures=("99214", "85025"))
    )
    p = pl.patient()  # $33.30 left, then 15% of $181.70 = $27.255: half a cent, rounded up
    e = pl.base(p, plan="HSA Saver HDHP", office_copay=0, deductible=Figures(300000, 296670), coinsurance=15)
    pl.add(
        "deductible_rounding", e, pl.visit(p, "deductible_rounding", procedures=("99213", "36415", "83036"))
    )
    p = pl.patient()  # family deductible nearly met: the family figure limits the deductible part
    e = pl.base(
        p, plan="Family HDHP", office_copay=0, deductible=Figures(300000, 50000),
        family_deductible=Figures(600000, 588000), coinsurance=10, relationship="Spouse",
    )  # fmt: skip
    pl.add("family_deductible", e, pl.visit(p, "family_deductible", procedures=("99214", "80053")))
    p = pl.patient()  # out-of-pocket maximum almost reached
    e = pl.base(
        p, plan="HSA Saver HDHP", office_copay=0, deductible=Figures(300000, 300000), coinsurance=30,
        out_of_pocket=Figures(650000, 648766),
    )  # fmt: skip
    pl.add("out_of_pocket_cap", e, pl.visit(p, "out_of_pocket_cap", day=1, procedures=("99215",)))
    p = pl.patient()
    pl.add("specialist_copay", pl.base(p), pl.visit(p, "specialist_copay", visit_type="specialist"))
    p = pl.patient()
    pl.add(
        "inactive", pl.base(p, active=False), pl.visit(p, "inactive", status="inactive", flags=("inactive",))
    )
    p = pl.patient()
    e = pl.base(p, end=as_of - dt.timedelta(days=27))
    pl.add("terminated", e, pl.visit(p, "terminated", day=1, status="terminated", flags=("terminated",)))
    p = pl.patient()  # the PM has a mistyped member id: the payer knows nobody by it
    v = pl.visit(p, "not_found", status="not_found", flags=("not_found",))
    v.member_id = p.member_id[:-3] + str((int(p.member_id[-3]) + 1) % 10) + p.member_id[-2:]
    pl.add("not_found", pl.base(p), v)
    p = pl.patient()  # the payer holds two enrollments for the same person (a duplicate record)
    pl.enrollments.append(pl.base(p, plan="Options PPO", group="G000001"))
    e = pl.base(p, plan="Choice Plus PPO", group="G000002")
    pl.add(
        "several_matches",
        e,
        pl.visit(p, "several_matches", status="several_matches", flags=("several_matches",)),
    )
    p = pl.patient()  # the payer has another date of birth on file
    e = pl.base(p, dob=p.dob + dt.timedelta(days=31))
    v = pl.visit(p, "dob_mismatch", day=1, status="not_found", flags=("not_found", "dob_mismatch"))
    pl.add("dob_mismatch", e, v)
    p = pl.patient()  # married since: the payer has a new last name, coverage is fine
    e = pl.base(p, last=p.last + "-Reyes")
    pl.add("name_mismatch", e, pl.visit(p, "name_mismatch", flags=("name_mismatch",)))
    p = pl.patient()
    e = pl.base(p, other_payer=MEDICARE)
    pl.add("other_payer_primary", e, pl.visit(p, "other_payer_primary", flags=("other_payer_primary",)))
    p = pl.patient()  # an exclusive provider plan without this clinician
    e = pl.base(p, plan="Core EPO", out_of_network=frozenset({npis[0]}))
    pl.add("out_of_network", e, pl.visit(p, "out_of_network", day=1, npi=npis[0], flags=("out_of_network",)))
    p = pl.patient()  # HMO: a specialist visit needs a referral ...
    hmo = {"plan": "Navigate HMO", "referral_required": True, "specialist_copay": 4000}
    e = pl.base(p, **hmo)
    v = pl.visit(p, "referral_required", visit_type="specialist", flags=("referral_required",))
    pl.add("referral_required", e, v)
    p = pl.patient()  # ... a primary care visit does not
    pl.add("hmo_office_visit", pl.base(p, **hmo), pl.visit(p, "hmo_office_visit", day=1))
    p = pl.patient()  # the planned service needs prior authorisation
    e = pl.base(p, auth_codes=("20610", "J1030"))
    v = pl.visit(p, "auth_required", procedures=("99214", "20610", "J1030"), flags=("auth_required",))
    pl.add("auth_required", e, v)
    p = pl.patient()  # same patient seen twice the same day: checked once
    e = pl.base(p)
    pl.add("same_day_twice", e, pl.visit(p, "same_day_twice"))
    pl.add("same_day_twice", e, pl.visit(p, "same_day_twice", procedures=("36415",)), again=True)
    p = pl.patient()  # the PM row has no date of birth
    v = pl.visit(p, "no_dob", status="not_checked", flags=("not_checked",))
    v.dob_in_pm = None
    pl.add("no_dob", pl.base(p), v)
    p = pl.patient()  # the PM row's member id is not an id
    v = pl.visit(p, "bad_member_id", day=1, status="not_checked", flags=("not_checked",))
    v.member_id = "N/A"
    pl.add("bad_member_id", pl.base(p), v)
    p = pl.patient()  # three business days out: outside the default window of two
    pl.add("later", pl.base(p), pl.visit(p, "later", day=2))
    pl.visits.sort(key=lambda v: (v.start, v.appointment_id))
    return pl.enrollments, pl.visits
