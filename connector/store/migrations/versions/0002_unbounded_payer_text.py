"""Payer-supplied text columns without length limits: a long value from a payer must not stop a run.

SQLite does not enforce VARCHAR lengths, so only PostgreSQL needs the change (and SQLite's batch mode
would have to recreate parent tables, which cascades deletes when foreign keys are on).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 15:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("account", "practice_name", 200),
    ("account", "base_url", 500),
    ("submission_batch", "isa13", 16),
    ("submission_batch", "gs06", 16),
    ("submission_batch", "st02", 16),
    ("submission_batch", "portal_batch_id", 100),
    ("claim_status_observation", "claim_number", 50),
    ("claim_status_observation", "payer_claim_number", 50),
    ("claim_status_observation", "status_category", 8),
    ("claim_status_observation", "status_code", 8),
    ("claim_status_observation", "payment_number", 80),
    ("downloaded_file", "payer_id", 80),
    ("downloaded_file", "payment_number", 80),
    ("downloaded_file", "isa13", 16),
    ("downloaded_file", "gs06", 16),
    ("downloaded_file", "portal_reference", 200),
    ("remittance", "payment_number", 80),
    ("remittance", "payer_id", 80),
    ("remittance", "payer_name", 200),
    ("remittance", "originating_company_id", 80),
    ("remittance", "payee_name", 200),
    ("remittance", "payee_npi", 10),
    ("remittance", "payee_tin", 20),
    ("remittance", "handling_code", 2),
    ("remittance", "credit_debit", 1),
    ("remittance", "payment_method", 3),
    ("remittance", "isa13", 16),
    ("remittance", "gs06", 16),
    ("remittance", "st02", 16),
    ("claim_payment", "patient_control_number", 50),
    ("claim_payment", "status_code", 2),
    ("claim_payment", "filing_indicator", 2),
    ("claim_payment", "payer_claim_number", 50),
    ("claim_payment", "facility_type", 2),
    ("claim_payment", "frequency_code", 1),
    ("claim_payment", "patient_last_name", 60),
    ("claim_payment", "patient_first_name", 35),
    ("claim_payment", "member_id", 80),
    ("provider_adjustment", "provider_id", 50),
    ("provider_adjustment", "reason_code", 2),
    ("provider_adjustment", "reference", 50),
    ("service_line", "procedure_qualifier", 2),
    ("service_line", "procedure_code", 48),
    ("service_line", "modifiers", 16),
    ("service_line", "revenue_code", 8),
    ("service_line", "original_procedure_code", 48),
    ("service_line", "original_modifiers", 16),
    ("service_line", "line_control_number", 50),
    ("adjustment", "group_code", 2),
    ("adjustment", "reason_code", 5),
    ("reconciliation_result", "claim_number", 50),
    ("reconciliation_result", "category", 32),
)
"""(table, column, length in 0001)."""


def upgrade() -> None:
    """Drop the length limit of every payer-supplied text column (PostgreSQL only)."""
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, column, length in COLUMNS:
        op.alter_column(table, column, type_=sa.String(), existing_type=sa.String(length=length))


def downgrade() -> None:
    """Restore the 0001 limits (fails if a longer value has been stored since)."""
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, column, length in COLUMNS:
        op.alter_column(table, column, type_=sa.String(length=length), existing_type=sa.String())
