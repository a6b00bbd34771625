"""Fee schedule (contracted amount per unit by procedure and modifiers) read from CSV text."""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation

from connector.errors import InputError


def read_fee_schedule(text: str, source: str = "fee schedule") -> dict[str, Decimal]:
    """Rows of procedure, optional modifiers (``26`` or ``26:59``) and amount -> ``CODE[:MODS]`` -> amount."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    fields = {(name or "").strip().lower(): name for name in reader.fieldnames or []}
    code_field = fields.get("procedure_code") or fields.get("procedure") or fields.get("code")
    amount_field = fields.get("amount") or fields.get("expected_amount") or fields.get("allowed")
    modifier_field = fields.get("modifiers") or fields.get("modifier")
    if code_field is None or amount_field is None:
        raise InputError(f"{source}: needs procedure and amount columns")
    out: dict[str, Decimal] = {}
    for number, row in enumerate(reader, start=2):
        code = (row.get(code_field) or "").strip().upper()
        if not code:
            continue
        modifiers = sorted(
            m for m in (row.get(modifier_field or "") or "").upper().replace(" ", "").split(":") if m
        )
        try:
            amount = Decimal((row.get(amount_field) or "").replace(",", "").replace("$", "").strip())
        except InvalidOperation as exc:
            raise InputError(f"{source}: row {number}: unreadable amount") from exc
        out[":".join([code, *modifiers])] = amount
    return out
