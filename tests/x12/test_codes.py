"""Code tables: every shipped table loads, names its source and date, and the override directory wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.codetables import load_code_table
from connector.resources import data_dir
from connector.x12.codes import TABLES, parse_code_table


@pytest.mark.parametrize("name", TABLES)
def test_shipped_table_loads_with_source_and_date(name: str) -> None:
    table = load_code_table(name)
    assert len(table) >= 5
    assert table.source, name
    header = (data_dir("mappings") / "codes" / f"{name}.tsv").read_text(encoding="utf-8")
    assert "Transcribed 20" in header
    assert all(code and description for code, description in table.codes.items())


def test_known_codes() -> None:
    assert load_code_table("carc").describe("45").startswith("Charge exceeds fee schedule")
    assert load_code_table("group_codes").describe("PR").startswith("Patient Responsibility")
    assert load_code_table("claim_status").describe("22") == "Reversal of Previous Payment"
    assert "A7" in load_code_table("status_category")
    assert load_code_table("plb_reasons").describe("L6") == "Interest Owed"
    assert load_code_table("place_of_service").describe("11") == "Office"
    assert load_code_table("rarc").describe("ZZZ9") == "unknown rarc code ZZZ9"


def test_override_directory_wins(tmp_path: Path) -> None:
    (tmp_path / "codes").mkdir()
    (tmp_path / "codes" / "carc.tsv").write_text("# Source: our payer's list\ncode\tdescription\n45\tmine\n")
    table = load_code_table("carc", override_dir=tmp_path)
    assert table.describe("45") == "mine" and table.source == "our payer's list"
    assert load_code_table("rarc", override_dir=tmp_path).describe("N130").startswith("Consult plan")


def test_bad_tables_are_rejected() -> None:
    with pytest.raises(ValueError):
        parse_code_table("code\tdescription\n45 no tab here\n", "carc")
    with pytest.raises(ValueError):
        load_code_table("nonsense")
