"""Shared test fixtures: service availability rules, sample folders, the Postgres URL."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REQUIRE_ALL = os.environ.get("CONNECTOR_REQUIRE_ALL_TESTS") == "1"
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def skip_or_fail(reason: str) -> None:
    """Skip a test for a missing service or folder; under CONNECTOR_REQUIRE_ALL_TESTS=1 fail instead."""
    if REQUIRE_ALL:
        pytest.fail(f"required by CONNECTOR_REQUIRE_ALL_TESTS=1 but unavailable: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def x12_samples() -> Path:
    """The folder of public X12 samples (CONNECTOR_X12_SAMPLES, else ../shared/x12-samples)."""
    folder = Path(os.environ.get("CONNECTOR_X12_SAMPLES", PROJECT_ROOT.parent / "shared" / "x12-samples"))
    if not (folder / "SOURCES.tsv").is_file():
        skip_or_fail(f"X12 sample folder not found at {folder}")
    return folder


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The PostgreSQL URL for storage tests (CONNECTOR_TEST_POSTGRES_URL)."""
    url = os.environ.get("CONNECTOR_TEST_POSTGRES_URL")
    if not url:
        skip_or_fail("CONNECTOR_TEST_POSTGRES_URL is not set")
    assert url is not None
    return url
