"""The PM schedule export: both profiles, CSV and XLSX, all-or-nothing shape check, unusable rows kept."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]

from connector.errors import ConfigError
from connector.pm.schedule import (
    ExportSchemaError,
    available_schedule_profiles,
    load_schedule_profile,
    read_schedule,
)

HEADER = "appointment_id,appointment_date,appointment_time,patient_id,patient_last_name,patient_first_name,"
HEADER += "patient_dob,patient_sex,member_id,payer_id,payer_name,rendering_npi,visit_type,procedure_codes,"
HEADER += "planned_charge"
GOOD = (
    "A1,2026-11-30,09:20,P1,Doe,Jane,1980-02-29,F,W123456789,87726,UHC,1234567893,office,99213;36415,175.00"
)


def _csv(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "schedule.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_generic_csv_reads_every_field(tmp_path: Path) -> None:
    (appt,) = read_schedule(_csv(tmp_path, GOOD)).appointments
    assert appt.start == dt.datetime(2026, 11, 30, 9, 20)
    assert (appt.patient_id, appt.member_id, appt.dob, appt.procedures) == (
        "P1", "W123456789", dt.date(1980, 2, 29), ("99213", "36415"),
    )  # fmt: skip
    assert appt.planned_charge == Decimal("175.00") and not appt.unusable


def test_missing_dob_or_bad_member_id_is_named_and_not_checked(tmp_path: Path) -> None:
    no_dob = GOOD.replace("A1,", "A2,").replace("1980-02-29", "")
    bad_id = GOOD.replace("A1,", "A3,").replace("W123456789", "N/A")
    schedule = read_schedule(_csv(tmp_path, GOOD, no_dob, bad_id))
    assert [a.appointment_id for a in schedule.appointments] == ["A1", "A2", "A3"]  # none skipped
    assert [a.unusable for a in schedule.unusable] == [
        "schedule.csv, row 3, column patient_dob: date of birth missing",
        "schedule.csv, row 4, column member_id: member id is not a valid id",
    ]
    assert "N/A" not in repr(schedule.unusable) and "Doe" not in repr(schedule.unusable)  # no PHI in reprs


def test_shape_problems_stop_the_import_all_together(tmp_path: Path) -> None:
    bad_date = GOOD.replace("2026-11-30", "30.11.2026")
    with pytest.raises(ExportSchemaError) as caught:
        read_schedule(_csv(tmp_path, GOOD, bad_date, header=HEADER.replace("rendering_npi", "npi")))
    assert "column for rendering_npi is missing" in str(caught.value)
    with pytest.raises(ExportSchemaError) as caught:
        read_schedule(_csv(tmp_path, GOOD, bad_date, GOOD.replace("09:20", "9h20")))
    lines = str(caught.value).splitlines()
    assert "nothing imported" in lines[0]
    assert lines[1].startswith("schedule.csv, row 3, column appointment_date: '30.11.2026' is not a date")
    assert lines[2].startswith("schedule.csv, row 4, column appointment_time:")


def test_officeledger_xlsx_with_a_formula_cell(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Appointments"
    header = ["Appt #", "Appt Date", "Appt Time", "Account #", "Last Name", "First Name", "DOB", "Sex"]
    header += ["Ins ID", "Payer ID", "Insurance", "Provider NPI", "Visit Type", "Planned CPT", "Est. Charge"]
    sheet.append(header)
    sheet.append(["7", "11/30/2026", "9:30 AM", "1001", "Doe", "Jane", "02/29/1980", "F", "W1234", "87726",
                  "UHC", 1234567893, "specialist", "99214, 20610", "$1,250.00"])  # fmt: skip
    sheet.append(["8", dt.datetime(2026, 12, 1), dt.time(14, 5), "1002", "Roe", "Ann",
                  dt.datetime(1990, 1, 2), "F", '=CONCAT("W","99")', "87726", "UHC", 1234567893, "office",
                  "99213", 150])  # fmt: skip
    path = tmp_path / "appointments.xlsx"
    book.save(path)
    first, second = read_schedule(path, "officeledger").appointments
    assert first.start == dt.datetime(2026, 11, 30, 9, 30) and first.planned_charge == Decimal("1250.00")
    assert first.procedures == ("99214", "20610") and first.provider_npi == "1234567893"
    assert second.start == dt.datetime(2026, 12, 1, 14, 5)
    assert second.member_id == '=CONCAT("W","99")' and "member id is not a valid id" in second.unusable


def test_profiles_are_listed_and_validated(tmp_path: Path) -> None:
    assert available_schedule_profiles() == ["generic", "officeledger"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nkind: schedule\ncolumns: {patient_id: [id]}\n")
    with pytest.raises(ConfigError, match="required fields not mapped"):
        load_schedule_profile(str(bad))
