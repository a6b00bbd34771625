"""835 reader: one Remittance per ST..SE, 5010 (X221A1) and 4010 (X091A1), with balancing findings."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from connector.x12.balance import balance_findings
from connector.x12.code_check import CodeLists, code_findings
from connector.x12.elements_835 import (
    DATE_ENTRIES,
    DECIMALS,
    PAD,
    PROCEDURES,
    Bad,
    adjustments,
    bad_number,
    date_entry,
    decimal,
    money,
    opt,
    plb,
    procedure,
)
from connector.x12.model_835 import (
    Adjustment,
    BalanceFinding,
    ClaimPayment,
    Party,
    Remark,
    Remittance,
    ServiceLine,
)
from connector.x12.model_common import (
    Address,
    AmountEntry,
    Contact,
    Name,
    QuantityEntry,
    Reference,
)
from connector.x12.tokenizer import Transaction, X12Data, iter_transactions
from connector.x12.values import cached_date

RELEASED: list[str] = [""]
"""What a segment read and dropped is replaced by (``_parse(release=True)``)."""


def read_835(
    data: X12Data, source: str | None = None, *, strict: bool = False, codes: CodeLists | None = None
) -> Iterator[Remittance]:
    """Yield one Remittance per 835 transaction set in ``data`` (other transaction types are skipped).

    Envelope and layout faults, and (when ``codes`` is given: ``connector.codetables.load_code_lists``)
    codes not in the published lists, are ``Remittance.read_findings``; ``strict`` refuses envelope and
    layout faults (X12ParseError) as before. Balancing stays ``Remittance.findings``.
    """
    transactions = iter_transactions(data, source, strict=strict)
    while True:
        enabled = gc.isenabled()
        gc.disable()  # tokenize and build one transaction without collections; its segment lists die unseen
        try:
            txn = next(transactions, None)
            while txn is not None and txn.envelope.transaction_set_id != "835":
                txn = next(transactions, None)
            if txn is None:
                return
            remit = _parse(txn, release=True)
            del txn
            if codes is not None:
                remit.read_findings.extend(code_findings(remit, codes))
        finally:
            if enabled:
                gc.enable()
        yield remit


def parse_835(txn: Transaction, codes: CodeLists | None = None) -> Remittance:
    """Build a Remittance from one 835 transaction; malformed content raises X12ParseError."""
    enabled = gc.isenabled()
    gc.disable()  # the objects of one transaction are acyclic; collecting mid-parse only costs time
    try:
        remit = _parse(txn)
        if codes is not None:
            remit.read_findings.extend(code_findings(remit, codes))
    finally:
        if enabled:
            gc.enable()
    return remit


def _parse(txn: Transaction, release: bool = False) -> Remittance:
    """The transaction's Remittance. ``release``: each segment's list is dropped from ``txn.segments`` once
    the next is read (the caller holds the transaction no longer): one big remittance's segments go as its
    models grow, not after (an error still names the segment being read)."""
    segs = txn.segments
    comp = txn.envelope.delimiters.component
    remit = Remittance(txn.envelope, handling_code="", payment_amount=Decimal(0))
    remit.read_findings = txn.findings
    claims = remit.claims
    party: Party | None = None
    claim: ClaimPayment | None = None
    line: ServiceLine | None = None
    header_number = ""
    seen_bpr = False
    last = len(segs) - 1
    index = 0
    new = object.__new__
    procedures = PROCEDURES.setdefault(comp, {})
    date_entries = DATE_ENTRIES
    decimals = DECIMALS
    try:
        for index in range(1, last):
            seg = segs[index]
            if release:
                segs[index - 1] = RELEASED
            sid = seg[0]
            if sid == "CAS":
                if line is not None:
                    target = line.adjustments
                elif claim is not None:
                    target = claim.adjustments
                else:
                    raise Bad(0, "CAS outside a claim")
                if len(seg) == 4 and seg[1] and seg[2]:  # the usual single triple, built inline
                    adj = new(Adjustment)
                    t = seg[3]
                    adj.group, adj.reason, adj.quantity = seg[1], seg[2], None
                    adj.amount = decimals[t] if t in decimals else decimal(t)
                    target.append(adj)
                else:
                    adjustments(seg, target)
            elif sid == "DTM":
                entry = date_entries.get((seg[1], seg[2])) if len(seg) > 2 else None
                if entry is None:
                    entry = date_entry(seg[1], seg[2] if len(seg) > 2 else "")
                if line is not None:
                    line.dates.append(entry)
                elif claim is not None:
                    claim.dates.append(entry)
                elif seg[1] == "405":
                    remit.production_date = entry.date
            elif sid == "SVC":
                if claim is None:
                    raise Bad(0, "SVC outside a claim")
                n = len(seg)
                if n < 4 or not seg[1]:
                    raise Bad(1, "SVC needs a procedure, a charge and a payment")
                # built field by field: several times cheaper than the dataclass __init__ on this hot path
                line = new(ServiceLine)
                line.procedure = procedures.get(seg[1]) or procedure(seg[1], comp)
                t = seg[2]
                line.charge = decimals[t] if t in decimals else decimal(t)
                t = seg[3]
                line.paid = decimals[t] if t in decimals else decimal(t)
                line.revenue_code = seg[4] if n > 4 else ""
                line.units = opt(seg[5]) if n > 5 and seg[5] else None
                line.original_procedure = procedure(seg[6], comp) if n > 6 and seg[6] else None
                line.original_units = opt(seg[7]) if n > 7 and seg[7] else None
                line.dates, line.adjustments, line.references = [], [], []
                line.amounts, line.quantities, line.remarks = [], [], []
                line.claim_dates = claim.dates
                claim.service_lines.append(line)
            elif sid == "REF":
                e = seg if len(seg) > 2 else seg + PAD
                ref = new(Reference)
                ref.qualifier, ref.value = e[1], e[2]
                if line is not None:
                    line.references.append(ref)
                elif claim is not None:
                    claim.references.append(ref)
                elif party is not None:
                    party.references.append(ref)
                elif e[1] == "EV":
                    remit.receiver_id = e[2]
                elif e[1] == "F2":
                    remit.version_reference = e[2]
            elif sid == "AMT":
                amount = new(AmountEntry)
                t = seg[2]
                amount.qualifier = seg[1]
                amount.amount = decimals[t] if t in decimals else decimal(t)
                if line is not None:
                    line.amounts.append(amount)
                elif claim is not None:
                    claim.amounts.append(amount)
            elif sid == "NM1":
                e = seg + PAD if len(seg) < 10 else seg
                name = new(Name)
                name.entity, name.entity_type, name.last_or_org, name.first = e[1], e[2], e[3], e[4]
                name.middle, name.suffix, name.id_qualifier, name.id = e[5], e[7], e[8], e[9]
                if claim is not None and line is None:
                    claim.names.append(name)
            elif sid == "CLP":
                e = seg + PAD if len(seg) < 14 else seg
                if not e[1] or not e[3] or not e[4]:
                    raise Bad(
                        1 if not e[1] else 3 if not e[3] else 4,
                        "CLP needs a claim id, a charge and a payment",
                    )
                line = None
                party = None
                claim = new(ClaimPayment)
                claim.claim_id, claim.status_code = e[1], e[2]
                claim.charge, claim.paid, claim.patient_responsibility = (
                    decimal(e[3]),
                    decimal(e[4]),
                    opt(e[5]),
                )
                claim.filing_indicator, claim.payer_claim_number = e[6], e[7]
                claim.facility_type, claim.frequency_code = e[8], e[9]
                claim.drg_code = e[11]
                claim.drg_weight = opt(e[12]) if e[12] else None
                claim.discharge_fraction = opt(e[13]) if e[13] else None
                claim.header_number = header_number
                claim.adjustments, claim.names, claim.dates, claim.contacts = [], [], [], []
                claim.amounts, claim.quantities, claim.references, claim.service_lines = [], [], [], []
                claim.inpatient = claim.outpatient = ()
                claims.append(claim)
            elif sid == "LQ":
                if line is not None:
                    line.remarks.append(Remark(seg[1], seg[2] if len(seg) > 2 else ""))
            elif sid == "QTY":
                quantity = QuantityEntry(seg[1], decimal(seg[2]))
                if line is not None:
                    line.quantities.append(quantity)
                elif claim is not None:
                    claim.quantities.append(quantity)
            elif sid == "MIA":
                if claim is not None:
                    claim.inpatient = tuple(seg[1:])
            elif sid == "MOA":
                if claim is not None:
                    claim.outpatient = tuple(seg[1:])
            elif sid == "LX":
                claim = None
                line = None
                party = None
                header_number = seg[1] if len(seg) > 1 else ""
                remit.provider_summaries.append((header_number,))
            elif sid == "TS3" or sid == "TS2":
                if remit.provider_summaries and claim is None:
                    remit.provider_summaries[-1] = (*remit.provider_summaries[-1], *seg)
            elif sid == "PLB":
                claim = None
                line = None
                party = None
                plb(seg, comp, remit.provider_adjustments)
            elif sid == "N1":
                e = seg + PAD if len(seg) < 5 else seg
                party = Party(e[1], e[2], e[3], e[4])
                if e[1] == "PR":
                    remit.payer = party
                elif e[1] == "PE":
                    remit.payee = party
            elif sid == "N3":
                if party is not None:
                    e = seg + PAD if len(seg) < 3 else seg
                    party.address = party.address or Address()
                    party.address.line1, party.address.line2 = e[1], e[2]
            elif sid == "N4":
                if party is not None:
                    e = seg + PAD if len(seg) < 5 else seg
                    party.address = party.address or Address()
                    address = party.address
                    address.city, address.state, address.postal_code, address.country = e[1], e[2], e[3], e[4]
            elif sid == "PER":
                e = seg + PAD if len(seg) < 9 else seg
                numbers = tuple((e[k], e[k + 1]) for k in (3, 5, 7) if e[k] or e[k + 1])
                contact = Contact(e[1], e[2], numbers)
                if claim is not None:
                    claim.contacts.append(contact)
                elif party is not None:
                    party.contacts.append(contact)
            elif sid == "BPR":
                e = seg + PAD if len(seg) < 17 else seg
                seen_bpr = True
                remit.handling_code = e[1]
                remit.payment_amount = money(e, 2)
                remit.credit_debit = e[3]
                remit.payment_method = e[4]
                remit.payment_format = e[5]
                payer_account, payee_account = tuple(e[6:12]), tuple(e[12:16])
                remit.payer_account = payer_account if any(payer_account) else ()
                remit.payee_account = payee_account if any(payee_account) else ()
                remit.payment_date = cached_date(e[16])
            elif sid == "TRN":
                if claim is None:
                    e = seg + PAD if len(seg) < 5 else seg
                    remit.trace_type, remit.trace_number = e[1], e[2]
                    remit.originating_company_id, remit.originating_company_supplemental = e[3], e[4]
            elif sid in ("ST", "SE", "ISA", "IEA", "GS", "GE"):
                raise Bad(0, f"unexpected {sid} inside the transaction")
    except Bad as bad:
        raise txn.error(bad.message, index, bad.element if bad.element else None) from None
    except InvalidOperation:
        number = bad_number(segs[index])
        raise txn.error(number.message, index, number.element if number.element else None) from None
    except (IndexError, KeyError, ValueError, AttributeError) as exc:  # safety net: never leak these
        raise txn.error(f"malformed segment ({type(exc).__name__})", index) from None
    remit.findings = balance_findings(remit)
    if not seen_bpr:
        missing = BalanceFinding(
            "transaction", "the 835 has no BPR segment (no payment amount)", remit.total_paid, Decimal(0)
        )
        remit.findings.insert(0, missing)
    return remit
