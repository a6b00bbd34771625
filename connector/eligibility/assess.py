"""Judge one appointment against the payer's answer: status, problems, and what the patient likely owes."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from connector.eligibility.benefits import DOB_CODES, NAME_CODES
from connector.eligibility.model import PROBLEM_ORDER, Appointment, Coverage, EligibilityResult, Problem

CENT = Decimal("0.01")
SPECIALIST_VISITS = frozenset({"specialist", "consult", "consultation", "specialist visit"})
"""Visit types (case-insensitive) that count as specialist visits (specialist co-pay, referral rules)."""
_STATUS_PROBLEM = {
    Coverage.NOT_CHECKED: Problem.NOT_CHECKED,
    Coverage.INACTIVE: Problem.INACTIVE,
    Coverage.TERMINATED: Problem.TERMINATED,
    Coverage.NOT_FOUND: Problem.NOT_FOUND,
    Coverage.SEVERAL_MATCHES: Problem.SEVERAL_MATCHES,
    Coverage.REJECTED: Problem.REJECTED,
}


@dataclass(slots=True, frozen=True)
class Assessment:
    """One appointment with the payer's answer (None when not checked), its problems and the estimate."""

    appointment: Appointment
    result: EligibilityResult | None
    status: Coverage
    problems: tuple[Problem, ...]
    estimate: Decimal | None
    """What the patient is likely to owe at the visit (None when it cannot be estimated)."""
    note: str = ""

    @property
    def has_problem(self) -> bool:
        """Whether a person should look at this appointment before the visit."""
        return bool(self.problems)


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isalnum()).casefold()


def is_specialist(appointment: Appointment) -> bool:
    """Whether the schedule calls this a specialist visit."""
    return appointment.visit_type.strip().casefold() in SPECIALIST_VISITS


def patient_estimate(appointment: Appointment, result: EligibilityResult) -> Decimal | None:
    """Co-pay when the plan has one for this visit; else the planned charge up to the deductible left, plus
    co-insurance on the rest; never more than the out-of-pocket left. Rounded half up to the cent."""
    if result.status is not Coverage.ACTIVE:
        return None
    copay = result.office_copay
    if is_specialist(appointment) and result.specialist_copay is not None:
        copay = result.specialist_copay
    if copay is not None and copay > 0:
        owe = copay
    elif appointment.planned_charge is None:
        return None
    else:
        charge = appointment.planned_charge
        left = [a.remaining for a in (result.deductible_individual, result.deductible_family)]
        known = [v for v in left if v is not None]
        deductible = min(known) if known else Decimal(0)
        from_deductible = min(charge, max(deductible, Decimal(0)))
        owe = from_deductible + (charge - from_deductible) * (result.coinsurance or Decimal(0))
    cap = result.out_of_pocket_individual.remaining
    if cap is not None:
        owe = min(owe, max(cap, Decimal(0)))
    return owe.quantize(CENT, rounding=ROUND_HALF_UP)


def problems_of(appointment: Appointment, result: EligibilityResult) -> list[Problem]:
    """Every problem the answer shows for this appointment (unsorted)."""
    found: set[Problem] = set()
    if result.status in _STATUS_PROBLEM:
        found.add(_STATUS_PROBLEM[result.status])
    codes = {r.code for r in result.rejections}
    if codes & DOB_CODES:
        found.add(Problem.DOB_MISMATCH)
    if codes & NAME_CODES:
        found.add(Problem.NAME_MISMATCH)
    if result.status in (Coverage.ACTIVE, Coverage.INACTIVE, Coverage.TERMINATED):
        if result.dob is not None and appointment.dob is not None and result.dob != appointment.dob:
            found.add(Problem.DOB_MISMATCH)
        names = ((result.last_name, appointment.last_name), (result.first_name, appointment.first_name))
        if any(theirs and ours and _plain(theirs) != _plain(ours) for theirs, ours in names):
            found.add(Problem.NAME_MISMATCH)
    if result.status is Coverage.ACTIVE:
        if result.other_payer_primary:
            found.add(Problem.OTHER_PAYER_PRIMARY)
        if result.in_network is False:
            found.add(Problem.OUT_OF_NETWORK)
        if result.referral_required and is_specialist(appointment):
            found.add(Problem.REFERRAL_REQUIRED)
        planned = set(appointment.procedures)
        if result.auth_required and (not result.auth_codes or planned & set(result.auth_codes)):
            found.add(Problem.AUTH_REQUIRED)
    return sorted(found, key=PROBLEM_ORDER.index)


def assess(appointment: Appointment, result: EligibilityResult | None, note: str = "") -> Assessment:
    """The assessment of one appointment; ``result`` None means it was not checked (``note`` says why)."""
    if result is None or appointment.unusable:
        why = appointment.unusable or note or "not checked"
        return Assessment(appointment, None, Coverage.NOT_CHECKED, (Problem.NOT_CHECKED,), None, why)
    problems = tuple(problems_of(appointment, result))
    return Assessment(
        appointment, result, result.status, problems, patient_estimate(appointment, result), result.message
    )
