"""The benchmark script still runs end to end (tiny sizes; the real figures come from running it by hand)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_runs_and_every_parser_agrees(tmp_path: Path) -> None:
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "x12_parse.py"),
            "--sizes",
            "300",
            "--repeat",
            "1",
            "--context-max",
            "300",
            "--dir",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    rows = [line.split() for line in out.stdout.splitlines() if line.strip().startswith("300 ")]
    assert {row[1] for row in rows} == {"ours", "naive", "pyx12_raw", "pyx12_rawfile", "pyx12_context"}
    assert (tmp_path / "era_300.835").stat().st_size > 10_000
