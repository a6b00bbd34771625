"""The workbook re-read with openpyxl: sheet names, totals, formats, no formulas, injection-safe text."""

from __future__ import annotations

import datetime as dt
import json
import stat
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from connector.reconcile import read_bank_csv
from connector.reconcile.model import ClaimRow, LineRow, ReconciliationResult, TieOut
from connector.report import SHEETS, write_report
from tests.reconcile.book import reconcile

Report = tuple[Path, ReconciliationResult, dict]
RISKY = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd", "\x00=1+1"]


@pytest.fixture(scope="module")
def sandbox_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ReconciliationResult, dict]:
    from connector.pm.reader import read_export
    from connector.sandbox import era, exports
    from connector.sandbox.generator import generate
    from connector.x12 import read_835

    data = generate(seed=11, payments=40)
    folder = tmp_path_factory.mktemp("report")
    paths = exports.write_exports(data, folder)
    remittances = [r for p in data.payments for r in read_835(era.era_bytes(data, p))]
    claims = read_export(paths.pm_csv, "generic").claims
    deposits = read_bank_csv(paths.bank_csv.read_text())
    result = reconcile(
        remittances, claims, as_of=data.as_of, deposits=deposits, inputs={"PM export": "pm.csv"}
    )
    out = write_report(result, folder / "out" / "report.xlsx",
                       extra={"Claim status": [{"claim_id": "X1", "status": "Pending"}]})  # fmt: skip
    return out, result, json.loads(paths.ground_truth.read_text())


def test_sheets_totals_and_formats(sandbox_report: tuple[Path, ReconciliationResult, dict]) -> None:
    path, result, _truth = sandbox_report
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not list(path.parent.glob(".*.part"))
    book = load_workbook(path)
    assert book.sheetnames == [*SHEETS, "Deposits", "Claim status"]
    claims = book["Claims"]
    header = [c.value for c in claims[1]]
    assert claims.freeze_panes == "A2" and claims.auto_filter.ref == f"A1:AA{len(result.claims) + 1}"
    paid_col = header.index("Paid") + 1
    paid = sum(Decimal(str(claims.cell(r, paid_col).value or 0)) for r in range(2, claims.max_row + 1))
    assert paid == result.tie_out.claim_paid
    assert claims.cell(2, paid_col).number_format.startswith("#,##0.00")
    date_col = header.index("Service date") + 1
    assert isinstance(claims.cell(2, date_col).value, dt.datetime)
    assert claims.cell(2, date_col).number_format == "yyyy-mm-dd"
    category = claims.cell(2, header.index("Category") + 1)
    assert category.fill.fgColor.rgb.endswith(("C6EFCE", "FFC7CE", "FFEB9C", "FCE4D6", "FF9999", "BDD7EE",
                                               "F4B084", "F8CBAD", "F2F2F2", "EDEDED"))  # fmt: skip
    assert book["Lines"].max_row == len(result.lines) + 1
    under = book["Underpaid"]
    assert under.max_row - 1 == sum(1 for ln in result.lines if ln.category == "underpaid") > 0
    summary = [[c.value for c in row] for row in book["Summary"].iter_rows()]
    tie_row = next(row for row in summary if row[0] == "Tie-out")
    assert tie_row[1] == "Totals tie out."
    total_row = next(row for row in summary if row[0] == "Total")
    assert Decimal(str(total_row[6])) == result.tie_out.payment_amount


def test_no_formulas_and_charts_present(sandbox_report: tuple[Path, ReconciliationResult, dict]) -> None:
    import zipfile

    path, _result, _truth = sandbox_report
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        sheets = [archive.read(n) for n in names if n.startswith("xl/worksheets/sheet")]
    assert sum(1 for n in names if n.startswith("xl/charts/chart")) == 3
    assert all(b"<f>" not in xml and b"<f " not in xml for xml in sheets)
    book = load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"


def test_risky_text_is_stored_as_text_and_controls_stripped(tmp_path: Path) -> None:
    claims = [ClaimRow(claim_id=text, category="era_not_in_pm", patient=f"{text}, BOB\x07") for text in RISKY]
    lines = [LineRow(claim_id=text, line_id=text + "\x1b", category="denied") for text in RISKY]
    result = ReconciliationResult(dt.date(2026, 1, 31), Decimal("0.01"), 30, claims, lines, [], [], None,
                                  TieOut(Decimal(0), Decimal(0), Decimal(0)), [], [], {},
                                  inputs={"=cmd|' /C calc'!A0": "@x"})  # fmt: skip
    path = write_report(result, tmp_path / "risky.xlsx")
    book = load_workbook(path)
    got = [book["Claims"].cell(r, 1) for r in range(2, 2 + len(RISKY))]
    assert [c.value for c in got] == [t.replace("\x00", "") for t in RISKY]
    assert all(c.data_type == "s" for c in got)
    assert all(c.quotePrefix for c in got if c.value[:1] in "=+-@\t\r")
    assert [book["Lines"].cell(r, 2).value for r in range(2, 2 + len(RISKY))] == [
        t.replace("\x00", "") for t in RISKY
    ]
    assert all("\x07" not in (book["Claims"].cell(r, 5).value or "") for r in range(2, 2 + len(RISKY)))
    summary_cells = [c for row in book["Summary"].iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in summary_cells)
    assert any(c.value == "=cmd|' /C calc'!A0" and c.data_type == "s" for c in summary_cells)


def test_write_is_atomic_on_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = ReconciliationResult(dt.date(2026, 1, 31), Decimal("0.01"), 30, [], [], [], [], None,
                                  TieOut(Decimal(0), Decimal(0), Decimal(0)), [], [], {})  # fmt: skip
    target = tmp_path / "r.xlsx"
    target.write_bytes(b"previous report")

    def broken(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("connector.fileio.os.replace", broken)
    with pytest.raises(OSError, match="disk full"):
        write_report(result, target)
    assert target.read_bytes() == b"previous report"
    assert not list(tmp_path.glob(".*.part"))


def test_biller_words_with_ids_in_a_hidden_column(
    sandbox_report: tuple[Path, ReconciliationResult, dict],
) -> None:
    from connector.reconcile.labels import CATEGORY_LABELS

    path, result, _truth = sandbox_report
    book = load_workbook(path)
    claims = book["Claims"]
    header = [c.value for c in claims[1]]
    shown, ids = header.index("Category") + 1, header.index("Category id") + 1
    assert claims.column_dimensions[claims.cell(1, ids).column_letter].hidden
    assert not claims.column_dimensions[claims.cell(1, shown).column_letter].hidden
    pairs = {(claims.cell(r, shown).value, claims.cell(r, ids).value) for r in range(2, claims.max_row + 1)}
    assert pairs == {(CATEGORY_LABELS[c.category], c.category) for c in result.claims}
    assert ("Paid as expected", "paid_as_expected") in pairs
    for title in ("Lines", "Denials", "Missing ERA"):
        sheet = book[title]
        names = [c.value for c in sheet[1]]
        assert (
            names[-1] == "Category id"
            and sheet.column_dimensions[sheet.cell(1, len(names)).column_letter].hidden
        )


def test_summary_opens_with_money_at_stake_and_payers(
    sandbox_report: tuple[Path, ReconciliationResult, dict],
) -> None:
    from connector.reconcile.at_stake import money_at_stake, payer_table

    path, result, _truth = sandbox_report
    rows = [[c.value for c in row] for row in load_workbook(path)["Summary"].iter_rows()]
    firsts = [row[0] for row in rows if row and row[0]]
    assert firsts.index("Money at stake") < firsts.index("By payer") < firsts.index("Tie-out")
    assert firsts.index("Money at stake") <= 2  # title, as of, then the money
    stake = money_at_stake(result)
    values: dict[str, object] = {}
    for row in rows:
        if row and row[0]:
            values.setdefault(row[0], row[1])  # the first (opening) occurrence
    assert Decimal(str(values["Total at stake"])) == stake.total > 0
    assert (
        Decimal(str(values["Underpaid: appeal"]))
        == stake.underpaid
        == sum(
            -ln.difference for ln in result.lines if ln.category == "underpaid" and ln.difference is not None
        )
    )
    for action, amount in stake.denied_by_action.items():
        assert Decimal(str(values[f"Denied: {action}"])) == amount
    assert stake.denied == sum((g.amount for g in result.denials), Decimal(0))
    missing = sum((c.charge for c in result.claims if c.category == "missing_era"), Decimal(0))
    assert stake.missing_era == missing
    payers = payer_table(result)
    assert sum(p.claims for p in payers) == len(result.claims)
    assert sum((p.paid for p in payers), Decimal(0)) == result.tie_out.claim_paid
    assert values[payers[0].payer] == payers[0].claims


def test_one_payer_however_its_name_is_written() -> None:
    from connector.reconcile.at_stake import payer_table

    claims = [
        ClaimRow("A", "paid_as_expected", payer="UNITEDHEALTHCARE", charge=Decimal(10), paid=Decimal(8)),
        ClaimRow("B", "missing_era", payer="UnitedHealthcare ", charge=Decimal(5)),
        ClaimRow("C", "denied", payer="Aetna", charge=Decimal(7), denied_amount=Decimal(7)),
    ]
    result = ReconciliationResult(dt.date(2026, 1, 31), Decimal("0.01"), 30, claims, [], [], [], None,
                                  TieOut(Decimal(0), Decimal(0), Decimal(0)), [], [], {})  # fmt: skip
    rows = {row.payer: row for row in payer_table(result)}
    assert set(rows) == {"UNITEDHEALTHCARE", "Aetna"}
    assert (rows["UNITEDHEALTHCARE"].claims, rows["UNITEDHEALTHCARE"].missing_era) == (2, Decimal(5))
    assert rows["Aetna"].problems == 1 and rows["UNITEDHEALTHCARE"].problems == 1


def test_repeated_texts_are_written_as_the_first_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A column's repeated texts are remembered as written cells; a column of many texts stops remembering;
    either way every cell reads the same (value, text type, quote prefix, category fill)."""
    from openpyxl import Workbook

    from connector.report import parts, table
    from connector.report.styles import register_styles

    monkeypatch.setattr(table, "SHARED_TEXTS", 3)
    texts = ["=1+1", " padded ", "a&b<c>", "bell\x07", "Denied", "plain", *RISKY]
    book = Workbook(write_only=True)
    register_styles(book)
    sheet = table.Table(book, "T", (table.Column("Text"), table.Column("Category", "category")))
    rows = [(text, category) for _ in range(3) for text in texts for category in ("Denied", "Underpaid")]
    for row in rows:
        sheet.append(row)
    assert sheet._texts[0] is None and sheet._texts[1] is not None  # many texts: not remembered
    sheet.close()
    path = tmp_path / "t.xlsx"
    with path.open("wb") as handle:
        parts.save_workbook(book, handle)
    got = list(load_workbook(path)["T"].iter_rows(min_row=1))
    assert len(got) == len(rows)
    for (text, category), cells in zip(rows, got, strict=True):
        want = table.clean_text(text)
        assert (cells[0].value, cells[0].data_type) == (want, "s")
        assert cells[0].quotePrefix == table.is_risky(want)
        assert cells[1].value == category
    first = {c[1].value: c[1].fill.fgColor.rgb for c in got}
    assert first["Denied"] != first["Underpaid"]
    assert all(c[1].fill.fgColor.rgb == first[c[1].value] for c in got)
