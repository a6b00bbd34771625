"""Logging set-up: text or JSON lines, with every configured secret and SSN-shaped number masked."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime

from connector.safetext import printable

MASK = "***"
_SSN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b")
_secrets: set[str] = set()


def register_secrets(values: Iterable[str]) -> None:
    """Add secret values that must never appear in any log record."""
    _secrets.update(v for v in values if v and len(v) >= 4)


def registered_secrets() -> list[str]:
    """The secret values registered so far (for scrubbing files such as kept traces)."""
    return sorted(_secrets)


def redact(text: str) -> str:
    """Mask registered secrets and SSN-shaped numbers in ``text``."""
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return _SSN.sub("***-**-****", text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (and exception text) with secrets masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.msg = printable(redact(message), keep="\n\t")  # an ESC sequence from input is shown escaped
        record.args = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:
            payload["exception"] = record.exc_text
        return json.dumps(payload, ensure_ascii=False)


def configure_logging(fmt: str = "text", level: str = "INFO") -> None:
    """Install one stderr handler with the redaction filter on the root logger."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_connector", False):
            root.removeHandler(old)
    handler._connector = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    for noisy in ("alembic", "httpx", "apscheduler.scheduler"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
