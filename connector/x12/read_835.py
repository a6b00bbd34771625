"""835 reader: one Remittance per ST..SE, 5010 (X221A1) and 4010 (X091A1), with balancing findings."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from connector.x12.balance import balance_findings
from connector.x12.model_835 import (
    Adjustment,
    BalanceFinding,
    ClaimPayment,
    Party,
    ProcedureCode,
    ProviderAdjustment,
    Remark,
    Remittance,
    ServiceLine,
)
from connector.x12.model_common import (
    Address,
    AmountEntry,
    Contact,
    DateEntry,
    Name,
    QuantityEntry,
    Reference,
)
from connector.x12.tokenizer import Transaction, X12Data, iter_transactions
from connector.x12.values import cached_date

_PAD = [""] * 25


def read_835(data: X12Data, source: str | None = None) -> Iterator[Remittance]:
    """Yield one Remittance per 835 transaction set in ``data`` (other transaction types are skipped)."""
    transactions = iter_transactions(data, source)
    while True:
        enabled = gc.isenabled()
        gc.disable()  # tokenize and build one transaction without collections; its segment lists die unseen
        try:
            txn = next(transactions, None)
            while txn is not None and txn.envelope.transaction_set_id != "835":
                txn = next(transactions, None)
            if txn is None:
                return
            remit = _parse(txn)
            del txn
        finally:
            if enabled:
                gc.enable()
        yield remit


class _Bad(Exception):
    """Internal: a required element is missing or not a number (index of the element)."""

    def __init__(self, element: int, message: str) -> None:
        super().__init__(message)
        self.element = element
        self.message = message


def _money(seg: list[str], index: int) -> Decimal:
    try:
        return Decimal(seg[index])
    except (InvalidOperation, IndexError):
        value = seg[index] if index < len(seg) else ""
        raise _Bad(index, f"amount expected, found {value!r}") from None


def _opt(text: str) -> Decimal | None:
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


_PROCEDURES: dict[str, ProcedureCode] = {}
_DATE_ENTRIES: dict[tuple[str, str], DateEntry] = {}


def _procedure(text: str, comp: str) -> ProcedureCode:
    """SVC01/SVC06 composite to a (shared, frozen) ProcedureCode; procedure codes repeat a lot."""
    try:
        return _PROCEDURES[text]
    except KeyError:
        pass
    parts = text.split(comp)
    n = len(parts)
    if n == 2:
        code = ProcedureCode(parts[0], parts[1])
    else:
        if n < 7:
            parts += _PAD[: 7 - n]
        code = ProcedureCode(parts[0], parts[1], tuple(m for m in parts[2:6] if m), parts[6])
    if len(_PROCEDURES) > 4096:
        _PROCEDURES.clear()
    _PROCEDURES[text] = code
    return code


def _date_entry(qualifier: str, text: str) -> DateEntry:
    key = (qualifier, text)
    try:
        return _DATE_ENTRIES[key]
    except KeyError:
        if len(_DATE_ENTRIES) > 4096:
            _DATE_ENTRIES.clear()
        entry = _DATE_ENTRIES[key] = DateEntry(qualifier, cached_date(text))
        return entry


def _adjustments(seg: list[str], target: list[Adjustment]) -> None:
    n = len(seg)
    if n < 4 or not seg[1]:
        raise _Bad(1, "CAS needs a group code, a reason code and an amount")
    group = seg[1]
    if n == 4 and seg[2]:
        target.append(Adjustment(group, seg[2], Decimal(seg[3])))
        return
    for k in range(2, min(n, 20), 3):
        reason = seg[k]
        if not reason:
            if k + 1 < n and seg[k + 1]:
                raise _Bad(k, "CAS amount without a reason code")
            continue
        amount = _money(seg, k + 1)
        quantity = _opt(seg[k + 2]) if k + 2 < n else None
        target.append(Adjustment(group, reason, amount, quantity))


def parse_835(txn: Transaction) -> Remittance:
    """Build a Remittance from one 835 transaction; malformed content raises X12ParseError."""
    enabled = gc.isenabled()
    gc.disable()  # the objects of one transaction are acyclic; collecting mid-parse only costs time
    try:
        return _parse(txn)
    finally:
        if enabled:
            gc.enable()


_NUMERIC = {
    "CLP": (3, 4, 5, 12, 13),
    "SVC": (2, 3, 5, 7),
    "CAS": (3, 6, 9, 12, 15, 18),
    "AMT": (2,),
    "QTY": (2,),
}


def _bad_number(seg: list[str]) -> _Bad:
    """Find the element that is not a number (slow path, only after an InvalidOperation)."""
    positions = _NUMERIC.get(seg[0], range(1, len(seg)))
    for k in positions:
        if k < len(seg) and seg[k] and _opt(seg[k]) is None:
            return _Bad(k, f"number expected, found {seg[k]!r}")
    return _Bad(0, "number expected")


def _parse(txn: Transaction) -> Remittance:
    segs = txn.segments
    comp = txn.envelope.delimiters.component
    remit = Remittance(txn.envelope, handling_code="", payment_amount=Decimal(0))
    claims = remit.claims
    party: Party | None = None
    claim: ClaimPayment | None = None
    line: ServiceLine | None = None
    header_number = ""
    seen_bpr = False
    last = len(segs) - 1
    index = 0
    new = object.__new__
    procedures = _PROCEDURES
    date_entries = _DATE_ENTRIES
    try:
        for index in range(1, last):
            seg = segs[index]
            sid = seg[0]
            if sid == "CAS":
                if line is not None:
                    target = line.adjustments
                elif claim is not None:
                    target = claim.adjustments
                else:
                    raise _Bad(0, "CAS outside a claim")
                if len(seg) == 4 and seg[1] and seg[2]:  # the usual single triple, built inline
                    adj = new(Adjustment)
                    adj.group, adj.reason, adj.amount, adj.quantity = seg[1], seg[2], Decimal(seg[3]), None
                    target.append(adj)
                else:
                    _adjustments(seg, target)
            elif sid == "SVC":
                if claim is None:
                    raise _Bad(0, "SVC outside a claim")
                n = len(seg)
                if n < 4 or not seg[1]:
                    raise _Bad(1, "SVC needs a procedure, a charge and a payment")
                # built field by field: several times cheaper than the dataclass __init__ on this hot path
                line = new(ServiceLine)
                line.procedure = procedures.get(seg[1]) or _procedure(seg[1], comp)
                line.charge = Decimal(seg[2])
                line.paid = Decimal(seg[3])
                line.revenue_code = seg[4] if n > 4 else ""
                line.units = _opt(seg[5]) if n > 5 and seg[5] else None
                line.original_procedure = _procedure(seg[6], comp) if n > 6 and seg[6] else None
                line.original_units = _opt(seg[7]) if n > 7 and seg[7] else None
                line.dates, line.adjustments, line.references = [], [], []
                line.amounts, line.quantities, line.remarks = [], [], []
                claim.service_lines.append(line)
            elif sid == "DTM":
                entry = date_entries.get((seg[1], seg[2])) if len(seg) > 2 else None
                if entry is None:
                    entry = _date_entry(seg[1], seg[2] if len(seg) > 2 else "")
                if line is not None:
                    line.dates.append(entry)
                elif claim is not None:
                    claim.dates.append(entry)
                elif seg[1] == "405":
                    remit.production_date = entry.date
            elif sid == "REF":
                e = seg if len(seg) > 2 else seg + _PAD
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
            elif sid == "CLP":
                e = seg + _PAD if len(seg) < 14 else seg
                if not e[1] or not e[3] or not e[4]:
                    raise _Bad(
                        1 if not e[1] else 3 if not e[3] else 4,
                        "CLP needs a claim id, a charge and a payment",
                    )
                line = None
                party = None
                claim = new(ClaimPayment)
                claim.claim_id, claim.status_code = e[1], e[2]
                claim.charge, claim.paid, claim.patient_responsibility = (
                    Decimal(e[3]),
                    Decimal(e[4]),
                    _opt(e[5]),
                )
                claim.filing_indicator, claim.payer_claim_number = e[6], e[7]
                claim.facility_type, claim.frequency_code = e[8], e[9]
                claim.drg_code = e[11]
                claim.drg_weight = _opt(e[12]) if e[12] else None
                claim.discharge_fraction = _opt(e[13]) if e[13] else None
                claim.header_number = header_number
                claim.adjustments, claim.names, claim.dates, claim.contacts = [], [], [], []
                claim.amounts, claim.quantities, claim.references, claim.service_lines = [], [], [], []
                claim.inpatient = claim.outpatient = ()
                claims.append(claim)
            elif sid == "NM1":
                e = seg + _PAD if len(seg) < 10 else seg
                name = new(Name)
                name.entity, name.entity_type, name.last_or_org, name.first = e[1], e[2], e[3], e[4]
                name.middle, name.suffix, name.id_qualifier, name.id = e[5], e[7], e[8], e[9]
                if claim is not None and line is None:
                    claim.names.append(name)
            elif sid == "AMT":
                amount = new(AmountEntry)
                amount.qualifier, amount.amount = seg[1], Decimal(seg[2])
                if line is not None:
                    line.amounts.append(amount)
                elif claim is not None:
                    claim.amounts.append(amount)
            elif sid == "QTY":
                quantity = QuantityEntry(seg[1], Decimal(seg[2]))
                if line is not None:
                    line.quantities.append(quantity)
                elif claim is not None:
                    claim.quantities.append(quantity)
            elif sid == "LQ":
                if line is not None:
                    line.remarks.append(Remark(seg[1], seg[2] if len(seg) > 2 else ""))
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
                _plb(seg, comp, remit.provider_adjustments)
            elif sid == "N1":
                e = seg + _PAD if len(seg) < 5 else seg
                party = Party(e[1], e[2], e[3], e[4])
                if e[1] == "PR":
                    remit.payer = party
                elif e[1] == "PE":
                    remit.payee = party
            elif sid == "N3":
                if party is not None:
                    e = seg + _PAD if len(seg) < 3 else seg
                    party.address = party.address or Address()
                    party.address.line1, party.address.line2 = e[1], e[2]
            elif sid == "N4":
                if party is not None:
                    e = seg + _PAD if len(seg) < 5 else seg
                    party.address = party.address or Address()
                    address = party.address
                    address.city, address.state, address.postal_code, address.country = e[1], e[2], e[3], e[4]
            elif sid == "PER":
                e = seg + _PAD if len(seg) < 9 else seg
                numbers = tuple((e[k], e[k + 1]) for k in (3, 5, 7) if e[k] or e[k + 1])
                contact = Contact(e[1], e[2], numbers)
                if claim is not None:
                    claim.contacts.append(contact)
                elif party is not None:
                    party.contacts.append(contact)
            elif sid == "BPR":
                e = seg + _PAD if len(seg) < 17 else seg
                seen_bpr = True
                remit.handling_code = e[1]
                remit.payment_amount = _money(e, 2)
                remit.credit_debit = e[3]
                remit.payment_method = e[4]
                remit.payment_format = e[5]
                payer_account, payee_account = tuple(e[6:12]), tuple(e[12:16])
                remit.payer_account = payer_account if any(payer_account) else ()
                remit.payee_account = payee_account if any(payee_account) else ()
                remit.payment_date = cached_date(e[16])
            elif sid == "TRN":
                if claim is None:
                    e = seg + _PAD if len(seg) < 5 else seg
                    remit.trace_type, remit.trace_number = e[1], e[2]
                    remit.originating_company_id, remit.originating_company_supplemental = e[3], e[4]
            elif sid in ("ST", "SE", "ISA", "IEA", "GS", "GE"):
                raise _Bad(0, f"unexpected {sid} inside the transaction")
    except _Bad as bad:
        raise txn.error(bad.message, index, bad.element if bad.element else None) from None
    except InvalidOperation:
        number = _bad_number(segs[index])
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


def _plb(seg: list[str], comp: str, target: list[ProviderAdjustment]) -> None:
    e = seg + _PAD if len(seg) < 3 else seg
    provider, fiscal = e[1], cached_date(e[2])
    n = len(seg)
    for k in range(3, n, 2):
        if not seg[k]:
            continue
        reason, _, reference = seg[k].partition(comp)
        target.append(ProviderAdjustment(provider, fiscal, reason, reference, _money(seg, k + 1)))
