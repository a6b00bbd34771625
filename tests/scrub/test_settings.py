"""Scrub settings: the shipped payer table, inheritance of defaults, and errors that name the key."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from connector.claims.scrub_tables import load_scrub_settings
from connector.errors import ConfigError
from connector.scrub import from_mappings


def test_shipped_settings() -> None:
    settings = load_scrub_settings()
    assert settings.for_payer("87726").timely_filing_days == 90
    assert settings.for_payer("60054").timely_filing_days == 120
    assert settings.for_payer("UNLISTED").timely_filing_days == 90  # UHC-style default
    assert {"11", "22", "99"} <= settings.places_of_service and "30" not in settings.places_of_service
    assert settings.unit_maxima["99213"] == Decimal("1")
    assert "BILLING-ZIP9" in settings.for_payer("MEDICARE").disabled


def test_payer_entries_inherit_defaults() -> None:
    settings = from_mappings(
        {
            "default": {"timely_filing_days": 100, "disabled_rules": ["MOD-59-REVIEW"]},
            "payers": {"X": {"disabled_rules": ["TIMELY-FILING"]}, "Y": {"timely_filing_days": 30}},
        }
    )
    assert settings.for_payer("X").timely_filing_days == 100
    assert settings.for_payer("X").disabled == {"MOD-59-REVIEW", "TIMELY-FILING"}
    assert settings.for_payer("Y").timely_filing_days == 30 and settings.for_payer("Y").disabled == {
        "MOD-59-REVIEW"
    }


@pytest.mark.parametrize(
    ("payers_yaml", "message"),
    [
        ("payers:\n  X:\n    timely_filing_days: -5\n", "payers.X: timely_filing_days"),
        ("default:\n  disabled_rules: NPI-BILLING\n", "default: disabled_rules must be a list"),
        ("payers: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_settings_name_the_file_and_key(tmp_path: Path, payers_yaml: str, message: str) -> None:
    (tmp_path / "scrub").mkdir()
    (tmp_path / "scrub" / "payers.yaml").write_text(payers_yaml)
    with pytest.raises(ConfigError, match=r"payers\.yaml") as info:
        load_scrub_settings(tmp_path)
    assert message in str(info.value)
