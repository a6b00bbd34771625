"""Saving parsed 835 remittances (connector.x12 models) into the ERA tables, deduped on the full key."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from connector.store._sql import insert_ignoring_conflict
from connector.store.era_rows import (
    Row,
    adjustment_rows,
    claim_row,
    dedupe_key,
    line_row,
    provider_adjustment_rows,
    remittance_row,
)
from connector.store.models import (
    AdjustmentRow,
    ClaimPaymentRow,
    ProviderAdjustmentRow,
    RemittanceRow,
    ServiceLineRow,
)
from connector.store.models_base import Base
from connector.store.types import utcnow
from connector.x12.models import Remittance

DEDUPE_COLUMNS = ["payer_id", "payment_number", "isa13", "gs06", "st02"]


def find_remittance(session: Session, key: tuple[str, str, str, str, str]) -> RemittanceRow | None:
    """The stored remittance with this dedupe key (see ``dedupe_key``), if any."""
    payer_id, payment_number, isa13, gs06, st02 = key
    return session.scalars(
        select(RemittanceRow).where(
            RemittanceRow.payer_id == payer_id,
            RemittanceRow.payment_number == payment_number,
            RemittanceRow.isa13 == isa13,
            RemittanceRow.gs06 == gs06,
            RemittanceRow.st02 == st02,
        )
    ).one_or_none()


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _insert_returning_ids(session: Session, model: type[Base], rows: Sequence[Row]) -> list[int]:
    if not rows:
        return []
    table = _table(model)
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(session.execute(statement, list(rows)).scalars())


def save_remittance(session: Session, remittance: Remittance, file_id: int) -> tuple[RemittanceRow, bool]:
    """Store one 835 transaction with its claims, lines, CAS and PLB; ``(row, False)`` if already stored.

    Deduped on (payer id, TRN02, ISA13, GS06, ST02), conflict-safe; rows go in as bulk inserts.
    """
    values = {**remittance_row(remittance, file_id), "created_at": utcnow()}
    statement = insert_ignoring_conflict(session, RemittanceRow, values, DEDUPE_COLUMNS)
    new_id = session.execute(statement.returning(RemittanceRow.id)).scalar_one_or_none()
    if new_id is None:
        existing = find_remittance(session, dedupe_key(remittance))
        assert existing is not None
        return existing, False
    plb_rows = provider_adjustment_rows(remittance, new_id)
    if plb_rows:
        session.execute(insert(_table(ProviderAdjustmentRow)), plb_rows)
    claim_ids = _insert_returning_ids(
        session, ClaimPaymentRow, [claim_row(c, new_id, i) for i, c in enumerate(remittance.claims)]
    )
    line_rows: list[Row] = []
    line_sources = []
    adjustments: list[Row] = []
    for claim, claim_id in zip(remittance.claims, claim_ids, strict=True):
        adjustments.extend(adjustment_rows(claim.adjustments, claim_id, None))
        for position, line in enumerate(claim.service_lines):
            line_rows.append(line_row(line, claim_id, position))
            line_sources.append((line, claim_id))
    line_ids = _insert_returning_ids(session, ServiceLineRow, line_rows)
    for (line, claim_id), line_id in zip(line_sources, line_ids, strict=True):
        adjustments.extend(adjustment_rows(line.adjustments, claim_id, line_id))
    if adjustments:
        session.execute(insert(_table(AdjustmentRow)), adjustments)
    row = session.get(RemittanceRow, new_id)
    assert row is not None
    return row, True
