"""Per-transaction summaries of X12 files for `connector x12 inspect` (the stable JSON form, schema 1)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from connector.errors import X12ParseError
from connector.x12.code_check import CodeLists
from connector.x12.model_835 import Remittance
from connector.x12.read_835 import parse_835
from connector.x12.read_ack import parse_277, parse_277ca, parse_999
from connector.x12.tokenizer import Transaction, X12Data, iter_transactions

SCHEMA = "connector.x12.inspect/1"


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def error_dict(err: X12ParseError) -> dict[str, Any]:
    """The JSON form of an X12ParseError."""
    return {
        "message": err.reason,
        "offset": err.offset,
        "segment_number": err.segment_number,
        "segment_id": err.segment_id,
        "element": err.element,
    }


def _envelope(txn: Transaction) -> dict[str, Any]:
    env = txn.envelope
    return {
        "type": env.transaction_set_id,
        "version": env.implementation_reference or env.group_version,
        "interchange_control_number": env.interchange_control_number,
        "group_control_number": env.group_control_number,
        "transaction_control_number": env.transaction_control_number,
        "sender_id": env.sender_id,
        "receiver_id": env.receiver_id,
        "functional_id": env.functional_id,
    }


def _remittance(r: Remittance) -> dict[str, Any]:
    return {
        "payer": {"name": r.payer.name, "id": r.payer.id or r.payer.reference("2U") or ""},
        "payee": {"name": r.payee.name, "npi": r.payee.npi, "tin": r.payee.tin},
        "payment_number": r.trace_number,
        "payment_date": r.payment_date.isoformat() if r.payment_date else None,
        "payment_method": r.payment_method,
        "bpr02": _money(r.payment_amount),
        "claim_count": r.claim_count,
        "sum_clp04": _money(r.total_paid),
        "sum_plb": _money(r.plb_total),
        "balanced": r.balanced,
        "findings": [
            {
                "level": f.level,
                "claim_id": f.claim_id,
                "line_index": f.line_index,
                "expected": _money(f.expected),
                "actual": _money(f.actual),
                "difference": _money(f.difference),
                "message": f.message,
            }
            for f in r.findings
        ],
    }


def _claims_837(txn: Transaction) -> dict[str, Any]:
    total = Decimal(0)
    count = 0
    for seg in txn.segments:
        if seg[0] == "CLM":
            count += 1
            try:
                total += Decimal(seg[2])
            except (IndexError, InvalidOperation):
                raise txn.error("CLM02 is not an amount", txn.segments.index(seg), 2) from None
    return {"claim_count": count, "total_charge": str(total)}


def summarize(txn: Transaction, codes: CodeLists | None = None) -> dict[str, Any]:
    """One transaction's summary (envelope fields plus type-specific figures).

    ``read_findings`` is the transaction's list itself: a later trailer fault (GE, IEA, text after the
    IEA) is added to it by the tokenizer, so it is complete once the file has been read through.
    """
    out = _envelope(txn)
    out["read_findings"] = txn.findings
    kind = txn.envelope.transaction_set_id
    version = out["version"]
    if kind == "835":
        out.update(_remittance(parse_835(txn, codes)))
    elif kind == "837":
        out.update(_claims_837(txn))
    elif kind == "999":
        ack = parse_999(txn)
        out.update(
            {
                "accepted": ack.accepted,
                "group_status": ack.group_status,
                "acknowledged_group": ack.group_control_number,
                "transactions": [
                    {"control_number": t.control_number, "status": t.status, "errors": len(t.segment_errors)}
                    for t in ack.transactions
                ],
            }
        )
    elif kind == "277" and "X212" not in version:
        ca = parse_277ca(txn)
        out.update(
            {
                "claim_count": len(ca.claims),
                "accepted": [c.claim_id for c in ca.claims if c.accepted],
                "rejected": [c.claim_id for c in ca.claims if c.rejected],
            }
        )
    elif kind == "277":
        status = parse_277(txn)
        out.update(
            {
                "claim_count": len(status.claims),
                "claims": [{"claim_id": c.claim_id, "category": c.category} for c in status.claims],
            }
        )
    return out


def inspect_bytes(
    data: X12Data, source: str, *, strict: bool = False, codes: CodeLists | None = None
) -> dict[str, Any]:
    """Summaries of every transaction of one file; ``ok`` false and ``error`` set when it cannot be read.

    Envelope/layout faults and unknown codes are ``read_findings`` of each transaction (``strict``: an
    envelope or layout fault makes the file unreadable, as before). ``codes``: the code lists to check
    835 codes against (``connector.codetables.load_code_lists``).
    """
    transactions: list[dict[str, Any]] = []
    try:
        for txn in iter_transactions(data, source, strict=strict):
            transactions.append(summarize(txn, codes))
    except X12ParseError as err:
        return {"file": source, "ok": False, "error": error_dict(err), "transactions": []}
    for summary in transactions:
        summary["read_findings"] = [f.as_dict() for f in summary["read_findings"]]
    return {"file": source, "ok": True, "error": None, "transactions": transactions}
