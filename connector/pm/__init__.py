"""Practice-management export readers (CSV/XLSX) driven by the column profiles in ``mappings/pm/*.yaml``."""

from __future__ import annotations
