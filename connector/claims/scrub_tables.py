"""Load the scrub settings: ``mappings/scrub/`` (payers.yaml, unit_maxima.csv) and the shared POS table."""

from __future__ import annotations

import csv
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from connector.codetables import load_code_table
from connector.errors import ConfigError
from connector.resources import mapping_file
from connector.scrub.settings import ScrubSettings, from_mappings


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def load_places_of_service(override_dir: Path | None = None) -> frozenset[str]:
    """The CMS place-of-service codes: the shared ``mappings/codes/place_of_service.tsv`` table."""
    return frozenset(load_code_table("place_of_service", override_dir).codes)


def load_unit_maxima(override_dir: Path | None = None) -> dict[str, Decimal]:
    """Procedure code -> most units per line."""
    path = mapping_file("scrub/unit_maxima.csv", override_dir)
    maxima: dict[str, Decimal] = {}
    for number, row in enumerate(_csv_rows(path), start=2):
        try:
            maxima[row["code"].strip().upper()] = Decimal(row["max_units"].strip())
        except (KeyError, AttributeError, InvalidOperation):
            raise ConfigError(f"{path.name}, row {number}: needs a code and a numeric max_units") from None
    return maxima


def load_scrub_settings(override_dir: Path | None = None) -> ScrubSettings:
    """All scrub settings; ``override_dir`` files of the same name win over the shipped ones."""
    path = mapping_file("scrub/payers.yaml", override_dir)
    try:
        with path.open(encoding="utf-8") as fh:
            config = yaml.safe_load(fh) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path.name}: not valid YAML ({exc})") from exc
    try:
        return from_mappings(config, load_places_of_service(override_dir), load_unit_maxima(override_dir))
    except ValueError as exc:
        raise ConfigError(f"{path.name}: {exc}") from exc
