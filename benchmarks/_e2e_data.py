"""Data sets of the end-to-end reconcile benchmark: the sandbox generator's practice at a given claim count.

Written once into a cache folder and reused (generating 100,000 claims takes about a minute):
``<cache>/claims-N/`` holds ``eras/`` (one 835 per payment, as the portal serves them), ``single/`` (the same
claims in one 835 with one ST..SE), ``pm-export.csv`` and ``bank-deposits.csv``; ``meta.json`` says what is in
it. Used by ``benchmarks/reconcile_e2e.py``; not a benchmark on its own (``make bench`` skips ``_*.py``).
"""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from pathlib import Path

CLAIMS_PER_PAYMENT_DAY = 4.06
"""Claims the generator makes per payment day (measured: 1,600 days -> 6,494 claims)."""
SEED = 20261127


def folder_for(cache: Path, claims: int) -> Path:
    """The cache folder of a data set of about ``claims`` claims."""
    return cache / f"claims-{claims}"


def prepare(cache: Path, claims: int) -> Path:
    """Generate (once) the data set of about ``claims`` claims; returns its folder."""
    from connector.fileio import atomic_write_bytes
    from connector.sandbox import era, exports
    from connector.sandbox.generator import generate
    from connector.x12 import ControlNumbers, write_835

    folder = folder_for(cache, claims)
    meta = folder / "meta.json"
    if meta.exists():
        return folder
    (folder / "eras").mkdir(parents=True, exist_ok=True)
    (folder / "single").mkdir(exist_ok=True)
    data = generate(seed=SEED, payments=max(12, round(claims / CLAIMS_PER_PAYMENT_DAY)))
    atomic_write_bytes(folder / "pm-export.csv", exports.pm_csv_bytes(data))
    atomic_write_bytes(folder / "bank-deposits.csv", exports.bank_csv_bytes(data))
    era_bytes = 0
    clps = 0
    for payment in data.payments:
        raw = era.era_bytes(data, payment)
        era_bytes += len(raw)
        clps += len(payment.claims)
        (folder / "eras" / era.era_filename(payment)).write_bytes(raw)
    # the same claims and provider adjustments in one transaction (one ST..SE), paid on the last day
    last = data.payments[-1]
    every = dataclasses.replace(last, payment_number="1999999999")
    every.claims = [c for p in data.payments for c in p.claims]
    every.adjustments = [a for p in data.payments for a in p.adjustments]
    remit = era.remittance(data, every)
    remit.payment_amount = sum((p.amount for p in data.payments), Decimal(0))
    control = ControlNumbers(interchange=999999, group=999999, sender_id=data.payer.payer_id,
                             receiver_id=data.practice.tin)  # fmt: skip
    (folder / "single" / "ERA_ALL.835").write_bytes(write_835(remit, control=control))
    info = {
        "seed": SEED,
        "claims": len(data.claims),
        "pm_lines": sum(len(c.lines) for c in data.claims if c.in_pm),
        "era_files": len(data.payments),
        "era_mb": round(era_bytes / 1e6, 1),
        "era_claims": clps,
        "as_of": data.as_of.isoformat(),
    }
    meta.write_text(json.dumps(info, indent=2))
    return folder


def meta_of(folder: Path) -> dict[str, object]:
    """What a prepared data set holds."""
    return dict(json.loads((folder / "meta.json").read_text()))
