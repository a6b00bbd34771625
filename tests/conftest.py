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


from collections.abc import Iterator  # noqa: E402  (appended by the sandbox fixture section)
from typing import TYPE_CHECKING  # noqa: E402

if TYPE_CHECKING:
    from connector.sandbox.server import SandboxServer

SANDBOX_SEED = 20261127
"""The fixed seed of the shared sandbox portal (the ground truth and PM export follow from it)."""


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    """ONE sandbox portal for the whole session on 127.0.0.1 (free port, background thread, fixed seed).

    Yields ``connector.sandbox.server.SandboxServer``: ``base_url``, ``username``, ``password``,
    ``totp_secret``, ``totp_now()``, ``pm_export_csv``, ``pm_export_xlsx``, ``bank_csv``, ``ground_truth``,
    ``data`` (the generated data set), ``reset()``, ``set_fault(name, value)``, ``set_variant("v1"|"v2")``,
    ``advance_acknowledgements()``. Acknowledgements appear at once (ack_delay 0) unless a test sets a delay.
    """
    from connector.sandbox.server import SandboxServer

    server = SandboxServer(tmp_path_factory.mktemp("sandbox"), seed=SANDBOX_SEED).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sandbox_fresh(sandbox: SandboxServer) -> Iterator[SandboxServer]:
    """The shared sandbox, reset to its pristine state after the test (faults off, no sessions, v1)."""
    sandbox.reset()
    try:
        yield sandbox
    finally:
        sandbox.reset()


from collections.abc import AsyncIterator  # noqa: E402  (the shared browser section)

if TYPE_CHECKING:
    from connector.browser import BrowserSession


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[BrowserSession]:
    """The test session's only Chromium (flows and dashboard tests share it)."""
    from connector.browser import BrowserSession
    from connector.errors import BrowserError

    session = BrowserSession()
    try:
        await session.start()
    except BrowserError as exc:
        skip_or_fail(f"Chromium unavailable: {exc}")
    yield session
    await session.close()
