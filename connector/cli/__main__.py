"""Allow ``python -m connector.cli``."""

from __future__ import annotations

from connector.cli import main

main()
