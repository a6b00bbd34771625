"""Run pyx12's validator (the independent referee) on bytes and collect its ERROR lines."""

from __future__ import annotations

import io
import logging
import tempfile
from pathlib import Path


def pyx12_errors(data: bytes) -> list[str]:
    """Validate ``data`` with pyx12 4.0.0; return the error messages (empty list = valid)."""
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
            param = pyx12.params.params()
            ok = pyx12.x12n_document.x12n_document(param, str(path), None, None)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    errors = [line for line in stream.getvalue().splitlines() if line.strip()]
    if not ok and not errors:
        errors.append("pyx12 reported failure without an error line")
    return errors
