"""Benchmark: read a 100k-line PM export (openpyxl read-only vs python-calamine) and read + scrub it.

Run: .venv/bin/python benchmarks/scrub.py [--lines 100000]. Writes a synthetic generic export (CSV and
XLSX) in a temporary folder, then prints seconds and rows/s for: raw XLSX reading with each library, our
reader on XLSX and on CSV, the scrubber alone, and read + scrub end to end.
Exits 1 if python-calamine is not the faster reader
(the reader in connector/pm/table.py relies on that).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gc
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from connector.claims.scrub_tables import load_scrub_settings  # noqa: E402
from connector.pm.profile import GENERIC_COLUMNS  # noqa: E402
from connector.pm.reader import read_export  # noqa: E402
from connector.scrub import ScrubContext, scrub  # noqa: E402
from connector.scrub.registry import submitted_keys  # noqa: E402

HEADER = list(GENERIC_COLUMNS)
CODES = [("99213", "125.00"), ("99214", "180.00"), ("36415", "25.00"), ("93000", "40.00"), ("80053", "45.50")]
DX = ["E11.9", "I10", "J06.9", "M54.50", "R07.9", "Z00.00"]
TODAY = dt.date(2026, 11, 20)


def synthetic_rows(lines: int, seed: int = 7) -> list[list[str]]:
    """Generic-profile rows: claims of 1-4 lines, about 2% carrying a planted error."""
    rng = random.Random(seed)
    rows: list[list[str]] = []
    claim_no = 0
    while len(rows) < lines:
        claim_no += 1
        n = min(rng.randint(1, 4), lines - len(rows))
        dos = TODAY - dt.timedelta(days=rng.randint(1, 60))
        picks = rng.sample(CODES, n)
        total = sum(float(c[1]) for c in picks)
        dx = rng.sample(DX, 2)
        pat = f"PA{claim_no % 20000:06d}"
        for i, (code, charge) in enumerate(picks, start=1):
            pos = "11" if rng.random() > 0.01 else "30"
            rows.append([
                f"C{claim_no:07d}", f"C{claim_no:07d}-{i}", "P", pat, "TESTLAST", "TESTFIRST", "1970-01-01",
                "F",
                "1 ELM ST", "AUSTIN", "TX", "78701", f"W{claim_no:09d}", "87726", "UnitedHealthcare",
                "1234567893", "123456789", "ELM FAMILY PRACTICE", "9 OAK AVE", "AUSTIN", "TX", "787011234",
                "1245319599", "", dos.isoformat(), code, "25" if code == "99214" else "", "1", pos, "",
                ";".join(dx), "1:2" if i == 1 else "1", charge, f"{total:.2f}", "", "1", "", "", "", "",
                "", "open", "",
            ])  # fmt: skip
    return rows


def write_files(folder: Path, rows: list[list[str]]) -> tuple[Path, Path]:
    import xlsxwriter

    csv_path = folder / "export.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    xlsx_path = folder / "export.xlsx"
    book = xlsxwriter.Workbook(str(xlsx_path), {"constant_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("Charges")
    sheet.write_row(0, 0, HEADER)
    for r, row in enumerate(rows, start=1):
        sheet.write_row(r, 0, row)
    book.close()
    return csv_path, xlsx_path


REPEAT = 1


def timed(label: str, rows: int, fn: Callable[[], Any], repeat: int | None = None) -> tuple[float, Any]:
    """Best wall time of ``repeat`` runs (the machine may be shared), with its rows/s."""
    best, result = float("inf"), None
    for _ in range(repeat or REPEAT):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<44} {best:8.2f} s {rows / best:12,.0f} rows/s")
    return best, result


def openpyxl_rows(path: Path) -> int:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    count = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return count


def calamine_rows(path: Path) -> int:
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(path))
    count = len(book.get_sheet_by_index(0).to_python())
    book.close()
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per connector step (best is shown)")
    args = parser.parse_args()
    global REPEAT
    REPEAT = args.repeat
    n = args.lines
    settings = load_scrub_settings()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        csv_path, xlsx_path = write_files(Path(tmp), synthetic_rows(n))
        print(f"wrote a {n:,}-line generic export (CSV + XLSX) in {time.perf_counter() - start:.1f} s")
        print("-- reader comparison (raw rows, no parsing)")
        t_openpyxl, _ = timed("openpyxl read-only", n, lambda: openpyxl_rows(xlsx_path), repeat=1)
        t_calamine, _ = timed("python-calamine", n, lambda: calamine_rows(xlsx_path), repeat=1)
        print(f"python-calamine is {t_openpyxl / t_calamine:.1f}x faster than openpyxl read-only")
        print("-- connector")
        _, export = timed("read_export XLSX (calamine + schema check)", n, lambda: read_export(xlsx_path))
        _, export_csv = timed("read_export CSV", n, lambda: read_export(csv_path))
        assert export.claims == export_csv.claims
        ctx = ScrubContext(today=TODAY, settings=settings, already_submitted=submitted_keys(export.claims))
        _, report = timed("scrub (all rules)", n, lambda: scrub(export.claims, ctx))

        def end_to_end() -> Any:
            exp = read_export(xlsx_path)
            return scrub(exp.claims, ScrubContext(today=TODAY, settings=settings))

        timed("read XLSX + scrub, end to end", n, end_to_end)
        s = report.summary()
        print(
            f"{s['claims']:,} claims, {s['lines']:,} lines, clean claim rate {s['clean_claim_rate']}%,"
            f" {s['errors']:,} errors, {s['warnings']:,} warnings"
        )
    return 0 if t_calamine < t_openpyxl else 1


if __name__ == "__main__":
    sys.exit(main())
