"""Reconciliation rules on hand-built remittances: netting, PLB allocation, denials, keys, fallbacks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from connector.codetables import load_code_table
from connector.reconcile.keys import claim_key, split_fused
from connector.x12.models import AmountEntry, Name, ProcedureCode, ProviderAdjustment, Remark
from tests.reconcile.book import reconcile

D = Decimal


def by_id(result: Any) -> dict[str, Any]:
    return {c.claim_id: c for c in result.claims}


def test_claim_number_normalisation() -> None:
    assert claim_key(" 000ab 12\t") == "AB12"
    assert claim_key("0000") == "0"
    assert claim_key("") == ""


def test_fused_modifiers_are_split() -> None:
    assert split_fused("9921325", ()) == ("99213", ("25",))
    assert split_fused("99213-25-59", ()) == ("99213", ("25", "59"))
    assert split_fused("93000", ("2659",)) == ("93000", ("26", "59"))


def test_reversal_and_correction_net_to_the_correction(models: Any) -> None:
    m = models
    pm = m.pm_claim("A1", [("A1-1", "99213", "100.00", "80.00")])
    original = m.clp("A1", "1", [m.era_line("A1-1", "99213", "100.00", "60.00", allowed="60.00",
                                            cas=[("CO", "45", "40.00")])])  # fmt: skip
    reversal = m.clp("A1", "22", [m.era_line("A1-1", "99213", "-100.00", "-60.00", allowed="-60.00",
                                             cas=[("CO", "45", "-40.00")])])  # fmt: skip
    corrected = m.clp("A1", "1", [m.era_line("A1-1", "99213", "100.00", "80.00", allowed="80.00",
                                             cas=[("CO", "45", "20.00")])], icn="ICN2")  # fmt: skip
    first = m.remit("T1", [original], day=dt.date(2026, 3, 5))
    later = m.remit("T2", [reversal, corrected], day=dt.date(2026, 3, 19), control="000000002")
    result = reconcile([first, later], [pm], as_of=m.AS_OF)
    claim = by_id(result)["A1"]
    assert claim.paid == D("80.00")  # 60 − 60 + 80
    assert claim.category == "paid_as_expected" and "reversed" in claim.flags
    assert [ln.category for ln in result.lines] == ["paid_as_expected"]
    assert result.discrepancies() == {("A1", "", "reversed")}
    assert result.tie_out.ties


def test_reversal_without_correction_stands_reversed(models: Any) -> None:
    m = models
    pm = m.pm_claim("A2", [("A2-1", "99213", "100.00", "80.00")])
    paid = m.clp("A2", "1", [m.era_line("A2-1", "99213", "100.00", "80.00", cas=[("CO", "45", "20.00")])])
    back = m.clp("A2", "22", [m.era_line("A2-1", "99213", "-100.00", "-80.00", cas=[("CO", "45", "-20.00")])])
    result = reconcile(
        [m.remit("T1", [paid]), m.remit("T2", [back], control="000000002")], [pm], as_of=m.AS_OF
    )
    claim = by_id(result)["A2"]
    assert claim.category == "reversed" and claim.paid == 0


def test_recoupment_names_its_claim_by_reference_or_payer_claim_number(models: Any) -> None:
    m = models
    pms = [m.pm_claim(c, [(f"{c}-1", "99213", "100.00", "80.00")]) for c in ("B1", "B2", "B3")]
    claims = [m.clp(c, "1", [m.era_line(f"{c}-1", "99213", "100.00", "80.00", cas=[("CO", "45", "20.00")])],
                    icn=f"99{i}") for i, c in enumerate(("B1", "B2", "B3"))]  # fmt: skip
    plb = [
        ProviderAdjustment("1234567893", None, "WO", "B1", D("80.00")),
        ProviderAdjustment("1234567893", None, "FB", "991", D("10.00")),  # the payer claim number of B2
        ProviderAdjustment("1234567893", None, "L6", "B3 INTEREST", D("-2.50")),
        ProviderAdjustment("1234567893", None, "CS", "", D("1.00")),
    ]
    result = reconcile([m.remit("T1", claims, plb=plb)], pms, as_of=m.AS_OF)
    rows = by_id(result)
    assert rows["B1"].recouped == D("80.00") and "recouped" in rows["B1"].flags
    assert rows["B2"].recouped == D("10.00") and "recouped" in rows["B2"].flags
    assert rows["B3"].interest == D("2.50") and "interest" in rows["B3"].flags
    named = {(p.reason, p.claim_id) for p in result.provider_adjustments}
    assert named == {("WO", "B1"), ("FB", "B2"), ("L6", "B3"), ("CS", "")}
    assert result.tie_out.ties and result.tie_out.payment_amount == D("240.00") - D("88.50")


def test_denial_comes_from_carc_not_clp02(models: Any) -> None:
    m = models
    pm = m.pm_claim("C1", [("C1-1", "99213", "100.00", "80.00")])
    # CLP02=1 (processed as primary) but the only line is adjusted away for CO-16: a denial.
    era = m.clp("C1", "1", [m.era_line("C1-1", "99213", "100.00", "0.00", allowed="0.00",
                                       cas=[("CO", "16", "100.00")])])  # fmt: skip
    era.service_lines[0].remarks.append(Remark("HE", "M51"))
    # CLP02=4 with nothing but contractual and the patient's deductible: not a denial.
    pm2 = m.pm_claim("C2", [("C2-1", "99213", "100.00", "80.00")])
    ded = m.clp("C2", "4", [m.era_line("C2-1", "99213", "100.00", "0.00", allowed="80.00",
                                       cas=[("CO", "45", "20.00"), ("PR", "1", "80.00")])])  # fmt: skip
    result = reconcile([m.remit("T1", [era, ded])], [pm, pm2], as_of=m.AS_OF)
    rows = by_id(result)
    assert rows["C1"].category == "denied"
    assert rows["C2"].category == "patient_responsibility"
    [group] = result.denials
    assert (group.group, group.code, group.amount, group.remarks) == ("CO", "16", D("100.00"), ("M51",))
    assert group.next_action == "corrected claim"
    assert group.description == load_code_table("carc").codes["16"]
    [reason] = by_id(result)["C1"].reasons
    assert reason.remark_text.startswith("M51: ") and len(reason.remark_text) > len("M51: ")


def test_forwarded_by_status_or_crossover_name(models: Any) -> None:
    m = models
    pms = [m.pm_claim(c, [(f"{c}-1", "99213", "100.00", "80.00")]) for c in ("F1", "F2")]
    f1 = m.clp("F1", "19", [m.era_line("F1-1", "99213", "100.00", "80.00", cas=[("CO", "45", "20.00")])])
    f2 = m.clp("F2", "1", [m.era_line("F2-1", "99213", "100.00", "80.00", cas=[("CO", "45", "20.00")])])
    f2.names.append(Name("TT", "2", "STATE MEDICAID"))
    rows = by_id(reconcile([m.remit("T1", [f1, f2])], pms, as_of=m.AS_OF))
    assert rows["F1"].category == rows["F2"].category == "forwarded"
    assert rows["F2"].forwarded_to == "STATE MEDICAID"


def test_line_matching_without_line_ids(models: Any) -> None:
    m = models
    pm = m.pm_claim("00D1", [("D1-1", "99213", "100.00", "80.00"), ("D1-2", "93000", "50.00", "30.00")],
                    modifiers=("25",))  # fmt: skip
    restated = m.era_line(None, "99212", "100.00", "80.00", cas=[("CO", "45", "20.00")],
                          original=ProcedureCode("HC", "9921325"))  # fmt: skip
    fused = m.era_line(None, "93000", "55.00", "30.00", modifiers=("25",), cas=[("CO", "45", "25.00")])
    result = reconcile([m.remit("T1", [m.clp("d1", "1", [fused, restated])])], [pm], as_of=m.AS_OF)
    lines = {ln.line_id: ln for ln in result.lines}
    assert lines["D1-1"].match == "procedure_date_charge" and lines["D1-1"].restated_procedure == "99212"
    assert lines["D1-2"].match == "procedure_date" and "charge_mismatch" in lines["D1-2"].flags
    assert by_id(result)["00D1"].match == "claim_number"


def test_fallback_claim_match_by_patient_date_charge_is_flagged_weaker(models: Any) -> None:
    m = models
    pm = m.pm_claim("E1", [("E1-1", "99213", "100.00", "80.00")])
    era = m.clp(
        "PAYER-SAYS-X9", "1", [m.era_line("E1-1", "99213", "100.00", "80.00", cas=[("CO", "45", "20.00")])]
    )
    result = reconcile([m.remit("T1", [era])], [pm], as_of=m.AS_OF)
    [row] = result.claims
    assert row.claim_id == "E1" and row.match == "patient_date_charge" and row.category == "paid_as_expected"


def test_underpaid_within_tolerance_is_paid_as_expected(models: Any) -> None:
    m = models
    pm = m.pm_claim("G1", [("G1-1", "99213", "100.00", "80.00")])
    era = m.clp("G1", "1", [m.era_line("G1-1", "99213", "100.00", "79.75", cas=[("CO", "45", "20.25")])])
    remit = m.remit("T1", [era])
    assert reconcile([remit], [pm], as_of=m.AS_OF).lines[0].category == "underpaid"
    assert (
        reconcile([remit], [pm], as_of=m.AS_OF, tolerance=D("0.25")).lines[0].category == "paid_as_expected"
    )


def test_duplicate_payment_and_duplicate_file(models: Any) -> None:
    m = models
    pm = m.pm_claim("H1", [("H1-1", "99213", "100.00", "80.00")])
    line = m.era_line("H1-1", "99213", "100.00", "80.00", cas=[("CO", "45", "20.00")])
    first = m.remit("T1", [m.clp("H1", "1", [line])])
    again = m.remit("T2", [m.clp("H1", "1", [line])], control="000000002")
    same_file_twice = m.remit("T1", [m.clp("H1", "1", [line])])
    result = reconcile([first, again, same_file_twice], [pm], as_of=m.AS_OF)
    row = by_id(result)["H1"]
    assert "duplicate_payment" in row.flags and row.paid == D("160.00")
    assert len(result.excluded_duplicates) == 1 and result.tie_out.ties


def test_missing_era_ages_and_claim_interest(models: Any) -> None:
    m = models
    old = m.pm_claim("J1", [("J1-1", "99213", "100.00", None)], submitted=m.AS_OF - dt.timedelta(days=75))
    new = m.pm_claim("J2", [("J2-1", "99213", "100.00", None)], submitted=m.AS_OF - dt.timedelta(days=5))
    paid = m.pm_claim("J3", [("J3-1", "99213", "100.00", None)])
    era = m.clp("J3", "1", [m.era_line("J3-1", "99213", "100.00", "81.00", cas=[("CO", "45", "19.00")])])
    era.amounts.append(AmountEntry("I", D("1.00")))
    result = reconcile([m.remit("T1", [era])], [old, new, paid], as_of=m.AS_OF, aging_days=30)
    rows = by_id(result)
    assert (rows["J1"].category, rows["J1"].age_days, rows["J1"].aging_bucket) == ("missing_era", 75, "61-90")
    assert rows["J2"].category == "awaiting_era"
    assert rows["J3"].interest == D("1.00") and "interest" in rows["J3"].flags
    assert result.aging["61-90"] == (1, D("100.00")) and result.aging["0-30"] == (1, D("100.00"))
    assert result.discrepancies() == {("J1", "", "missing_era"), ("J3", "", "interest")}


def test_fee_schedule_gives_the_contracted_amount(models: Any) -> None:
    from connector.reconcile.fees import read_fee_schedule

    m = models
    fees = read_fee_schedule("procedure_code,modifiers,amount\n99213,,80.00\n99213,25,90.00\n")
    assert fees == {"99213": D("80.00"), "99213:25": D("90.00")}
    plain = m.pm_claim("K1", [("K1-1", "99213", "100.00", None)])
    with25 = m.pm_claim("K2", [("K2-1", "99213", "100.00", None)], modifiers=("25",))
    eras = [m.clp(c, "1", [m.era_line(f"{c}-1", "99213", "100.00", "80.00", modifiers=mods,
                                      cas=[("CO", "45", "20.00")])])
            for c, mods in (("K1", ()), ("K2", ("25",)))]  # fmt: skip
    result = reconcile([m.remit("T1", eras)], [plain, with25], as_of=m.AS_OF, fee_schedule=fees)
    lines = {ln.claim_id: ln for ln in result.lines}
    assert (lines["K1"].expected, lines["K1"].category) == (D("80.00"), "paid_as_expected")
    assert (lines["K2"].expected, lines["K2"].category, lines["K2"].difference) == (
        D("90.00"),
        "underpaid",
        D("-10.00"),
    )
    unpriced = reconcile([m.remit("T1", eras)], [plain, with25], as_of=m.AS_OF)
    assert {ln.expected for ln in unpriced.lines} == {None}
    assert {ln.category for ln in unpriced.lines} == {"paid_as_expected"}
