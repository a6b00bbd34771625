"""The bundled sandbox payer portal: seeded practice data, planted discrepancies, named faults."""

from __future__ import annotations
