"""The sandbox's ERAs: one 835 per payment (or zero-pay notice), written with connector.x12."""

from __future__ import annotations

import datetime as dt

from connector.sandbox.model import Dataset, Payment
from connector.x12 import ControlNumbers, write_835
from connector.x12.models import Address, Contact, Envelope, Party, Reference, Remittance

PAYER_TIN = "411289245"


def empty_envelope(transaction_set: str, functional_id: str, version: str) -> Envelope:
    """A placeholder envelope for models we write (writers take the caller's control numbers instead)."""
    return Envelope(
        sender_qualifier="ZZ",
        sender_id="",
        receiver_qualifier="ZZ",
        receiver_id="",
        interchange_date=None,
        interchange_time="",
        interchange_control_number="",
        version="00501",
        usage="P",
        functional_id=functional_id,
        application_sender="",
        application_receiver="",
        group_date=None,
        group_control_number="",
        group_version=version,
        transaction_set_id=transaction_set,
        transaction_control_number="",
    )


def remittance(data: Dataset, payment: Payment) -> Remittance:
    """The 835 model of one payment: BPR/TRN tie the payment number to the deposit; claims and PLB."""
    practice, payer = data.practice, data.payer
    ach = not payment.zero_pay
    return Remittance(
        envelope=empty_envelope("835", "HP", "005010X221A1"),
        handling_code="I" if ach else "H",
        payment_amount=payment.amount,
        credit_debit="C",
        payment_method=payment.method,
        payment_format="CCP" if ach else "",
        payer_account=("01", "071000013", "DA", "4455667788", "1" + PAYER_TIN, "") if ach else (),
        payee_account=("01", "061000227", "DA", "7766554433") if ach else (),
        payment_date=payment.date,
        trace_type="1",
        trace_number=payment.payment_number,
        originating_company_id="1" + PAYER_TIN,
        receiver_id=practice.tin,
        production_date=payment.date - dt.timedelta(days=1),
        payer=Party(
            "PR",
            payer.name.upper(),
            address=Address(payer.address, "", payer.city, payer.state, payer.zip),
            references=[Reference("2U", payer.payer_id)],
            contacts=[Contact("BL", "PROVIDER SERVICES", (("TE", "8778423210"),))],
        ),
        payee=Party(
            "PE",
            practice.name.upper(),
            "XX",
            practice.npi,
            address=Address(practice.address, "", practice.city, practice.state, practice.zip),
            references=[Reference("TJ", practice.tin)],
        ),
        claims=list(payment.claims),
        provider_adjustments=list(payment.adjustments),
    )


def control_numbers(data: Dataset, payment: Payment) -> ControlNumbers:
    """Envelope numbers of a payment's 835: interchange and group = the payment's position."""
    return ControlNumbers(
        interchange=100000 + payment.index,
        group=payment.index,
        sender_id=data.payer.payer_id,
        receiver_id=data.practice.tin,
        created=dt.datetime.combine(payment.date, dt.time(6, 0)),
    )


def era_bytes(data: Dataset, payment: Payment) -> bytes:
    """The 835 file of one payment."""
    return write_835(remittance(data, payment), control=control_numbers(data, payment))


def era_filename(payment: Payment) -> str:
    """The name the portal suggests for a payment's 835."""
    return f"ERA_{payment.payment_number}_{payment.date:%Y%m%d}.835"
