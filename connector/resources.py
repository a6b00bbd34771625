"""Find the data folders (selectors, mappings, recordings) in a source checkout or an installed wheel."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

DataKind = Literal["selectors", "mappings", "recordings"]

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir(kind: DataKind) -> Path:
    """Return the folder holding ``kind`` data.

    Order: ``CONNECTOR_<KIND>_DIR`` from the environment; the copy inside an installed wheel
    (``connector/_data/<kind>``); the top-level folder of a source checkout.
    """
    override = os.environ.get(f"CONNECTOR_{kind.upper()}_DIR")
    if override:
        return Path(override)
    packaged = _PACKAGE_DIR / "_data" / kind
    if packaged.is_dir():
        return packaged
    checkout = _PACKAGE_DIR.parent / kind
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"data folder {kind!r} not found (looked in {packaged} and {checkout})")


def mapping_file(relative: str, override_dir: Path | None = None) -> Path:
    """Return a file under ``mappings/``, preferring a same-named one in ``override_dir`` (pyx12 style)."""
    if override_dir is not None:
        candidate = Path(override_dir) / relative
        if candidate.is_file():
            return candidate
    return data_dir("mappings") / relative
