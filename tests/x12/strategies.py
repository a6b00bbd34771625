"""Hypothesis strategies for the X12 models the writers accept (values free of every test delimiter)."""

from __future__ import annotations

import datetime as dt
import string

from hypothesis import strategies as st

from connector.x12.models import (
    Acknowledgement999,
    Address,
    Adjustment,
    AmountEntry,
    ClaimAcknowledgement277CA,
    ClaimPayment,
    ClaimStatus,
    Contact,
    DateEntry,
    Delimiters,
    ElementError,
    Envelope,
    LineStatus,
    Name,
    Party,
    ProcedureCode,
    ProviderAdjustment,
    QuantityEntry,
    Reference,
    Remark,
    Remittance,
    SegmentError,
    ServiceLine,
    StatusInfo,
    TransactionAck,
)

DELIMITER_SETS = [
    Delimiters("*", ":", "^", "~", "\n"),
    Delimiters("|", ">", "!", "\n", ""),
    Delimiters("^", "\\", "{", "'", "\r\n"),
    Delimiters("+", "<", "`", "\x1c", ""),
]
WORD = st.text(string.ascii_uppercase + string.digits + ".-/#&,()", min_size=1, max_size=8)
TEXT = st.lists(WORD, min_size=1, max_size=3).map(" ".join)
OPT_TEXT = st.one_of(st.just(""), TEXT)
CODE = st.text(string.ascii_uppercase + string.digits, min_size=1, max_size=5)
MONEY = st.decimals(min_value=-99999, max_value=99999, places=2, allow_nan=False, allow_infinity=False)
QTY = st.decimals(min_value=0, max_value=9999, places=1, allow_nan=False, allow_infinity=False)
DATE = st.dates(dt.date(1990, 1, 1), dt.date(2099, 12, 31))
OPT_DATE = st.one_of(st.none(), DATE)
EMPTY_ENVELOPE = Envelope("", "", "", "", None, "", "", "", "", "", "", "", None, "", "", "", "")


def _tail_nonempty(items: list[str]) -> tuple[str, ...]:
    while items and not items[-1]:
        items.pop()
    return tuple(items)


names = st.builds(
    Name,
    entity=st.sampled_from(["QC", "IL", "74", "82", "TT", "PR", "PE"]),
    entity_type=st.sampled_from(["1", "2"]),
    last_or_org=TEXT,
    first=OPT_TEXT,
    middle=OPT_TEXT,
    suffix=OPT_TEXT,
    id_qualifier=st.sampled_from(["", "MI", "XX", "HN"]),
    id=OPT_TEXT,
)
references = st.builds(Reference, CODE, TEXT)
adjustments = st.builds(
    Adjustment, st.sampled_from(["CO", "PR", "OA", "PI", "CR"]), CODE, MONEY, st.one_of(st.none(), QTY)
)
procedures = st.builds(
    ProcedureCode,
    st.sampled_from(["HC", "AD", "NU", "N4", "ER"]),
    CODE,
    st.lists(st.text(string.ascii_uppercase + string.digits, min_size=2, max_size=2), max_size=4).map(tuple),
    OPT_TEXT,
)
contacts = st.builds(
    Contact,
    st.sampled_from(["BL", "CX", "IC"]),
    OPT_TEXT,
    st.lists(st.tuples(st.sampled_from(["TE", "EM", "FX", "UR"]), WORD), max_size=3).map(tuple),
)
addresses = st.builds(Address, TEXT, OPT_TEXT, TEXT, CODE, CODE, OPT_TEXT)
lines = st.builds(
    ServiceLine,
    procedure=procedures,
    charge=MONEY,
    paid=MONEY,
    revenue_code=st.one_of(st.just(""), CODE),
    units=st.one_of(st.none(), QTY),
    original_procedure=st.one_of(st.none(), procedures),
    original_units=st.one_of(st.none(), QTY),
    dates=st.lists(st.builds(DateEntry, st.sampled_from(["472", "150", "151"]), OPT_DATE), max_size=2),
    adjustments=st.lists(adjustments, max_size=8),
    references=st.lists(st.builds(Reference, st.sampled_from(["6R", "LU", "6P"]), TEXT), max_size=2),
    amounts=st.lists(st.builds(AmountEntry, st.sampled_from(["B6", "KH"]), MONEY), max_size=2),
    quantities=st.lists(st.builds(QuantityEntry, st.sampled_from(["ZK", "ZL"]), QTY), max_size=1),
    remarks=st.lists(st.builds(Remark, st.sampled_from(["HE", "RX"]), CODE), max_size=2),
)


@st.composite
def claims(draw: st.DrawFn, header_number: str) -> ClaimPayment:
    raw = draw(st.lists(OPT_TEXT, max_size=5))
    return ClaimPayment(
        claim_id=draw(TEXT),
        status_code=draw(st.sampled_from(["1", "2", "3", "4", "19", "22"])),
        charge=draw(MONEY),
        paid=draw(MONEY),
        patient_responsibility=draw(st.one_of(st.none(), MONEY)),
        filing_indicator=draw(st.sampled_from(["", "12", "MB", "CI"])),
        payer_claim_number=draw(OPT_TEXT),
        facility_type=draw(st.sampled_from(["", "11", "13"])),
        frequency_code=draw(st.sampled_from(["", "1", "7"])),
        drg_code=draw(st.one_of(st.just(""), CODE)),
        drg_weight=draw(st.one_of(st.none(), QTY)),
        discharge_fraction=draw(st.one_of(st.none(), QTY)),
        header_number=header_number,
        adjustments=draw(st.lists(adjustments, max_size=7)),
        names=draw(st.lists(names, max_size=3)),
        inpatient=_tail_nonempty(list(raw)),
        outpatient=_tail_nonempty(draw(st.lists(OPT_TEXT, max_size=4))),
        dates=draw(
            st.lists(
                st.builds(DateEntry, st.sampled_from(["232", "233", "050", "036"]), OPT_DATE), max_size=3
            )
        ),
        contacts=draw(st.lists(contacts, max_size=1)),
        amounts=draw(st.lists(st.builds(AmountEntry, st.sampled_from(["AU", "I", "DY"]), MONEY), max_size=2)),
        quantities=draw(st.lists(st.builds(QuantityEntry, st.sampled_from(["CA", "ZK"]), QTY), max_size=1)),
        references=draw(st.lists(references, max_size=2)),
        service_lines=draw(st.lists(lines, max_size=3)),
    )


@st.composite
def parties(draw: st.DrawFn, entity: str) -> Party:
    return Party(
        entity,
        draw(TEXT),
        draw(st.sampled_from(["", "XV", "XX", "FI"])),
        draw(OPT_TEXT),
        draw(st.one_of(st.none(), addresses)),
        draw(st.lists(references, max_size=2)),
        draw(st.lists(contacts, max_size=2)),
    )


@st.composite
def remittances(draw: st.DrawFn) -> Remittance:
    headers = [str(n) for n in range(1, draw(st.integers(1, 3)) + 1)]
    all_claims = [c for h in headers for c in draw(st.lists(claims(h), max_size=3))]
    plb = draw(
        st.lists(
            st.builds(
                ProviderAdjustment,
                WORD,
                OPT_DATE,
                st.sampled_from(["WO", "FB", "L6", "72", "CS"]),
                OPT_TEXT,
                MONEY,
            ),
            max_size=8,
        )
    )
    return Remittance(
        EMPTY_ENVELOPE,
        handling_code=draw(st.sampled_from(["I", "H", "C"])),
        payment_amount=draw(MONEY),
        credit_debit=draw(st.sampled_from(["C", "D"])),
        payment_method=draw(st.sampled_from(["ACH", "CHK", "NON"])),
        payment_format=draw(st.sampled_from(["", "CCP", "CTX"])),
        payer_account=draw(st.one_of(st.just(()), st.tuples(*[OPT_TEXT] * 5, TEXT))),
        payee_account=draw(st.one_of(st.just(()), st.tuples(*[OPT_TEXT] * 3, TEXT))),
        payment_date=draw(OPT_DATE),
        trace_type="1",
        trace_number=draw(TEXT),
        originating_company_id=draw(OPT_TEXT),
        originating_company_supplemental=draw(OPT_TEXT),
        receiver_id=draw(OPT_TEXT),
        version_reference=draw(OPT_TEXT),
        production_date=draw(OPT_DATE),
        payer=draw(parties("PR")),
        payee=draw(parties("PE")),
        provider_summaries=[(h,) for h in headers],
        claims=all_claims,
        provider_adjustments=plb,
    )


element_errors = st.builds(
    ElementError,
    st.integers(1, 30),
    st.one_of(st.none(), st.integers(1, 9)),
    st.one_of(st.just(""), CODE),
    CODE,
    OPT_TEXT,
)
segment_errors = st.builds(
    SegmentError,
    st.sampled_from(["NM1", "CLM", "SV1", "HI"]),
    st.integers(1, 9999),
    OPT_TEXT,
    CODE,
    st.lists(element_errors, max_size=3),
)
transaction_acks = st.builds(
    TransactionAck,
    st.just("837"),
    st.text(string.digits, min_size=4, max_size=9),
    st.sampled_from(["A", "E", "R", "M", "W", "X"]),
    st.sampled_from(["", "005010X222A1", "005010X223A2"]),
    st.lists(CODE, max_size=5).map(tuple),
    st.lists(segment_errors, max_size=3),
)
acknowledgements_999 = st.builds(
    Acknowledgement999,
    st.just(EMPTY_ENVELOPE),
    st.just("HC"),
    st.text(string.digits, min_size=1, max_size=9),
    st.sampled_from(["", "005010X222A1"]),
    st.lists(transaction_acks, max_size=4),
    st.sampled_from(["A", "E", "P", "R"]),
    st.integers(0, 99),
    st.integers(0, 99),
    st.integers(0, 99),
    st.lists(CODE, max_size=5).map(tuple),
)
statuses = st.builds(
    StatusInfo,
    st.sampled_from(["A1", "A2", "A3", "A6", "A7", "A8", "F1", "P1"]),
    st.one_of(st.just(""), CODE),
    st.sampled_from(["", "PR", "85", "QC"]),
    st.sampled_from(["", "RX"]),
    OPT_DATE,
    st.sampled_from(["", "WQ", "U"]),
    st.one_of(st.none(), MONEY),
    st.one_of(st.none(), MONEY),
    OPT_DATE,
    st.sampled_from(["", "ACH", "CHK"]),
    OPT_DATE,
    OPT_TEXT,
    OPT_TEXT,
)
line_statuses = st.builds(
    LineStatus,
    st.tuples(st.sampled_from(["HC", "NU"]), CODE).map(":".join),
    MONEY,
    st.one_of(st.none(), MONEY),
    st.lists(statuses, max_size=2),
    OPT_TEXT,
    OPT_DATE,
)


@st.composite
def claim_statuses(draw: st.DrawFn, provider: Name) -> ClaimStatus:
    start = draw(OPT_DATE)
    end = None if start is None else start + dt.timedelta(days=draw(st.integers(0, 5)))
    patient = draw(
        names.map(lambda n: Name("QC", "1", n.last_or_org, n.first, n.middle, n.suffix, "MI", n.id))
    )
    return ClaimStatus(
        claim_id=draw(TEXT),
        statuses=draw(st.lists(statuses, min_size=1, max_size=3)),
        references=draw(
            st.lists(st.builds(Reference, st.sampled_from(["1K", "D9", "BLT", "EJ"]), TEXT), max_size=3)
        ),
        patient=patient,
        provider=provider,
        service_from=start,
        service_to=end,
        line_statuses=draw(st.lists(line_statuses, max_size=2)),
    )


@st.composite
def acknowledgements_277ca(draw: st.DrawFn) -> ClaimAcknowledgement277CA:
    providers = draw(
        st.lists(
            names.map(lambda n: Name("85", "2", n.last_or_org, id_qualifier="XX", id=n.id or "1")),
            min_size=1,
            max_size=2,
            unique_by=repr,
        )
    )
    claim_list = [c for p in providers for c in draw(st.lists(claim_statuses(p), max_size=3))]
    return ClaimAcknowledgement277CA(
        EMPTY_ENVELOPE,
        reference=draw(TEXT),
        created=draw(DATE),
        information_source=Name("PR", "2", draw(TEXT), id_qualifier="PI", id=draw(WORD)),
        information_receiver=Name("41", "2", draw(TEXT), id_qualifier="46", id=draw(WORD)),
        receipt_date=draw(OPT_DATE),
        process_date=draw(OPT_DATE),
        claims=claim_list,
        summary_statuses=draw(st.lists(statuses, min_size=1, max_size=2)),
    )
