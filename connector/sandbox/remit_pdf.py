"""The PDF remittance advice of one payment (fpdf2, core fonts, fixed creation date)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from connector.sandbox.model import Dataset, Payment

STATUS_TEXT = {"1": "Processed as primary", "2": "Processed as secondary", "4": "Denied", "19": "Forwarded",
               "22": "Reversal of previous payment"}  # fmt: skip
WIDTHS = (26, 40, 30, 22, 22, 22, 22, 22)


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def remit_pdf(data: Dataset, payment: Payment) -> bytes:
    """A provider remittance advice: payment header, one block per claim with its lines, PLB, totals."""
    from fpdf import FPDF

    pdf = FPDF(orientation="L", unit="mm", format="Letter")
    pdf.set_creation_date(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    pdf.set_title(f"Remittance advice {payment.payment_number}")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, f"{data.payer.name} - Provider Remittance Advice", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    practice = data.practice
    header = [
        f"Payee: {practice.name}   NPI {practice.npi}   TIN {practice.tin}",
        f"Payment number: {payment.payment_number}   Payment date: {payment.date.isoformat()}   "
        f"Method: {payment.method}   Amount: ${_money(payment.amount)}",
    ]
    for text in header:
        pdf.cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    titles = ("Claim / line", "Patient / procedure", "Payer claim no.", "Billed", "Allowed", "Adjusted",
              "Patient resp.", "Paid")  # fmt: skip
    pdf.set_font("Helvetica", "B", 8)
    for width, title in zip(WIDTHS, titles, strict=True):
        pdf.cell(width, 6, title, border=1)
    pdf.ln()
    for claim in payment.claims:
        pdf.set_font("Helvetica", "B", 8)
        patient = claim.patient
        name = f"{patient.last_or_org}, {patient.first}" if patient else ""
        status = STATUS_TEXT.get(claim.status_code, claim.status_code)
        adjusted = sum((a.amount for a in claim.adjustments), Decimal(0))
        cells = (claim.claim_id, name, claim.payer_claim_number, _money(claim.charge), "", "",
                 _money(claim.patient_responsibility or Decimal(0)), _money(claim.paid))  # fmt: skip
        for width, text in zip(WIDTHS, cells, strict=True):
            pdf.cell(width, 5, text, border="T")
        pdf.cell(0, 5, f" {status}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 8)
        for line in claim.service_lines:
            adjusted = sum((a.amount for a in line.adjustments if a.group != "PR"), Decimal(0))
            patient_share = sum((a.amount for a in line.adjustments if a.group == "PR"), Decimal(0))
            codes = " ".join(f"{a.group}-{a.reason}" for a in line.adjustments)
            remarks = " ".join(r.code for r in line.remarks)
            procedure = ":".join((line.procedure.code, *line.procedure.modifiers))
            cells = (f"  {line.line_control_number or ''}", procedure, str(line.service_date or ""),
                     _money(line.charge), _money(line.allowed or Decimal(0)), _money(adjusted),
                     _money(patient_share), _money(line.paid))  # fmt: skip
            for width, text in zip(WIDTHS, cells, strict=True):
                pdf.cell(width, 5, text)
            pdf.cell(0, 5, f" {codes} {remarks}".rstrip(), new_x="LMARGIN", new_y="NEXT")
    if payment.adjustments:
        pdf.ln(2)
        pdf.set_font("Helvetica", "B", 8)
        pdf.cell(0, 5, "Provider-level adjustments (PLB)", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 8)
        for adjustment in payment.adjustments:
            text = (
                f"{adjustment.reason}  reference {adjustment.reference}  amount {_money(adjustment.amount)}"
            )
            pdf.cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(0, 6, f"Total payment: ${_money(payment.amount)}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def remit_filename(payment: Payment) -> str:
    """The name the portal suggests for a payment's PDF remit."""
    return f"Remit_{payment.payment_number}_{payment.date:%Y%m%d}.pdf"
