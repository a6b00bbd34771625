"""PM test fixtures: pyx12 as the referee for built 837s, a private control-number store."""

from __future__ import annotations

import io
import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pm"


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


@pytest.fixture()
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'connector.db'}"
