"""835 writer (005010X221A1): Remittance models to bytes the 835 reader reads back to equal models."""

from __future__ import annotations

from collections.abc import Sequence

from connector.x12.model_835 import Adjustment, ClaimPayment, Party, ProcedureCode, Remittance, ServiceLine
from connector.x12.model_common import ControlNumbers, Name
from connector.x12.write_common import Element, SegmentList, date8, interchange, next_control, transaction

VERSION = "005010X221A1"


def write_835(remittances: Remittance | Sequence[Remittance], *, control: ControlNumbers) -> bytes:
    """One ISA/GS with one ST..SE per remittance (ST02 counts up from control.transaction).

    Claims are grouped under LX by their ``header_number`` (``"1"`` when empty); the envelope and the
    findings of the models are not written (the caller's control numbers are used; findings are recomputed).
    """
    items = [remittances] if isinstance(remittances, Remittance) else list(remittances)
    sets = [
        transaction(_body(r, control), "835", next_control(control, i), None) for i, r in enumerate(items)
    ]
    return interchange(sets, control, "HP", VERSION)


def _body(r: Remittance, control: ControlNumbers) -> SegmentList:
    body = SegmentList(control.delimiters)
    payer_account = (list(r.payer_account) + [""] * 6)[:6]
    payee_account = (list(r.payee_account) + [""] * 4)[:4]
    body.add(
        "BPR",
        r.handling_code,
        r.payment_amount,
        r.credit_debit,
        r.payment_method,
        r.payment_format,
        *payer_account,
        *payee_account,
        date8(r.payment_date),
    )
    body.add(
        "TRN", r.trace_type, r.trace_number, r.originating_company_id, r.originating_company_supplemental
    )
    if r.receiver_id:
        body.add("REF", "EV", r.receiver_id)
    if r.version_reference:
        body.add("REF", "F2", r.version_reference)
    if r.production_date is not None:
        body.add("DTM", "405", date8(r.production_date))
    _party(body, r.payer)
    _party(body, r.payee)
    summaries = {s[0]: s for s in r.provider_summaries if s}
    order: list[str] = [s[0] for s in r.provider_summaries if s]
    for claim in r.claims:
        number = claim.header_number or "1"
        if number not in summaries:
            summaries[number] = (number,)
            order.append(number)
    by_header: dict[str, list[ClaimPayment]] = {n: [] for n in order}
    for claim in r.claims:
        by_header[claim.header_number or "1"].append(claim)
    for number in order:
        body.add("LX", number)
        _summary(body, summaries[number][1:])
        for claim in by_header[number]:
            _claim(body, claim)
    _plb(body, r)
    return body


def _summary(body: SegmentList, values: tuple[str, ...]) -> None:
    current: list[str] = []
    for value in values:
        if value in ("TS3", "TS2") and current:
            body.add(current[0], *current[1:])
            current = []
        current.append(value)
    if current:
        body.add(current[0], *current[1:])


def _party(body: SegmentList, party: Party) -> None:
    body.add("N1", party.entity, party.name, party.id_qualifier, party.id)
    if party.address is not None:
        a = party.address
        body.add("N3", a.line1, a.line2)
        body.add("N4", a.city, a.state, a.postal_code, a.country)
    for ref in party.references:
        body.add("REF", ref.qualifier, ref.value)
    for contact in party.contacts:
        body.add("PER", contact.function, contact.name, *[x for pair in contact.numbers for x in pair])


def _adjustments(body: SegmentList, adjustments: list[Adjustment]) -> None:
    i = 0
    while i < len(adjustments):
        group = adjustments[i].group
        values: list[Element] = [group]
        count = 0
        while i < len(adjustments) and adjustments[i].group == group and count < 6:
            a = adjustments[i]
            values += [a.reason, a.amount, a.quantity]
            i += 1
            count += 1
        body.add("CAS", *values)


def _name(body: SegmentList, n: Name) -> None:
    body.add(
        "NM1", n.entity, n.entity_type, n.last_or_org, n.first, n.middle, None, n.suffix, n.id_qualifier, n.id
    )


def _claim(body: SegmentList, c: ClaimPayment) -> None:
    body.add(
        "CLP",
        c.claim_id,
        c.status_code,
        c.charge,
        c.paid,
        c.patient_responsibility,
        c.filing_indicator,
        c.payer_claim_number,
        c.facility_type,
        c.frequency_code,
        None,
        c.drg_code,
        c.drg_weight,
        c.discharge_fraction,
    )
    _adjustments(body, c.adjustments)
    for name in c.names:
        _name(body, name)
    if c.inpatient:
        body.add("MIA", *c.inpatient)
    if c.outpatient:
        body.add("MOA", *c.outpatient)
    for ref in c.references:
        body.add("REF", ref.qualifier, ref.value)
    for entry in c.dates:
        body.add("DTM", entry.qualifier, date8(entry.date))
    for contact in c.contacts:
        body.add("PER", contact.function, contact.name, *[x for pair in contact.numbers for x in pair])
    for amount in c.amounts:
        body.add("AMT", amount.qualifier, amount.amount)
    for quantity in c.quantities:
        body.add("QTY", quantity.qualifier, quantity.quantity)
    for line in c.service_lines:
        _line(body, line)


def _composite(p: ProcedureCode) -> tuple[str, ...]:
    mods = (list(p.modifiers) + [""] * 4)[:4]
    return (p.qualifier, p.code, *mods, p.description)


def _line(body: SegmentList, s: ServiceLine) -> None:
    body.add(
        "SVC",
        _composite(s.procedure),
        s.charge,
        s.paid,
        s.revenue_code,
        s.units,
        _composite(s.original_procedure) if s.original_procedure is not None else None,
        s.original_units,
    )
    for entry in s.dates:
        body.add("DTM", entry.qualifier, date8(entry.date))
    _adjustments(body, s.adjustments)
    for ref in s.references:
        body.add("REF", ref.qualifier, ref.value)
    for amount in s.amounts:
        body.add("AMT", amount.qualifier, amount.amount)
    for quantity in s.quantities:
        body.add("QTY", quantity.qualifier, quantity.quantity)
    for remark in s.remarks:
        body.add("LQ", remark.qualifier, remark.code)


def _plb(body: SegmentList, r: Remittance) -> None:
    entries = r.provider_adjustments
    i = 0
    while i < len(entries):
        key = (entries[i].provider_id, entries[i].fiscal_period_date)
        values: list[Element] = [key[0], date8(key[1])]
        count = 0
        while (
            i < len(entries) and (entries[i].provider_id, entries[i].fiscal_period_date) == key and count < 6
        ):
            e = entries[i]
            values += [(e.reason, e.reference), e.amount]
            i += 1
            count += 1
        body.add("PLB", *values)
