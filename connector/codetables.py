"""Load the code tables and the reason book from ``mappings/`` (an override folder wins, pyx12 style).

The pure core (``connector.x12``, ``connector.reconcile``, ``connector.scrub``) parses and uses these tables
but never reads a file: callers load them here and pass them in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from connector.reconcile.reasons import Describer, ReasonBook, reason_book_from
from connector.resources import mapping_file
from connector.x12.code_check import CodeLists
from connector.x12.codes import TABLES, CodeTable, parse_code_table


def load_code_table(name: str, override_dir: Path | None = None) -> CodeTable:
    """Load ``mappings/codes/<name>.tsv``; a same-named file in ``override_dir`` wins (pyx12 style)."""
    if name not in TABLES and override_dir is None:
        raise ValueError(f"unknown code table {name!r}; known: {', '.join(TABLES)}")
    path = mapping_file(f"codes/{name}.tsv", override_dir)
    return parse_code_table(path.read_text(encoding="utf-8"), name)


def load_code_lists(override_dir: Path | None = None) -> CodeLists:
    """The CARC, RARC and group code lists an 835's codes are checked against (``read_835(codes=...)``)."""
    return CodeLists(
        load_code_table("carc", override_dir),
        load_code_table("rarc", override_dir),
        load_code_table("group_codes", override_dir),
    )


def x12_describer(override_dir: Path | None = None) -> Describer | None:
    """Descriptions from the X12 code tables (CARC, RARC, PLB reasons); None when they cannot be read."""
    try:
        tables = {
            key: load_code_table(name, override_dir)
            for key, name in (("carc", "carc"), ("rarc", "rarc"), ("plb", "plb_reasons"))
        }
    except (OSError, ValueError):
        return None

    def describe(table: str, code: str) -> str:
        found = tables.get(table)
        return found.codes.get(code.strip(), "") if found is not None else ""

    return describe


def load_reason_book(path: Path | None = None, override_dir: Path | None = None) -> ReasonBook:
    """Read the reason table (default ``mappings/reconcile/reasons.yaml``) and hook in the X12 code tables."""
    source = path or mapping_file("reconcile/reasons.yaml", override_dir)
    data: dict[str, Any] = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    return reason_book_from(data, x12_describer(override_dir))
