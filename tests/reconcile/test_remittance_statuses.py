"""Real-world ERAs through reconciliation: claim-level dates, CLP02 statuses, secondary payers, dental."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from connector.codetables import load_reason_book
from connector.reconcile import reconcile
from connector.x12 import read_835

DOS = "20260302"


def _era(payer: str, payer_id: str, trace: str, claims: list[list[str]], control: str) -> bytes:
    """An 835 file (5010) with these CLP loops; SE01 counted, BPR02 = Σ CLP04."""
    total = sum(Decimal(loop[0].split("*")[4]) for loop in claims)
    body = [
        "ST*835*0001*005010X221A1",
        f"BPR*I*{total}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*888888888*DA*654321*20260320",
        f"TRN*1*{trace}*1512345678",
        f"N1*PR*{payer}*XV*{payer_id}",
        "N1*PE*EXAMPLE CLINIC*XX*1234567893",
        "LX*1",
    ]
    for loop in claims:
        body += loop
    body.append(f"SE*{len(body) + 1}*0001")
    head = [
        f"ISA*00*          *00*          *ZZ*{payer_id:<15}*ZZ*PRACTICE       "
        f"*260320*1200*^*00501*{control}*0*P*:",
        f"GS*HP*{payer_id}*PRACTICE*20260320*1200*{int(control)}*X*005010X221A1",
    ]
    tail = ["GE*1*" + str(int(control)), f"IEA*1*{control}"]
    return ("~\n".join(head + body + tail) + "~\n").encode()


def _claim(cid: str, status: str, charge: str, paid: str, lines: list[str], *extra: str) -> list[str]:
    return [f"CLP*{cid}*{status}*{charge}*{paid}**12*ICN{cid}*11*1", "NM1*QC*1*DOE*JANE****MI*M123",
            *extra, f"DTM*232*{DOS}", f"DTM*233*{DOS}", *lines]  # fmt: skip


def test_claim_dates_statuses_secondary_forwarded_and_denial_rate(models: Any) -> None:
    m = models
    primary = _era("ACME HEALTH", "12345", "EFT100", [
        # lines dated only by the claim (DTM*232/233): must match the PM lines, not show up twice
        _claim("A1", "1", "200.00", "160.00", [
            "SVC*HC:99213*120.00*100.00**1", "CAS*CO*45*20.00", "REF*6R*A1-1",
            "SVC*HC:85025*80.00*60.00**1", "CAS*CO*45*20.00", "REF*6R*A1-2"]),
        # fully denied, claim-level dates only: denied, not partially paid
        _claim("B1", "4", "150.00", "0.00", [
            "SVC*HC:99214*150.00*0.00**1", "CAS*CO*16*150.00", "LQ*HE*M51"]),
        # predetermination: pricing only
        _claim("P1", "25", "900.00", "0.00", ["SVC*HC:27447*900.00*0.00**1", "CAS*CO*45*300.00",
                                             "CAS*OA*101*600.00"]),
        # processed and forwarded to Medicaid (crossover)
        _claim("F1", "19", "100.00", "80.00", ["SVC*HC:99212*100.00*80.00**1", "CAS*CO*45*20.00"],
               "NM1*TT*2*STATE MEDICAID*****PI*77777"),
        # not our claim, forwarded: not a denial
        _claim("X1", "23", "100.00", "0.00", ["SVC*HC:99212*100.00*0.00**1", "CAS*OA*109*100.00"]),
        # dental: SVC01 qualifier AD, ADA code
        _claim("D1", "1", "95.00", "76.00", ["SVC*AD:D1110*95.00*76.00**1", "CAS*CO*45*19.00"]),
        # a local code with a ZZ qualifier: shown as sent, not cut into code + modifier
        _claim("L1", "1", "50.00", "50.00", ["SVC*ZZ:ABC1234*50.00*50.00**1"]),
    ], "000000201")  # fmt: skip
    secondary = _era("SECOND PLAN", "67890", "CHK200", [
        # secondary: the primary paid 80 (CAS 23); this payer owed 100 - 80 = 20
        _claim("S1", "2", "150.00", "20.00", ["SVC*HC:99213*150.00*20.00**1", "CAS*CO*45*50.00",
                                              "CAS*OA*23*80.00"]),
        # secondary that paid 10 of the 20 it owed
        _claim("S2", "2", "150.00", "10.00", ["SVC*HC:99213*150.00*10.00**1", "CAS*CO*45*60.00",
                                              "CAS*OA*23*80.00"]),
    ], "000000202")  # fmt: skip
    remits = [*read_835(primary, "primary.835"), *read_835(secondary, "secondary.835")]
    assert all(r.balanced and not r.read_findings for r in remits)
    old = m.pm_claim("O1", [("O1-1", "99213", "100.00", "80.00")], submitted=m.AS_OF - dt.timedelta(days=90))
    old = dataclasses.replace(old, status="paid")  # the PM says paid, but no ERA explains it
    pm = [
        m.pm_claim("A1", [("A1-1", "99213", "120.00", "100.00"), ("A1-2", "85025", "80.00", "60.00")]),
        m.pm_claim("B1", [("B1-1", "99214", "150.00", "110.00")]),
        m.pm_claim("P1", [("P1-1", "27447", "900.00", "600.00")]),
        m.pm_claim("F1", [("F1-1", "99212", "100.00", "80.00")]),
        m.pm_claim("X1", [("X1-1", "99212", "100.00", "80.00")]),
        m.pm_claim("D1", [("D1-1", "D1110", "95.00", "76.00")]),
        m.pm_claim("L1", [("L1-1", "ABC1234", "50.00", "50.00")]),
        m.pm_claim("S1", [("S1-1", "99213", "150.00", "100.00")]),
        m.pm_claim("S2", [("S2-1", "99213", "150.00", "100.00")]),
        old,
    ]
    result = reconcile(remits, pm, as_of=m.AS_OF, book=load_reason_book())
    rows = {row.claim_id: row for row in result.claims}
    assert {cid: row.category for cid, row in rows.items()} == {
        "A1": "paid_as_expected", "B1": "denied", "P1": "predetermination", "F1": "forwarded",
        "X1": "forwarded", "D1": "paid_as_expected", "L1": "paid_as_expected", "S1": "paid_as_expected",
        "S2": "underpaid", "O1": "missing_era",
    }  # fmt: skip
    lines = {(ln.claim_id, ln.line_id): ln for ln in result.lines}
    assert {k: ln.category for k, ln in lines.items() if k[0] in ("A1", "B1")} == {
        ("A1", "A1-1"): "paid_as_expected", ("A1", "A1-2"): "paid_as_expected", ("B1", "B1-1"): "denied",
    }  # fmt: skip
    assert lines[("L1", "L1-1")].procedure == "ABC1234" and lines[("L1", "L1-1")].modifiers == ()
    assert lines[("P1", "P1-1")].category == "predetermination"
    assert (rows["S2"].expected, rows["S2"].difference) == (Decimal("20.00"), Decimal("-10.00"))
    assert "duplicate_payment" not in rows["S1"].flags
    assert rows["O1"].note == "PM status: paid"
    kpi = {k.name: k.value for k in result.kpis}
    # remitted: A1 B1 F1 X1 D1 L1 S1 S2 (the predetermination and the claim without ERA are not)
    assert kpi["Claims remitted"] == 8
    assert kpi["Denial rate (count)"] == Decimal("12.50")
    discrepancies = result.discrepancies()
    assert not any(cid == "P1" for cid, _line, _cat in discrepancies)
    assert ("X1", "", "forwarded") in discrepancies and ("O1", "", "missing_era") in discrepancies
