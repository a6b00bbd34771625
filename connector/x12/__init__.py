"""X12 engine: streaming readers for 835/999/277CA/277 and writers for 837P/837I/835/999/277CA.

Pure: takes bytes (or an ``mmap``) and models, returns models and bytes; no files, no settings.

Reading (each reader is a generator that yields one transaction set, ST..SE, at a time)::

    from connector.x12 import read_835
    for remit in read_835(data, source="era.835"):
        remit.trace_number, remit.payment_amount, remit.total_paid, remit.findings
        for claim in remit.claims: ...

``iter_transactions`` yields raw :class:`Transaction` objects (envelope + segments) of any type.
Envelope and layout faults (SE01/GE01/IEA01 counts, trailer control numbers, a short GS, text before the ISA
or after the IEA, a missing last terminator) are read past as :class:`ReadFinding` on ``read_findings``
(each reader takes ``strict=True`` to refuse them instead); so are codes not in the published CARC/RARC/group
lists (``connector.x12.code_check``). What cannot be read without guessing raises
:class:`connector.errors.X12ParseError` (offset, segment number, segment id, element); an 835 that does not
balance is reported in ``Remittance.findings``, never corrected.

Writing (control numbers always come from the caller)::

    from connector.x12 import ControlNumbers, write_837
    data = write_837(batch, control=ControlNumbers(interchange=1, group=1, sender_id=..., receiver_id=...))

``write_835``, ``write_999`` and ``write_277ca`` take one model or a list of them (one ST..SE each,
ST02 counting up from ``control.transaction``). Whatever the writers produce, the readers read back.
Values containing a delimiter, and claims an 837 cannot express, raise ``InputError`` (no PHI in it).

Notes for callers:

- ``ProcedureCode`` and ``DateEntry`` are frozen and shared between lines (the reader caches them).
- 835: claims are written under ``LX`` by ``header_number`` ("1" when empty); a 5010-valid 835 needs a
  payer ``Contact("BL", ...)`` (PER*BL), payer address, ``CLP06``/``CLP07`` and an ``NM1*QC`` per claim.
- 277CA: X214 requires receiver- and provider-level STCs; the writer derives them (A1 when any claim
  was accepted, else A3) when ``summary_statuses`` is empty. ``ClaimStatus.service_to`` reads back equal
  to ``service_from`` for a single date.
- ``validate_837`` returns warnings and raises ``X12ParseError`` for structural faults; code tables live
  in ``connector.x12.codes``; ``connector.x12.inspect.inspect_bytes`` is the ``connector x12 inspect`` JSON.
"""

from __future__ import annotations

from connector.x12.models import (
    ACCEPTED_CATEGORIES,
    REJECTED_CATEGORIES,
    Acknowledgement999,
    Address,
    Adjustment,
    AmountEntry,
    BalanceFinding,
    BillingProvider,
    Claim837,
    ClaimAcknowledgement277CA,
    ClaimBatch837,
    ClaimKind,
    ClaimPayment,
    ClaimStatus,
    ClaimStatusResponse277,
    Contact,
    ControlNumbers,
    DateEntry,
    Delimiters,
    ElementError,
    Envelope,
    LineStatus,
    Name,
    Party,
    Payer,
    Person,
    ProcedureCode,
    Provider,
    ProviderAdjustment,
    QuantityEntry,
    ReadFinding,
    Receiver,
    Reference,
    Remark,
    Remittance,
    SegmentError,
    ServiceLine,
    ServiceLine837,
    StatusInfo,
    Submitter,
    TransactionAck,
)
from connector.x12.read_835 import read_835
from connector.x12.read_ack import read_277, read_277ca, read_999
from connector.x12.tokenizer import Transaction, X12Data, iter_transactions
from connector.x12.validate import validate_837
from connector.x12.write_835 import write_835
from connector.x12.write_837 import write_837
from connector.x12.write_ack import write_277ca, write_999

__all__ = [
    "ACCEPTED_CATEGORIES",
    "REJECTED_CATEGORIES",
    "Acknowledgement999",
    "Address",
    "Adjustment",
    "AmountEntry",
    "BalanceFinding",
    "BillingProvider",
    "Claim837",
    "ClaimAcknowledgement277CA",
    "ClaimBatch837",
    "ClaimKind",
    "ClaimPayment",
    "ClaimStatus",
    "ClaimStatusResponse277",
    "Contact",
    "ControlNumbers",
    "DateEntry",
    "Delimiters",
    "ElementError",
    "Envelope",
    "LineStatus",
    "Name",
    "Party",
    "Payer",
    "Person",
    "ProcedureCode",
    "Provider",
    "ProviderAdjustment",
    "QuantityEntry",
    "ReadFinding",
    "Receiver",
    "Reference",
    "Remark",
    "Remittance",
    "SegmentError",
    "ServiceLine",
    "ServiceLine837",
    "StatusInfo",
    "Submitter",
    "Transaction",
    "TransactionAck",
    "X12Data",
    "iter_transactions",
    "read_277",
    "read_277ca",
    "read_835",
    "read_999",
    "validate_837",
    "write_277ca",
    "write_835",
    "write_837",
    "write_999",
]
