"""Format checks for the ids and codes on a claim: NPI, TIN, ICD-10-CM, CPT/HCPCS, modifiers, UB codes."""

from __future__ import annotations

import datetime as dt
import re

ICD10_START = dt.date(2015, 10, 1)
"""ICD-10-CM applies to services on or after this date; earlier services were coded in ICD-9-CM."""

_NPI = re.compile(r"\d{10}")
_TIN = re.compile(r"\d{2}-?\d{7}|\d{3}-?\d{2}-?\d{4}")
_ICD10CM = re.compile(r"[A-Z]\d[0-9A-Z][0-9A-Z]{0,4}")
_CPT = re.compile(r"\d{4}[0-9FT]")
_HCPCS = re.compile(r"[A-Z]\d{4}")
_MODIFIER = re.compile(r"[0-9A-Z]{2}")
_REVENUE = re.compile(r"\d{4}")
_TYPE_OF_BILL = re.compile(r"0?[1-9]\d[0-9A-Z]")


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check over a string of digits, check digit last."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def npi_ok(npi: str) -> bool:
    """Ten digits whose last is the Luhn check digit of ``80840`` + the first nine (CMS NPI standard)."""
    return bool(_NPI.fullmatch(npi)) and luhn_ok("80840" + npi)


def tin_ok(tin: str) -> bool:
    """An EIN (``12-3456789``) or SSN (``123-45-6789``) with or without dashes, not all zeros."""
    return bool(_TIN.fullmatch(tin)) and tin.replace("-", "") != "000000000"


def icd10cm_ok(code: str) -> bool:
    """ICD-10-CM shape as sent on an 837 (no dot): letter, digit, alphanumeric, up to four more characters."""
    return bool(_ICD10CM.fullmatch(code))


def procedure_ok(code: str) -> bool:
    """CPT (five digits, or four digits + F/T for Category II/III) or HCPCS Level II (letter + 4 digits)."""
    return bool(_CPT.fullmatch(code) or _HCPCS.fullmatch(code))


def modifier_ok(modifier: str) -> bool:
    """A procedure modifier: exactly two letters or digits."""
    return bool(_MODIFIER.fullmatch(modifier))


def revenue_code_ok(code: str) -> bool:
    """A UB-04 revenue code: four digits (``0450``)."""
    return bool(_REVENUE.fullmatch(code))


def type_of_bill_ok(code: str) -> bool:
    """A type of bill: facility type, classification, frequency (``131``, or ``0131`` with a leading 0)."""
    return bool(_TYPE_OF_BILL.fullmatch(code))
