"""Code tables of the sandbox practice: fee schedule, visit templates, diagnoses, denial codes, NPI maths."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Fee:
    """One procedure: the practice's charge and the payer's contracted (allowed) amount per unit."""

    code: str
    description: str
    charge: Decimal
    allowed: Decimal
    evaluation: bool = False
    """Office visit (E/M): a copay applies."""


def _fee(code: str, description: str, charge: str, allowed: str, evaluation: bool = False) -> Fee:
    return Fee(code, description, Decimal(charge), Decimal(allowed), evaluation)


FEE_SCHEDULE: dict[str, Fee] = {
    f.code: f
    for f in (
        _fee("99203", "Office visit, new patient, low", "185.00", "111.40", True),
        _fee("99204", "Office visit, new patient, moderate", "270.00", "168.90", True),
        _fee("99213", "Office visit, established, low", "150.00", "92.50", True),
        _fee("99214", "Office visit, established, moderate", "220.00", "131.20", True),
        _fee("99215", "Office visit, established, high", "300.00", "184.60", True),
        _fee("G0439", "Annual wellness visit, subsequent", "260.00", "130.40", True),
        _fee("36415", "Routine venipuncture", "25.00", "8.50"),
        _fee("80053", "Comprehensive metabolic panel", "60.00", "14.10"),
        _fee("85025", "Complete blood count with differential", "45.00", "10.60"),
        _fee("83036", "Hemoglobin A1c", "40.00", "13.20"),
        _fee("93000", "Electrocardiogram, complete", "80.00", "17.00"),
        _fee("71046", "Chest x-ray, 2 views", "120.00", "38.00"),
        _fee("20610", "Arthrocentesis, major joint", "250.00", "71.30"),
        _fee("J1030", "Methylprednisolone acetate 40 mg", "40.00", "6.10"),
        _fee("90471", "Immunization administration", "45.00", "24.20"),
        _fee("90686", "Influenza vaccine, quadrivalent", "35.00", "19.80"),
        _fee("97110", "Therapeutic exercise, 15 min", "75.00", "29.70"),
    )
}


@dataclass(frozen=True, slots=True)
class VisitLine:
    """A line of a visit template: procedure, modifiers, units, pointers into the visit's diagnoses."""

    code: str
    modifiers: tuple[str, ...] = ()
    units: int = 1
    pointers: tuple[int, ...] = (1,)


VISITS: tuple[tuple[tuple[str, ...], tuple[VisitLine, ...]], ...] = (
    (("E119", "I10"), (VisitLine("99214", ("25",), 1, (1, 2)), VisitLine("83036"), VisitLine("36415"))),
    (("I10",), (VisitLine("99213"),)),
    (("J069",), (VisitLine("99213"),)),
    (
        ("E785", "I10"),
        (
            VisitLine("99214", ("25",), 1, (1, 2)),
            VisitLine("80053", (), 1, (1, 2)),
            VisitLine("36415", (), 1, (1,)),
        ),
    ),
    (("R079",), (VisitLine("99214", ("25",)), VisitLine("93000"))),
    (("M170",), (VisitLine("20610", ("RT",)), VisitLine("J1030"))),
    (("Z23",), (VisitLine("90686"), VisitLine("90471"))),
    (("Z0000",), (VisitLine("G0439"),)),
    (
        ("R05", "J189"),
        (
            VisitLine("99215", ("25",), 1, (1, 2)),
            VisitLine("71046", (), 1, (2,)),
            VisitLine("85025", (), 1, (2,)),
            VisitLine("36415"),
        ),
    ),
    (("M545",), (VisitLine("97110", ("GP",), 2),)),
    (("K219",), (VisitLine("99203"),)),
    (("F419", "G4700"), (VisitLine("99204", (), 1, (1, 2)),)),
)
"""(diagnoses, lines) of the visits the practice bills; diagnoses are ICD-10-CM without the dot."""

DENIALS: tuple[tuple[str, str, str], ...] = (
    ("CO", "16", "M51"),
    ("CO", "29", ""),
    ("CO", "18", ""),
    ("PR", "204", "N130"),
    ("CO", "16", "MA130"),
)
"""Whole-claim denials: group, CARC, RARC ("" for none)."""

LINE_DENIALS: tuple[tuple[str, str, str], ...] = (
    ("CO", "97", "M15"),
    ("CO", "16", "N290"),
)
"""Single-line denials inside a paid claim (partially paid claims)."""

LAST_NAMES = (
    "Alvarez",
    "Brooks",
    "Chen",
    "Dawson",
    "Ellis",
    "Foster",
    "Garcia",
    "Hughes",
    "Ibarra",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Mitchell",
    "Nguyen",
    "Owens",
    "Patel",
    "Quinn",
    "Reyes",
    "Sullivan",
    "Turner",
    "Underwood",
    "Vasquez",
    "Walker",
    "Xu",
    "Young",
    "Zimmerman",
)
FIRST_NAMES = (
    ("Maria", "F"),
    ("James", "M"),
    ("Linda", "F"),
    ("Robert", "M"),
    ("Patricia", "F"),
    ("Michael", "M"),
    ("Susan", "F"),
    ("David", "M"),
    ("Karen", "F"),
    ("Thomas", "M"),
    ("Nancy", "F"),
    ("Daniel", "M"),
    ("Emily", "F"),
    ("Kevin", "M"),
    ("Grace", "F"),
    ("Omar", "M"),
    ("Alex", "U"),
)
STREETS = (
    "Oak St",
    "Maple Ave",
    "Cedar Ln",
    "Pine Rd",
    "Elm St",
    "Lakeview Dr",
    "Hillcrest Ave",
    "Park Blvd",
)
CITIES = (("Springfield", "IL", "62704"), ("Decatur", "IL", "62521"), ("Champaign", "IL", "61820"))


def luhn_check_digit(payload: str) -> int:
    """The Luhn check digit for a string of digits."""
    total = 0
    for index, char in enumerate(reversed(payload)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def make_npi(nine_digits: str) -> str:
    """A valid NPI: nine digits plus the Luhn check digit computed with the 80840 prefix."""
    return nine_digits + str(luhn_check_digit("80840" + nine_digits))


def npi_is_valid(npi: str) -> bool:
    """True for ten digits whose last digit is the 80840-prefixed Luhn check digit."""
    return len(npi) == 10 and npi.isdigit() and make_npi(npi[:9]) == npi
