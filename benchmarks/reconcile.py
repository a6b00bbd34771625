"""Reconciliation benchmarks, in one run, each contender in its own subprocess (peak RSS per process).

1. Matching: N ERA lines against N PM lines (default 1,000,000): our line matcher + verdicts (integer cents)
   against a pandas merge doing the same one-to-one matching (line id, then claim + procedure + modifiers
   + date + charge, then without the charge) and the same verdicts.
   Both start from the same columnar Python lists.
2. Workbook: the report for C claims (default 100,000): ours (openpyxl write-only, shared named styles, lxml
   when installed) against xlsxwriter's constant_memory mode writing the same Claims rows and formats.

    .venv/bin/python benchmarks/reconcile.py [--lines 1000000] [--claims 100000]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PROCEDURES = ["99213", "99214", "99203", "93000", "36415", "81002", "90471", "71046", "97110", "20610"]
MODIFIERS = ["", "25", "59", "26:59", "TC", "LT"]
CATEGORIES = [
    "denied",
    "partially_paid",
    "underpaid",
    "overpaid",
    "patient_responsibility",
    "paid_as_expected",
]
TOLERANCE = 1  # cents


def peak_mb() -> float:
    """Peak resident set size of this process in MB (Linux ru_maxrss is in KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_lines(n: int, seed: int = 2026) -> dict[str, list[Any]]:
    """Columnar ERA and PM lines: ~85% echo the line id, the rest match by content; a few strays each side."""
    rng = random.Random(seed)
    day0 = 739000
    cols: dict[str, list[Any]] = {k: [] for k in (
        "e_claim", "e_line", "e_proc", "e_mods", "e_day", "e_charge", "e_paid", "e_allowed", "e_denied",
        "e_patient", "p_claim", "p_line", "p_proc", "p_mods", "p_day", "p_charge", "p_expected")}  # fmt: skip
    claim = ""
    for i in range(n):
        if i % 4 == 0:
            claim = f"C{i // 4:08d}"
        line = f"{claim}-{i % 4 + 1}"
        proc, mods = PROCEDURES[i % 10], MODIFIERS[(i // 10) % 6]
        day = day0 + (i // 40) % 365
        charge = 5000 + (i * 37) % 20000
        expected = charge * 6 // 10
        roll = rng.random()
        pm_charge = charge + 1500 if roll < 0.02 else charge
        allowed, denied, patient = expected, 0, expected // 5 if roll < 0.5 else 0
        if roll < 0.04:
            allowed = expected * 85 // 100
        elif roll < 0.05:
            allowed = expected * 112 // 100
        elif roll < 0.07:
            allowed, denied, patient = 0, charge, 0
        elif roll < 0.08:
            patient = allowed  # deductible takes the whole allowed amount
        elif roll < 0.09:
            denied = charge - expected  # part of the line denied (e.g. units), the rest paid
        paid = allowed - patient
        echoed = "" if rng.random() < 0.15 else line
        if roll > 0.99:  # an ERA line the PM does not have
            echoed, proc = "", "J3490"
        cols["e_claim"].append(claim)
        cols["e_line"].append(echoed)
        cols["e_proc"].append(proc)
        cols["e_mods"].append(mods)
        cols["e_day"].append(day)
        cols["e_charge"].append(charge)
        cols["e_paid"].append(paid)
        cols["e_allowed"].append(allowed)
        cols["e_denied"].append(denied)
        cols["e_patient"].append(patient)
        cols["p_claim"].append(claim)
        cols["p_line"].append(line)
        cols["p_proc"].append(PROCEDURES[i % 10])
        cols["p_mods"].append(mods)
        cols["p_day"].append(day)
        cols["p_charge"].append(pm_charge)
        cols["p_expected"].append(expected)
    return cols


def match_ours(n: int) -> dict[str, Any]:
    """Our matcher: LineKey tuples, dicts, integer cents."""
    from connector.reconcile.lines import LineKey, line_verdict, match_lines, paused_gc

    cols = make_lines(n)
    base = peak_mb()
    start, cpu = time.perf_counter(), time.process_time()
    with paused_gc():
        era = list(map(LineKey._make, zip(cols["e_claim"], cols["e_line"], cols["e_proc"], cols["e_mods"],
                                          cols["e_day"], cols["e_charge"], strict=True)))  # fmt: skip
        pm = list(map(LineKey._make, zip(cols["p_claim"], cols["p_line"], cols["p_proc"], cols["p_mods"],
                                         cols["p_day"], cols["p_charge"], strict=True)))  # fmt: skip
        found, _kinds = match_lines(era, pm)
    counts = dict.fromkeys(CATEGORIES, 0)
    paid_by = dict.fromkeys(CATEGORIES, 0)
    expected = cols["p_expected"]
    paid, allowed, denied, patient = cols["e_paid"], cols["e_allowed"], cols["e_denied"], cols["e_patient"]
    unmatched = 0
    for i, hit in enumerate(found):
        if hit < 0:
            unmatched += 1
            continue
        verdict = line_verdict(paid[i], allowed[i], expected[hit], denied[i], patient[i], TOLERANCE)
        counts[verdict] += 1
        paid_by[verdict] += paid[i]
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"seconds": elapsed, "cpu": cpu, "peak_mb": peak_mb(), "input_mb": base, "counts": counts,
            "paid": paid_by,
            "unmatched": unmatched}  # fmt: skip


def match_pandas(n: int) -> dict[str, Any]:
    """The same one-to-one matching and verdicts with pandas merges (int64 cents)."""
    import numpy as np
    import pandas as pd

    cols = make_lines(n)
    base = peak_mb()
    start, cpu = time.perf_counter(), time.process_time()
    era = pd.DataFrame({k[2:]: v for k, v in cols.items() if k.startswith("e_")})
    pmf = pd.DataFrame({k[2:]: v for k, v in cols.items() if k.startswith("p_")})
    era["era_row"] = np.arange(len(era))
    pmf["pm_row"] = np.arange(len(pmf))
    by_id = era[era["line"] != ""].merge(pmf[["line", "claim", "pm_row"]], on=["line", "claim"], how="inner")
    by_id = by_id.drop_duplicates("pm_row").drop_duplicates("era_row")
    matched = by_id[["era_row", "pm_row"]]
    for key in (["claim", "proc", "mods", "day", "charge"], ["claim", "proc", "mods", "day"]):
        rest_e = era[~era["era_row"].isin(matched["era_row"])]
        rest_p = pmf[~pmf["pm_row"].isin(matched["pm_row"])]
        rest_e = rest_e.assign(nth=rest_e.groupby(key, sort=False).cumcount())
        rest_p = rest_p.assign(nth=rest_p.groupby(key, sort=False).cumcount())
        more = rest_e[[*key, "nth", "era_row"]].merge(rest_p[[*key, "nth", "pm_row"]], on=[*key, "nth"])
        matched = pd.concat([matched, more[["era_row", "pm_row"]]], ignore_index=True)
    joined = era.merge(matched, on="era_row", how="left")
    joined = joined.merge(pmf[["pm_row", "expected"]], on="pm_row", how="left")
    hit = joined["pm_row"].notna()
    j = joined[hit]
    exp = j["expected"].astype("int64")
    conditions = [
        (j["paid"] == 0) & (j["denied"] > 0),
        j["denied"] > 0,
        j["allowed"] < exp - TOLERANCE,
        j["allowed"] > exp + TOLERANCE,
        (j["paid"] == 0) & (j["patient"] > 0),
    ]
    verdict = np.select(conditions, CATEGORIES[:5], default=CATEGORIES[5])
    grouped = j.assign(verdict=verdict).groupby("verdict")["paid"].agg(["size", "sum"])
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    counts = {c: int(grouped["size"].get(c, 0)) for c in CATEGORIES}
    paid_by = {c: int(grouped["sum"].get(c, 0)) for c in CATEGORIES}
    return {"seconds": elapsed, "cpu": cpu, "peak_mb": peak_mb(), "input_mb": base, "counts": counts,
            "paid": paid_by,
            "unmatched": int((~hit).sum())}  # fmt: skip


def make_result(claims: int) -> Any:
    """A reconciliation result with ``claims`` claim rows (amounts and dates drawn from shared pools)."""
    import datetime as dt
    from decimal import Decimal

    from connector.reconcile.model import CATEGORIES as CATS
    from connector.reconcile.model import ClaimRow, ReconciliationResult, TieOut

    rng = random.Random(7)
    money = [Decimal(rng.randint(0, 90000)) / 100 for _ in range(5000)]
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=d) for d in range(365)]
    rows = []
    for i in range(claims):
        rows.append(ClaimRow(
            claim_id=f"PFM{i:07d}", category=CATS[i % 14], flags=("interest",) if i % 50 == 0 else (),
            payer="UnitedHealthcare", patient=f"PATIENT{i % 9973}, ALEX", service_date=days[i % 365],
            submitted=days[(i + 2) % 365], status_code="1", payer_claim_number=f"{i:012d}",
            payment_numbers=(f"{1000000000 + i // 40}",), payment_date=days[(i + 20) % 365],
            charge=money[i % 5000], pm_charge=money[i % 5000], expected=money[(i * 7) % 5000],
            allowed=money[(i * 7) % 5000], paid=money[(i * 3) % 5000], patient_responsibility=money[i % 97],
            difference=money[i % 13], match="claim_number",
        ))  # fmt: skip
    return ReconciliationResult(dt.date(2026, 12, 31), Decimal("0.01"), 30, rows, [], [], [], None,
                                TieOut(Decimal(0), Decimal(0), Decimal(0)), [], [], {})  # fmt: skip


def workbook_ours(claims: int) -> dict[str, Any]:
    """Our report writer (build + save) for ``claims`` claims."""
    from connector.report import write_report

    result = make_result(claims)
    base = peak_mb()
    with tempfile.TemporaryDirectory() as folder:
        start, cpu = time.perf_counter(), time.process_time()
        path = write_report(result, Path(folder) / "ours.xlsx")
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        size = path.stat().st_size
    return {"seconds": elapsed, "cpu": cpu, "peak_mb": peak_mb(), "input_mb": base, "bytes": size}


def workbook_xlsxwriter(claims: int) -> dict[str, Any]:
    """xlsxwriter constant_memory: the same Claims rows and formats, frozen header, autofilter."""
    import datetime as dt
    from decimal import Decimal

    import xlsxwriter

    from connector.report.sheets import CLAIM_COLUMNS, claim_values
    from connector.report.styles import CATEGORY_COLOURS, DATE_FORMAT, MONEY_FORMAT

    result = make_result(claims)
    base = peak_mb()
    with tempfile.TemporaryDirectory() as folder:
        start, cpu = time.perf_counter(), time.process_time()
        book = xlsxwriter.Workbook(str(Path(folder) / "xw.xlsx"), {"constant_memory": True})
        summary = book.add_worksheet("Summary")
        sheet = book.add_worksheet("Claims")
        header = book.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E78"})
        money, date = (
            book.add_format({"num_format": MONEY_FORMAT}),
            book.add_format({"num_format": DATE_FORMAT}),
        )
        fills = {c: book.add_format({"bg_color": f"#{v}"}) for c, v in CATEGORY_COLOURS.items()}
        for col, column in enumerate(CLAIM_COLUMNS):
            sheet.set_column(col, col, column.width)
            sheet.write_string(0, col, column.header, header)
        sheet.freeze_panes(1, 0)
        for r, row in enumerate((claim_values(c) for c in result.claims), start=1):
            for col, value in enumerate(row):
                if value is None or value == "":
                    continue
                kind = CLAIM_COLUMNS[col].kind
                if isinstance(value, Decimal):
                    sheet.write_number(r, col, float(value), money)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(r, col, dt.datetime.combine(value, dt.time()), date)
                elif isinstance(value, int):
                    sheet.write_number(r, col, value)
                elif kind == "category":
                    sheet.write_string(r, col, str(value), fills.get(str(value)))
                else:
                    sheet.write_string(r, col, str(value))
        sheet.autofilter(0, 0, len(result.claims), len(CLAIM_COLUMNS) - 1)
        summary.write_string(0, 0, "Reconciliation report")
        book.close()
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        size = (Path(folder) / "xw.xlsx").stat().st_size
    return {"seconds": elapsed, "cpu": cpu, "peak_mb": peak_mb(), "input_mb": base, "bytes": size}


CONTENDERS = {"match_ours": match_ours, "match_pandas": match_pandas, "workbook_ours": workbook_ours,
              "workbook_xlsxwriter": workbook_xlsxwriter}  # fmt: skip


def run_child(name: str, size: int) -> dict[str, Any]:
    """Run one contender in a fresh interpreter and return its JSON line."""
    done = subprocess.run([sys.executable, __file__, "--child", name, "--size", str(size)],
                          check=True, capture_output=True, text=True)  # fmt: skip
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--child")
    parser.add_argument("--size", type=int)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(CONTENDERS[args.child](args.size)))
        return
    try:
        import lxml  # noqa: F401

        lxml_note = "lxml installed"
    except ImportError:
        lxml_note = "lxml NOT installed"
    ours, theirs = run_child("match_ours", args.lines), run_child("match_pandas", args.lines)
    same = ours["counts"] == theirs["counts"] and ours["paid"] == theirs["paid"]
    print(f"Matching {args.lines:,} ERA lines against {args.lines:,} PM lines (same verdicts: {same})")
    for label, r in (("ours (dicts, int cents)", ours), ("pandas merge", theirs)):
        print(f"  {label:26} {r['seconds']:6.2f} s wall {r['cpu']:6.2f} s CPU  peak {r['peak_mb']:5.0f} MB "
              f"(inputs alone {r['input_mb']:.0f} MB)   unmatched {r['unmatched']:,}")  # fmt: skip
    wall, cpu = theirs["seconds"] / ours["seconds"], theirs["cpu"] / ours["cpu"]
    print(f"  pandas/ours: wall {wall:.2f}x, CPU {cpu:.2f}x"
          f" (>1: ours faster);  peak RSS ours/pandas {ours['peak_mb'] / theirs['peak_mb']:.2f}")  # fmt: skip
    print(f"  verdicts: {ours['counts']}")
    mine, xw = run_child("workbook_ours", args.claims), run_child("workbook_xlsxwriter", args.claims)
    print(f"Workbook for {args.claims:,} claims ({lxml_note})")
    for label, r in (("ours (openpyxl write-only)", mine), ("xlsxwriter constant_memory", xw)):
        print(f"  {label:26} {r['seconds']:6.2f} s wall {r['cpu']:6.2f} s CPU  peak {r['peak_mb']:5.0f} MB "
              f"(inputs alone {r['input_mb']:.0f} MB)   {r['bytes'] / 1e6:.1f} MB file")  # fmt: skip
    wall, cpu = mine["seconds"] / xw["seconds"], mine["cpu"] / xw["cpu"]
    print(f"  ours/xlsxwriter: wall {wall:.2f}x, CPU {cpu:.2f}x"
          f" (target <= 2x); our peak RSS {mine['peak_mb']:.0f} MB (target < 150 MB)")  # fmt: skip


if __name__ == "__main__":
    main()
