"""Descriptions of the codes the dashboard shows (claim status category and code, CARC, RARC)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from connector.codetables import load_code_table
from connector.x12.codes import CodeTable


@functools.cache
def table(name: str) -> CodeTable | None:
    """A code table from the package's mappings (None when it cannot be read)."""
    try:
        return load_code_table(name)
    except (OSError, ValueError, KeyError):
        return None


def describe(name: str, code: str) -> str:
    """The description of ``code`` in table ``name`` ("" when unknown)."""
    found = table(name)
    return found.codes.get(code.strip(), "") if found is not None and code else ""


def describe_status(status: Mapping[str, Any]) -> str:
    """'A7 Acknowledgement/Rejected for invalid information; 562 Entity's National Provider Identifier'."""
    category, code = str(status.get("category") or ""), str(status.get("code") or "")
    parts = [f"{category} {describe('status_category', category)}".strip()]
    if code:
        parts.append(f"{code} {describe('claim_status', code)}".strip())
    return "; ".join(p for p in parts if p)
