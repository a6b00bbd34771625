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


# One Chromium for the whole test session (through connector.browser), a fresh context per test.
from collections.abc import AsyncIterator  # noqa: E402

from playwright.async_api import BrowserContext  # noqa: E402

from connector.browser import BrowserSession  # noqa: E402
from connector.errors import BrowserError  # noqa: E402


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[BrowserSession]:
    """The test session's only Chromium."""
    session = BrowserSession()
    try:
        await session.start()
    except BrowserError as exc:
        skip_or_fail(f"Chromium unavailable: {exc}")
    yield session
    await session.close()


@pytest.fixture
async def context(browser: BrowserSession) -> AsyncIterator[BrowserContext]:
    """A fresh browser context for one test."""
    ctx = await browser.new_context()
    yield ctx
    await ctx.close()


# pyx12 as the referee for the 837s we write (session-wide: PM, claims and X12 tests use it).
import io  # noqa: E402
import logging  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Callable  # noqa: E402


def _pyx12_errors(data: bytes) -> list[str]:
    """Validate ``data`` with pyx12 4.0.0 and return its ERROR lines (empty = valid; its exit code lies)."""
    import pyx12.error_handler
    import pyx12.params
    import pyx12.x12n_document

    logger = logging.getLogger("pyx12")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.ERROR)
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "claims.837"
            path.write_bytes(data)
            ok = pyx12.x12n_document.x12n_document(pyx12.params.params(), str(path), io.StringIO(), None)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    errors = [line for line in stream.getvalue().splitlines() if line.strip()]
    if not ok and not errors:
        errors.append("pyx12 reported failure without an error line")
    return errors


@pytest.fixture(scope="session")
def pyx12_errors() -> Callable[[bytes], list[str]]:
    return _pyx12_errors


@pytest.fixture(autouse=True)
def _fresh_schema_checks() -> Iterator[None]:
    """Each test starts as a new process would: no database remembered as already at the head (tests
    reuse database URLs and change their revision)."""
    from connector.store import db

    db._AT_HEAD.clear()
    yield
    db._AT_HEAD.clear()
    db.dispose_shared_engines()  # no pooled connection outlives its test (databases are dropped)
