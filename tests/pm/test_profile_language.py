"""The PM profile language: validated keys, constants, defaults, settings, lookups, filters, layouts."""

from __future__ import annotations

import datetime as dt
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from connector.cli import app
from connector.errors import ConfigError, PMExportError
from connector.pm.profile import REQUIRED_FIELDS
from connector.pm.profile_parse import available_profiles, load_profile, parse_profile
from connector.pm.reader import ExportSchemaError, read_export, reconcile_needs
from connector.scrub import ScrubContext, scrub

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pm"
HEADER = "Claim,Line,Patient,DOB,Member,Payer,NPI,TIN,Dx,DOS,CPT,Units,Charge"
ROW = "A1,A1-1,PA1,1970-01-02,M1,87726,1234567893,123456789,E11.9,2026-10-01,99213,1,100.00"
BASE = {
    "claim_id": "Claim",
    "line_id": "Line",
    "patient_id": "Patient",
    "patient_dob": "DOB",
    "member_id": "Member",
    "payer_id": "Payer",
    "billing_npi": "NPI",
    "billing_tin": "TIN",
    "diagnosis_codes": "Dx",
    "service_date": "DOS",
    "procedure_code": "CPT",
    "units": "Units",
    "line_charge": "Charge",
}


def profile(tmp_path: Path, **keys: Any) -> Path:
    """A profile YAML in tmp_path: the BASE columns (overridable) plus the given top-level keys."""
    data: dict[str, Any] = {"name": "test", "columns": {**BASE, **keys.pop("columns", {})}}
    data |= {"constants": {"claim_type": "P"}} | keys
    data["columns"] = {k: v for k, v in data["columns"].items() if v is not None}
    path = tmp_path / "test.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def export(tmp_path: Path, *lines: str, name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_csv_without_claim_type_reads_with_a_constant(tmp_path: Path) -> None:
    pm = read_export(export(tmp_path, HEADER, ROW), str(profile(tmp_path)))
    assert [c.claim_type for c in pm.claims] == ["P"] and pm.line_count == 1


def test_without_claim_type_the_profile_says_how_to_give_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"required fields not mapped: claim_type .*constants"):
        parse_profile({"columns": BASE}, "x.yaml")


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ({"date_fromats": ["iso"]}, "unknown key 'date_fromats' (did you mean 'date_formats'?)"),
        (
            {"constants": {"claim_typ": "P"}},
            "'claim_typ' is not a canonical field (did you mean 'claim_type'?)",
        ),
        ({"columns": {"units": {"column": "Units", "strip_prefx": "U"}}}, "unknown key 'strip_prefx'"),
        ({"where": [{"column": "Dx", "not_inn": ["x"]}]}, "unknown key 'not_inn' (did you mean 'not_in'?)"),
        ({"date_formats": ["us-short"]}, "'us-short' is not a date format (did you mean 'us_short'?)"),
        ({"from_settings": {"billing_npi": "npi"}}, "unknown key 'npi'"),
        (
            yaml.safe_load("lookups: [{file: p.csv, key: Id, on: X, columns: {}}]"),
            "unknown key True (YAML reads",
        ),
    ],
)
def test_unknown_keys_are_refused_naming_the_key(data: dict[str, Any], named: str) -> None:
    merged = {"columns": {**BASE, **data.pop("columns", {})}, "constants": {"claim_type": "P"}} | data
    with pytest.raises(ConfigError) as caught:
        parse_profile(merged, "x.yaml")
    assert named in str(caught.value)


def test_title_rows_above_the_header_and_a_totals_row_below_are_skipped(tmp_path: Path) -> None:
    path = export(
        tmp_path,
        "Charge Detail Report,,,,,,,,,,,,",
        "Printed 2026-11-20 by FRONT DESK,,,,,,,,,,,,",
        "",
        HEADER,
        ROW,
        ROW.replace("A1-1", "A1-2").replace("99213", "36415"),
        ",,,,,,,,,,,Total,200.00",
        "Grand total,,,,,,,,,,,,200.00",
    )
    pm = read_export(path, str(profile(tmp_path)))
    assert pm.row_count == 2 and pm.line_count == 2
    assert [ln.source_row for ln in pm.claims[0].lines] == [5, 6]  # the file's own row numbers


def test_header_row_given_and_a_bad_cell_is_named_by_its_file_row(tmp_path: Path) -> None:
    path = export(tmp_path, "Practice: Elm,,", HEADER, ROW.replace("100.00", "abc"))
    with pytest.raises(ExportSchemaError) as caught:
        read_export(path, str(profile(tmp_path, header_row=2)))
    assert "row 3, column Charge: 'abc' is not an amount" in str(caught.value)


def test_where_filters_and_defaults(tmp_path: Path) -> None:
    head = HEADER + ",Type"
    rows = [
        ROW + ",CHARGE",
        ROW.replace("A1-1", "A1-P") + ",PAYMENT",
        ROW.replace("A1-1", "A1-2") + ",charge",
    ]
    rows[2] = rows[2].replace(",1,100.00", ",,100.00")  # blank units: the default applies
    path = export(tmp_path, head, *rows)
    pm = read_export(
        path, str(profile(tmp_path, where=[{"column": "Type", "in": ["CHARGE"]}], defaults={"units": 1}))
    )
    assert [ln.line_id for ln in pm.claims[0].lines] == ["A1-1", "A1-2"]
    assert pm.claims[0].lines[1].units == Decimal(1)


def test_amount_forms_and_transforms(tmp_path: Path) -> None:
    head = HEADER + ",Name,Ref,Adj"
    rows = [
        ROW.replace("M1", "MBR-778") + ',"Rivera, Sam J",INV-00042 (paper),100.00-',
        ROW.replace("A1-1", "A1-2").replace("M1", "MBR-778") + ',"Rivera, Sam J",INV-00042 (paper),(12.50)',
    ]
    keys = {
        "columns": {
            "member_id": {"column": "Member", "strip_prefix": ["MBR-"]},
            "patient_last_name": {"column": "Name", "split_name": "last"},
            "patient_first_name": {"column": "Name", "split_name": "first"},
            "original_claim_number": {"column": "Ref", "regex": r"INV-(\d+)"},
            "posted_payment": "Adj",
        }
    }
    claim = read_export(export(tmp_path, head, *rows), str(profile(tmp_path, **keys))).claims[0]
    assert claim.patient.member_id == "778" and claim.original_claim_number == "00042"
    assert (claim.patient.last_name, claim.patient.first_name) == ("Rivera", "Sam")
    assert [ln.posted_payment for ln in claim.lines] == [Decimal("-100.00"), Decimal("-12.50")]


def test_named_date_formats(tmp_path: Path) -> None:
    rows = [ROW.replace("1970-01-02", "01/02/1970").replace("2026-10-01", "2026-10-01T08:30:00Z")]
    keys = {"date_formats": ["us", "iso_datetime"]}
    claim = read_export(export(tmp_path, HEADER, *rows), str(profile(tmp_path, **keys))).claims[0]
    assert claim.patient.dob == dt.date(1970, 1, 2) and claim.lines[0].service_date == dt.date(2026, 10, 1)


def test_same_claim_checks_run_after_mapping_and_ignore_blanks(tmp_path: Path) -> None:
    head = HEADER + ",Form"
    rows = [
        ROW.replace("M1", "") + ",Professional",  # member id blank on the first row: filled by the next
        ROW.replace("A1-1", "A1-2") + ",CMS-1500",  # another wording of the same claim type
    ]
    keys = {"constants": {}, "columns": {"claim_type": "Form"}}
    keys["values"] = {"claim_type": {"professional": "P", "cms-1500": "P"}}
    claim = read_export(export(tmp_path, head, *rows), str(profile(tmp_path, **keys))).claims[0]
    assert claim.patient.member_id == "M1" and len(claim.lines) == 2
    rows.append(ROW.replace("A1-1", "A1-3").replace("M1", "M9") + ",P")
    with pytest.raises(ExportSchemaError, match="row 4, column Member: differs from row 2 of the same claim"):
        read_export(export(tmp_path, head, *rows), str(profile(tmp_path, **keys)))


def test_claim_per_row_slots_filled_with_zeros_are_not_lines(tmp_path: Path) -> None:
    slots = ",".join(f"CPT{n},Chg{n},LineDx{n}" for n in (1, 2, 3))
    head = "Claim,Patient,DOB,Member,Payer,NPI,TIN,Dx1,Dx2,DOS," + slots
    row = "K1,PA1,19700102,M1,87726,1234567893,123456789,E119,,20261001,99213,80.00,I10,,0.00,,,0.00,"
    keys = {
        "layout": "claim",
        "max_lines": 3,
        "line_id_template": "{claim_id}-{n}",
        "date_formats": ["compact"],
        "defaults": {"units": 1},
        "columns": {"line_id": None, "units": None, "procedure_code": None, "line_charge": None,
                    "diagnosis_codes": {"join": ["Dx1", "Dx2"]}},
        "line_columns": {"procedure_code": "CPT{n}", "line_charge": "Chg{n}", "diagnosis_code": "LineDx{n}"},
    }  # fmt: skip
    path = export(tmp_path, head, row)
    loose = read_export(
        path,
        str(profile(tmp_path, **keys)),
        needs=reconcile_needs(load_profile(str(profile(tmp_path, **keys)))),
    )
    assert loose.line_count == 3  # without line_present_when a 0.00 slot reads as a line
    keys["line_present_when"] = {"field": "procedure_code", "filled": True}
    claim = read_export(path, str(profile(tmp_path, **keys))).claims[0]
    assert [ln.procedure_code for ln in claim.lines] == ["99213"]
    assert claim.diagnosis_codes == ("E119", "I10") and claim.lines[0].diagnosis_pointers == (2,)


def test_lookups_fill_fields_and_a_missing_lookup_file_is_named(tmp_path: Path) -> None:
    head = HEADER.replace(",DOB", "")
    row = ROW.replace(",1970-01-02", "")
    export(tmp_path, "Id,Birth,Last", "pa1,1970-01-02,RIVERA", name="patients.csv")
    lookup = {"file": "patients.csv", "key": "Id", "export_key": "Patient",
              "columns": {"patient_dob": "Birth", "patient_last_name": "Last"}}  # fmt: skip
    path = profile(tmp_path, lookups=[lookup], columns={"patient_dob": None})
    claim = read_export(export(tmp_path, head, row), str(path)).claims[0]
    assert claim.patient.dob == dt.date(1970, 1, 2) and claim.patient.last_name == "RIVERA"
    (tmp_path / "patients.csv").unlink()
    with pytest.raises(PMExportError, match=r"lookup patients.csv: file not found next to export.csv"):
        read_export(export(tmp_path, head, row), str(path))


def test_settings_fields_need_an_account_only_when_asked_for(tmp_path: Path) -> None:
    head, row = HEADER.replace(",NPI,TIN", ""), ROW.replace(",1234567893,123456789", "")
    keys = {"columns": {"billing_npi": None, "billing_tin": None},
            "from_settings": {"billing_npi": "practice_npi", "billing_tin": "practice_tin"}}  # fmt: skip
    path, data = str(profile(tmp_path, **keys)), export(tmp_path, head, row)
    with pytest.raises(ConfigError, match=r"billing_npi comes from the account's settings \(practice_npi\)"):
        read_export(data, path)
    claim = read_export(
        data, path, practice={"practice_npi": "1234567893", "practice_tin": "123456789"}
    ).claims[0]
    assert (claim.billing.npi, claim.billing.tin) == ("1234567893", "123456789")
    assert read_export(data, path, needs=reconcile_needs(load_profile(path))).claims[0].billing.npi == ""


def test_reconcile_asks_only_for_ids_dates_codes_and_charges(tmp_path: Path) -> None:
    head, row = "Claim,DOS,CPT,Charge", "A1,2026-10-01,99213,100.00"
    kept = {"claim_id", "service_date", "procedure_code", "line_charge"}
    keys = {
        "columns": {f: None for f in BASE if f not in kept},
        "line_id_template": "{claim_id}-{n}",
        "absent": sorted(REQUIRED_FIELDS - kept - {"claim_type", "line_id"}),
    }
    path = str(profile(tmp_path, **keys))
    pm = read_export(export(tmp_path, head, row), path, needs=reconcile_needs(load_profile(path)))
    assert pm.claims[0].lines[0].line_id == "A1-1" and pm.claims[0].lines[0].charge == Decimal("100.00")
    report = scrub(pm.claims, ScrubContext(today=dt.date(2026, 11, 20), absent_fields=pm.absent))
    absent = [f.message for f in report.findings if f.rule_id == "FIELD-NOT-IN-EXPORT"]
    assert len(absent) == len(pm.absent) and report.held_ids == {"A1"}
    assert any(m.endswith(": patient dob") for m in absent)


def test_override_profiles_are_listed_with_the_shipped_ones(tmp_path: Path) -> None:
    (tmp_path / "pm").mkdir()
    (tmp_path / "pm" / "ourpm.yaml").write_text(profile(tmp_path).read_text())
    assert {"ourpm", "generic", "openemr", "synthea", "desynpuf-carrier"} <= set(available_profiles(tmp_path))
    result = CliRunner().invoke(app, ["pm", "profiles", "--mappings", str(tmp_path)])
    assert result.exit_code == 0 and "ourpm                override" in result.output
    unknown = CliRunner().invoke(app, ["claims", "scrub", str(FIXTURES / "generic_sample.csv"), "-p", "nope",
                                       "--mappings", str(tmp_path)])  # fmt: skip
    assert unknown.exit_code == 2 and "ourpm" in unknown.output
    (tmp_path / "eras").mkdir()
    reconcile = CliRunner().invoke(app, ["reconcile", "--era", str(tmp_path / "eras"), "--pm", str(FIXTURES /
                                   "generic_sample.csv"), "--out", str(tmp_path / "r.xlsx"), "--profile",
                                   "ourpm", "--mappings", str(tmp_path)])  # fmt: skip
    assert reconcile.exit_code == 2 and "column for" in reconcile.output  # ourpm read (and refused) it


def test_pm_check_shows_sources_samples_and_failing_rows(tmp_path: Path) -> None:
    path = export(tmp_path, HEADER, ROW, ROW.replace("A1-1", "A1-2").replace("2026-10-01", "10/01/2026"))
    result = CliRunner().invoke(app, ["pm", "check", str(path), "--profile", str(profile(tmp_path))])
    assert result.exit_code == 1, result.output
    out = result.output
    assert "claim_type             constant 'P'" in out and "e.g. 99213" in out
    assert "e.g. (1 values, not shown: PHI)" in out  # date of birth is never printed
    assert "row 3, column DOS: not a date in the format YYYY-MM-DD" in out


def test_pm_init_drafts_a_profile_that_reads_the_export(tmp_path: Path) -> None:
    out = tmp_path / "officeledger-draft.yaml"
    result = CliRunner().invoke(
        app, ["pm", "init", str(FIXTURES / "officeledger_sample.csv"), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert 'claim_id: "Encounter #"' in text and "date_formats: [us]" in text and len(text.splitlines()) < 60
    draft = read_export(FIXTURES / "officeledger_sample.csv", str(out))
    shipped = read_export(FIXTURES / "officeledger_sample.csv", "officeledger")
    assert [c.claim_id for c in draft.claims] == [c.claim_id for c in shipped.claims]
    assert draft.line_count == shipped.line_count


def test_pm_init_on_a_claim_per_row_export_finds_the_slots(tmp_path: Path) -> None:
    text = CliRunner().invoke(app, ["pm", "init", str(FIXTURES / "clinicsuite_sample.csv")]).output
    assert "layout: claim" in text and 'procedure_code: "CPT{n}"' in text and "max_lines: 6" in text
    assert 'claim_type: {"CMS1500": P, "UB04": I}' in text
    assert textwrap.dedent(text).count("\n") < 60
