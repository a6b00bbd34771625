"""Benchmark: our typed 835 reader against pyx12 (x12context, X12Reader, RawX12File) and a naive split parser.

Generates 1k/10k/100k-claim 835 files with our own 835 writer (several ISA envelopes per file, 200 claims per
payment/ST, 2 service lines per claim), then parses each file with every parser, each in a fresh subprocess
so that peak RSS (ru_maxrss) belongs to that parser alone. Prints claims/s, time ratios and peak RSS.

    .venv/bin/python benchmarks/x12_parse.py [--sizes 1000,10000,100000] [--context-max 10000] [--dir DIR]

pyx12's loop-aware reader (x12context) takes about 5 minutes at 100k claims, so by default it only runs at
sizes up to --context-max; its ratio is reported only at the sizes where it actually ran.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CLAIMS_PER_PAYMENT = 200
PAYMENTS_PER_INTERCHANGE = 10


def _remittance(first: int, count: int, trace: int) -> object:
    from connector.x12.models import (
        Address,
        Adjustment,
        AmountEntry,
        ClaimPayment,
        Contact,
        DateEntry,
        Envelope,
        Name,
        Party,
        ProcedureCode,
        ProviderAdjustment,
        Reference,
        Remark,
        Remittance,
        ServiceLine,
    )

    day = dt.date(2026, 5, 4)
    claims = []
    for n in range(first, first + count):
        lines = []
        for k in (1, 2):
            charge = Decimal(100 + (n % 50)) + Decimal(k)
            co, pr = Decimal("20.10"), Decimal("15.00")
            lines.append(
                ServiceLine(
                    ProcedureCode("HC", "99213" if k == 1 else "85025", ("25",) if k == 1 else ()),
                    charge,
                    charge - co - pr,
                    units=Decimal(1),
                    dates=[DateEntry("472", day)],
                    adjustments=[Adjustment("CO", "45", co), Adjustment("PR", "2", pr)],
                    references=[Reference("6R", f"L{n}-{k}")],
                    amounts=[AmountEntry("B6", charge - co)],
                    remarks=[Remark("HE", "N130")] if n % 7 == 0 else [],
                )
            )
        charge = sum((line.charge for line in lines), Decimal(0))
        paid = sum((line.paid for line in lines), Decimal(0))
        claims.append(
            ClaimPayment(
                f"PCN{n:08d}",
                "1",
                charge,
                paid,
                Decimal("30.00"),
                "12",
                f"PAYER{n:010d}",
                "11",
                "1",
                header_number="1",
                names=[
                    Name("QC", "1", "DOE", "JANE", id_qualifier="MI", id=f"M{n:09d}"),
                    Name("82", "1", "SMITH", "ANNA", id_qualifier="XX", id="1497758544"),
                ],
                dates=[DateEntry("050", day)],
                service_lines=lines,
            )
        )
    total = sum((c.paid for c in claims), Decimal(0))
    envelope = Envelope("", "", "", "", None, "", "", "", "", "", "", "", None, "", "", "835", "")
    return Remittance(
        envelope,
        "I",
        total - Decimal("12.50"),
        "C",
        "ACH",
        "CCP",
        ("01", "999999999", "DA", "123456", "1512345678", ""),
        ("01", "888888888", "DA", "654321"),
        day,
        "1",
        f"EFT{trace:09d}",
        "1512345678",
        production_date=day,
        payer=Party(
            "PR",
            "UNITEDHEALTHCARE",
            "XV",
            "87726",
            Address("PO BOX 1", "", "ATLANTA", "GA", "30301"),
            contacts=[Contact("BL", "EDI SUPPORT", (("TE", "8005551212"),))],
        ),
        payee=Party(
            "PE", "SPRINGFIELD FAMILY PRACTICE", "XX", "1234567893", references=[Reference("TJ", "371234567")]
        ),
        provider_summaries=[("1",)],
        claims=claims,
        provider_adjustments=[
            ProviderAdjustment("1234567893", dt.date(2026, 12, 31), "WO", f"PCN{first:08d}", Decimal("12.50"))
        ],
    )


def generate(path: Path, claims: int) -> None:
    """Write an 835 file of ``claims`` claims (our writer; several interchanges appended)."""
    from connector.x12 import ControlNumbers, write_835

    written = 0
    interchange = 1
    with path.open("wb") as out:
        while written < claims:
            batch = []
            for _ in range(PAYMENTS_PER_INTERCHANGE):
                if written >= claims:
                    break
                count = min(CLAIMS_PER_PAYMENT, claims - written)
                batch.append(_remittance(written + 1, count, written // CLAIMS_PER_PAYMENT + 1))
                written += count
            control = ControlNumbers(
                interchange=interchange, group=interchange, sender_id="UHC", receiver_id="PRACTICE"
            )
            out.write(write_835(batch, control=control))  # type: ignore[arg-type]
            interchange += 1


# --- the parsers, each run in its own subprocess -------------------------------------------------------


def run_ours(path: str) -> tuple[int, str]:
    import mmap

    from connector.x12 import read_835

    claims, paid = 0, Decimal(0)
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        for remit in read_835(data, source=path):
            claims += len(remit.claims)
            paid += remit.total_paid
    return claims, str(paid)


def run_naive(path: str) -> tuple[int, str]:
    """Read, split into segments and elements, one dict per segment; then count CLP and sum CLP04."""
    data = Path(path).read_bytes().decode("utf-8")
    term = data[105]
    elem = data[3]
    segments = []
    for raw in data.split(term):
        raw = raw.strip()
        if raw:
            parts = raw.split(elem)
            segments.append({"id": parts[0], **{f"{parts[0]}{i:02d}": v for i, v in enumerate(parts[1:], 1)}})
    claims, paid = 0, Decimal(0)
    for seg in segments:
        if seg["id"] == "CLP":
            claims += 1
            paid += Decimal(seg["CLP04"])
    return claims, str(paid)


def run_pyx12_raw(path: str) -> tuple[int, str]:
    """pyx12.x12file.X12Reader: pyx12's segment reader (envelope checks, Segment objects)."""
    import pyx12.x12file

    claims, paid = 0, Decimal(0)
    for seg in pyx12.x12file.X12Reader(path):
        if seg.get_seg_id() == "CLP":
            claims += 1
            paid += Decimal(seg.get_value("CLP04"))
    return claims, str(paid)


def run_pyx12_rawfile(path: str) -> tuple[int, str]:
    """pyx12.rawx12file.RawX12File: pyx12's bare segment splitter (strings only)."""
    import pyx12.rawx12file

    claims, paid = 0, Decimal(0)
    with open(path, encoding="utf-8") as fh:
        for seg in pyx12.rawx12file.RawX12File(fh):
            if seg.startswith("CLP*"):
                claims += 1
                paid += Decimal(seg.split("*")[4])
    return claims, str(paid)


def run_pyx12_context(path: str) -> tuple[int, str]:
    """pyx12.x12context.X12ContextReader: pyx12's loop-aware reader, iterating 2100 claim loops."""
    import pyx12.error_handler
    import pyx12.params
    import pyx12.x12context

    param = pyx12.params.params()
    errh = pyx12.error_handler.errh_null()
    claims, paid = 0, Decimal(0)
    with open(path, encoding="utf-8") as fh:
        src = pyx12.x12context.X12ContextReader(param, errh, fh)
        for node in src.iter_segments("2100"):
            if node.id == "2100":
                claims += 1
                paid += Decimal(node.get_value("CLP04") or "0")
    return claims, str(paid)


PARSERS = {
    "ours": run_ours,
    "naive": run_naive,
    "pyx12_raw": run_pyx12_raw,
    "pyx12_rawfile": run_pyx12_rawfile,
    "pyx12_context": run_pyx12_context,
}


IMPORTS = {
    "ours": ["connector.x12"],
    "naive": [],
    "pyx12_raw": ["pyx12.x12file"],
    "pyx12_rawfile": ["pyx12.rawx12file"],
    "pyx12_context": ["pyx12.x12context", "pyx12.params", "pyx12.error_handler"],
}


def _child(name: str, path: str) -> None:
    import importlib
    import resource

    for module in IMPORTS[name]:  # imports are not part of the timing
        importlib.import_module(module)
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    claims, paid = PARSERS[name](path)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rss_mb = after.ru_maxrss / 1024
    print(json.dumps({"claims": claims, "paid": paid, "seconds": seconds, "cpu": cpu, "rss_mb": rss_mb}))


def measure(name: str, path: Path, repeat: int) -> dict[str, Any]:
    """Run one parser on one file in fresh interpreters ``repeat`` times; keep the best wall and CPU times."""
    best: dict[str, Any] = {}
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, __file__, "--child", name, str(path)], check=True, capture_output=True, text=True
        )
        run = json.loads(out.stdout.strip().splitlines()[-1])
        if not best:
            best = run
        else:
            for key in ("seconds", "cpu", "rss_mb"):
                best[key] = min(best[key], run[key])
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument(
        "--context-max", type=int, default=10000, help="largest size at which x12context runs"
    )
    parser.add_argument("--dir", default=None, help="where to write the generated files (default: temp)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per parser and size (best is kept)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    folder = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="x12bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"files in {folder}; {CLAIMS_PER_PAYMENT} claims per payment (ST), 2 service lines per claim")
    print(f"best of {args.repeat} runs (x12context: 1 run), each in a fresh subprocess; CPU = user + sys")
    header = f"{'claims':>7} {'parser':<14} {'wall s':>7} {'CPU s':>7} {'claims/s CPU':>12} "
    header += f"{'peak RSS MB':>11} {'time/ours (CPU)':>15} {'(wall)':>7}"
    rows: list[str] = []
    for size in sizes:
        path = folder / f"era_{size}.835"
        if not path.exists():
            generate(path, size)
        mb = path.stat().st_size / 1e6
        results = {}
        for name in PARSERS:
            if name == "pyx12_context" and size > args.context_max:
                continue
            results[name] = measure(name, path, 1 if name == "pyx12_context" else args.repeat)
        ours = results["ours"]
        for name, res in results.items():
            assert res["claims"] == size, (name, res)
            assert res["paid"] == ours["paid"], (name, res, ours)
            cpu_ratio = float(res["cpu"]) / float(ours["cpu"])
            wall_ratio = float(res["seconds"]) / float(ours["seconds"])
            rows.append(
                f"{size:>7} {name:<14} {float(res['seconds']):>7.2f} {float(res['cpu']):>7.2f} "
                f"{size / float(res['cpu']):>12.0f} {float(res['rss_mb']):>11.1f} {cpu_ratio:>14.2f}x "
                f"{wall_ratio:>6.2f}x"
            )
        if "pyx12_context" not in results:
            rows.append(f"{size:>7} {'pyx12_context':<14} not run (size > --context-max; ~300 s at 100k)")
        rows.append(f"{'':>7} file {mb:.1f} MB")
    print(header)
    print("\n".join(rows))
    print("time/ours = that parser's time divided by ours: > 1 means ours is faster, < 1 means it is faster")


if __name__ == "__main__":
    main()
