"""Assemble a canonical Claim from the header values of its first export row and its service lines."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, cast

from connector.pm.models import (
    Address,
    BillingProvider,
    ChargeClaim,
    ChargeLine,
    Claim,
    ClaimType,
    Patient,
    ServiceLine,
)


def assemble_claim(claim_id: str, h: dict[str, Any], parts_lines: list[ServiceLine]) -> Claim:
    """A Claim from the header values of its first row and its lines."""
    text: Callable[[str], str] = lambda f: cast(str, h.get(f) or "")  # noqa: E731
    lines = tuple(parts_lines)
    total = h.get("claim_total_charge")
    return Claim(
        claim_id=claim_id,
        claim_type=cast(ClaimType, h["claim_type"]),
        patient=Patient(
            account_id=text("patient_id"),
            last_name=text("patient_last_name"),
            first_name=text("patient_first_name"),
            dob=h.get("patient_dob"),
            sex=text("patient_sex").upper(),
            address=Address(
                text("patient_address"), text("patient_city"), text("patient_state"), text("patient_zip")
            ),
            member_id=text("member_id"),
        ),
        payer_id=text("payer_id"),
        payer_name=text("payer_name"),
        billing=BillingProvider(
            npi=text("billing_npi"),
            tin=text("billing_tin"),
            name=text("billing_name"),
            address=Address(
                text("billing_address"), text("billing_city"), text("billing_state"), text("billing_zip")
            ),
        ),
        lines=lines,
        total_charge=total if total is not None else sum((ln.charge for ln in lines), Decimal("0")),
        diagnosis_codes=h.get("diagnosis_codes") or (),
        rendering_npi=text("rendering_npi"),
        referring_npi=text("referring_npi"),
        frequency_code=text("frequency_code") or "1",
        original_claim_number=text("original_claim_number"),
        type_of_bill=text("type_of_bill"),
        statement_from=h.get("statement_from"),
        statement_to=h.get("statement_to"),
        submitted_date=h.get("submitted_date"),
        status=text("claim_status").lower(),
        rendering_last_name=text("rendering_last_name"),
        rendering_first_name=text("rendering_first_name"),
        referring_last_name=text("referring_last_name"),
        referring_first_name=text("referring_first_name"),
    )


CHARGE_HEADER = frozenset(
    {"payer_name", "member_id", "patient_last_name", "patient_first_name", "claim_total_charge",
     "submitted_date", "claim_status"}
)  # fmt: skip
"""The claim header values a compact claim keeps (:func:`charge_claim_of`)."""


def charge_claim_of(
    claim_id: str, h: dict[str, Any], parts_lines: list[ChargeLine], shared: dict[Any, Any] | None = None
) -> ChargeClaim:
    """A compact claim for reconciling, with the values ``assemble_claim`` would give the full one;
    ``shared``: equal statuses of many claims share one string (lower-casing makes a new one each time; the
    header's other texts come shared by the row builder)."""
    text: Callable[[str], str] = lambda f: cast(str, h.get(f) or "")  # noqa: E731
    status = text("claim_status").lower()
    lines = tuple(parts_lines)
    total = h.get("claim_total_charge")
    dates = [line.service_date for line in lines if line.service_date is not None]
    return ChargeClaim(
        claim_id=claim_id,
        payer_name=text("payer_name"),
        member_id=text("member_id"),
        last_name=text("patient_last_name"),
        first_name=text("patient_first_name"),
        total_charge=total if total is not None else sum((ln.charge for ln in lines), Decimal("0")),
        submitted_date=h.get("submitted_date"),
        status=status if shared is None else shared.setdefault(status, status),
        lines=lines,
        first_service_date=min(dates) if dates else None,
    )
