"""`connector x12 inspect|validate FILE...`: summaries of X12 files and structural checks of 837s."""

from __future__ import annotations

import json
import mmap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from connector.cli.output import say
from connector.errors import X12ParseError
from connector.x12 import validate_837
from connector.x12.inspect import SCHEMA, inspect_bytes
from connector.x12.tokenizer import X12Data

app = typer.Typer(help="Inspect and validate X12 files (835, 837, 999, 277CA, 277).", no_args_is_help=True)

FILES = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="X12 files.")


@contextmanager
def _open(path: Path) -> Iterator[X12Data]:
    """The file's bytes, memory-mapped when not empty (keeps memory flat on big ERAs)."""
    with path.open("rb") as fh:
        if path.stat().st_size == 0:
            yield b""
            return
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
            yield data


def _line(txn: dict[str, Any]) -> str:
    head = (
        f"  {txn['type']} {txn['version']} ISA13={txn['interchange_control_number']} "
        f"GS06={txn['group_control_number']} ST02={txn['transaction_control_number']}"
    )
    if txn["type"] == "835":
        state = "balanced" if txn["balanced"] else f"NOT balanced ({len(txn['findings'])} findings)"
        return (
            f"{head} payer={txn['payer']['name']!r} payment={txn['payment_number']} BPR02={txn['bpr02']} "
            f"claims={txn['claim_count']} sumCLP04={txn['sum_clp04']} sumPLB={txn['sum_plb']} {state}"
        )
    if "claim_count" in txn:
        return f"{head} claims={txn['claim_count']}"
    if "accepted" in txn:
        return f"{head} group_status={txn['group_status']}"
    return head


def read_finding_text(f: dict[str, Any]) -> str:
    """One read finding as a line: where (offset, segment, element, claim) and what."""
    where = [
        text
        for text in (
            f"offset {f['offset']}" if f["offset"] is not None else "",
            f"segment {f['segment_number']}" if f["segment_number"] is not None else "",
            f["segment_id"] or "",
            f"element {f['element']}" if f["element"] else "",
            f"claim {f['claim_id']}" if f["claim_id"] else "",
        )
        if text
    ]
    return f"{' '.join(where)}: {f['message']}" if where else f["message"]


@app.command()
def inspect(
    files: list[Path] = FILES,
    as_json: bool = typer.Option(False, "--json", help="Print the JSON form (docs/x12-inspect-json.md)."),
    strict: bool = typer.Option(
        False, "--strict", help="Refuse files with envelope or layout faults instead of reading them."
    ),
) -> None:
    """Per file and transaction: type, control numbers, payer, payment, BPR02, claims, sums, findings.

    Envelope faults (SE01 count, control numbers, text around the interchange) and unknown codes are
    findings of a file that was read. Exit 0 when every file was read (an imbalance or a finding is not a
    failure), 1 when any file cannot be read.
    """
    from connector.codetables import load_code_lists

    codes = load_code_lists()
    results = []
    for path in files:
        with _open(path) as data:
            results.append(inspect_bytes(data, str(path), strict=strict, codes=codes))
    if as_json:
        say(json.dumps({"schema": SCHEMA, "files": results}, indent=2))
    else:
        for result in results:
            if not result["ok"]:
                err = result["error"]
                where = ", ".join(
                    f"{k.replace('_', ' ')} {err[k]}"
                    for k in ("offset", "segment_number")
                    if err[k] is not None
                )
                seg = f" {err['segment_id']}" if err["segment_id"] else ""
                el = f" element {err['element']}" if err["element"] else ""
                say(f"{result['file']}: MALFORMED ({where}{seg}{el}): {err['message']}", err=True)
                continue
            say(f"{result['file']}: {len(result['transactions'])} transaction set(s)")
            for txn in result["transactions"]:
                say(_line(txn))
                for f in txn.get("findings", []):
                    where = f" claim {f['claim_id']}" if f["claim_id"] else ""
                    line = f" line {f['line_index'] + 1}" if f["line_index"] is not None else ""
                    found = f"expected {f['expected']}, found {f['actual']}"
                    say(f"    finding [{f['level']}]{where}{line}: {found}")
                for f in txn["read_findings"]:
                    say(f"    finding [{f['kind']}] {read_finding_text(f)}")
    if not all(r["ok"] for r in results):
        raise typer.Exit(1)


@app.command()
def validate(files: list[Path] = FILES) -> None:
    """Structural validation of 837 files. Exit 0 when every file is well formed, 1 when any is not."""
    failed = False
    for path in files:
        with _open(path) as data:
            try:
                warnings = validate_837(data, str(path))
            except X12ParseError as err:
                say(f"{path}: INVALID: {err}", err=True)
                failed = True
                continue
        say(f"{path}: OK ({len(warnings)} warning(s))")
        for warning in warnings:
            say(f"  warning: {warning}")
    if failed:
        raise typer.Exit(1)
