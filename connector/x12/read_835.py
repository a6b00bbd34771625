"""835 reader: one Remittance per ST..SE, 5010 (X221A1) and 4010 (X091A1), with balancing findings."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from connector.x12.balance import balance_findings
from connector.x12.model_835 import (
    Adjustment,
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
    for txn in iter_transactions(data, source):
        if txn.envelope.transaction_set_id == "835":
            yield parse_835(txn)


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


def _procedure(text: str, comp: str) -> ProcedureCode:
    parts = text.split(comp)
    parts += _PAD[: 7 - len(parts)] if len(parts) < 7 else []
    mods = tuple(m for m in parts[2:6] if m)
    return ProcedureCode(parts[0], parts[1], mods, parts[6])


def _adjustments(seg: list[str], target: list[Adjustment]) -> None:
    group = seg[1] if len(seg) > 1 else ""
    if not group:
        raise _Bad(1, "CAS without an adjustment group code")
    n = len(seg)
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
    return _parse(txn)


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
    try:
        for index in range(1, last):
            seg = segs[index]
            sid = seg[0]
            if sid == "CAS":
                if line is not None:
                    _adjustments(seg, line.adjustments)
                elif claim is not None:
                    _adjustments(seg, claim.adjustments)
                else:
                    raise _Bad(0, "CAS outside a claim")
            elif sid == "SVC":
                if claim is None:
                    raise _Bad(0, "SVC outside a claim")
                e = seg + _PAD if len(seg) < 8 else seg
                if not e[1]:
                    raise _Bad(1, "SVC01 procedure is empty")
                line = ServiceLine(
                    _procedure(e[1], comp),
                    _money(e, 2),
                    _money(e, 3),
                    e[4],
                    _opt(e[5]),
                    _procedure(e[6], comp) if e[6] else None,
                    _opt(e[7]),
                )
                claim.service_lines.append(line)
            elif sid == "DTM" or sid == "DTP":
                e = seg + _PAD if len(seg) < 3 else seg
                entry = DateEntry(e[1], cached_date(e[2]))
                if line is not None:
                    line.dates.append(entry)
                elif claim is not None:
                    claim.dates.append(entry)
                elif e[1] == "405":
                    remit.production_date = entry.date
            elif sid == "REF":
                e = seg + _PAD if len(seg) < 3 else seg
                ref = Reference(e[1], e[2])
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
                if not e[1]:
                    raise _Bad(1, "CLP01 claim id is empty")
                line = None
                party = None
                claim = ClaimPayment(
                    e[1],
                    e[2],
                    _money(e, 3),
                    _money(e, 4),
                    _opt(e[5]),
                    e[6],
                    e[7],
                    e[8],
                    e[9],
                    e[11],
                    _opt(e[12]),
                    _opt(e[13]),
                    header_number,
                )
                claims.append(claim)
            elif sid == "NM1":
                e = seg + _PAD if len(seg) < 10 else seg
                name = Name(e[1], e[2], e[3], e[4], e[5], e[7], e[8], e[9])
                if claim is not None and line is None:
                    claim.names.append(name)
            elif sid == "AMT":
                amount = AmountEntry(seg[1], _money(seg, 2))
                if line is not None:
                    line.amounts.append(amount)
                elif claim is not None:
                    claim.amounts.append(amount)
            elif sid == "QTY":
                quantity = QuantityEntry(seg[1], _money(seg, 2))
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
                remit.payer_account = tuple(e[6:12])
                remit.payee_account = tuple(e[12:16])
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
    except (IndexError, KeyError, ValueError, AttributeError) as exc:  # safety net: never leak these
        raise txn.error(f"malformed segment ({type(exc).__name__})", index) from None
    if not seen_bpr:
        raise txn.error("835 has no BPR segment", 1)
    remit.findings = balance_findings(remit)
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
