"""Fixtures of the X12 tests: the sample catalogue (SOURCES.tsv) parsed into expectations."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

MALFORMED_NAME = re.compile(r"(^bad_|^fail_|_errors|^x12_missing_|^x12_bad_|^trailer_errors)")


@dataclass(frozen=True)
class Sample:
    """One sample file and what SOURCES.tsv says about it."""

    path: Path
    kind: str
    notes: str

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def malformed(self) -> bool:
        """Malformed by name, or with envelope faults, or without an ISA envelope."""
        return bool(
            MALFORMED_NAME.search(self.name)
            or "ENVELOPE ISSUES" in self.notes
            or "NO ISA envelope" in self.notes
        )

    def figure(self, key: str) -> str | None:
        match = re.search(rf"(?:^|[ |]){re.escape(key)}=(-?[\d.]+)", self.notes)
        return match.group(1) if match else None

    def decimal(self, key: str) -> Decimal | None:
        value = self.figure(key)
        return Decimal(value) if value is not None else None


def load_samples(folder: Path) -> list[Sample]:
    samples = []
    lines = (folder / "SOURCES.tsv").read_text(encoding="utf-8").splitlines()
    for row in lines[1:]:
        cols = row.split("\t")
        if len(cols) < 6:
            continue
        path = folder / cols[0]
        if path.is_file():
            samples.append(Sample(path, cols[4], cols[5]))
    return samples


@pytest.fixture(scope="session")
def samples(x12_samples: Path) -> list[Sample]:
    """Every sample file listed in SOURCES.tsv that exists."""
    found = load_samples(x12_samples)
    assert found, "SOURCES.tsv lists no existing files"
    return found
