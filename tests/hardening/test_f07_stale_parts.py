"""Finding 7: half-written files are swept where files are actually written (downloads/<account>/eras, acks,
reports, traces ...), not only from downloads/ and downloads/<account>/."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from connector.ops.recovery import recover

pytestmark = pytest.mark.finding(7)

WHERE = [
    "downloads/clinic/eras/.era-0001.835.k3j2.part",
    "downloads/clinic/acks/.999-0001.x12.a8f1.part",
    "downloads/clinic/pdfs/.remit-1.pdf.q1.part",
    "reports/clinic/.reconciliation-2026-11-30.xlsx.zz.part",
    "traces/.run-7.zip.raw.part",
    "outbox/clinic/.batch-1.837.p0.part",
    "downloads/.top.part",
]


def test_recovery_sweeps_every_folder_files_are_written_in(tmp_path: Path) -> None:
    data = tmp_path / "data"
    old = time.time() - 3600
    for relative in WHERE:
        part = data / relative
        part.parent.mkdir(parents=True, exist_ok=True)
        part.write_bytes(b"half a file")
        os.utime(part, (old, old))
    fresh = data / "downloads" / "clinic" / "eras" / ".era-0002.835.busy.part"
    fresh.write_bytes(b"another process is writing this right now")
    kept = data / "downloads" / "clinic" / "eras" / "era-0001.835"
    kept.write_bytes(b"ISA*...")
    os.utime(kept, (old, old))
    recover(f"sqlite:///{data / 'connector.db'}", data)
    left = sorted(str(p.relative_to(data)) for p in data.rglob("*.part"))
    assert left == [str(fresh.relative_to(data))]
    assert kept.is_file()
