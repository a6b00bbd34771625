"""Eligibility checks (issue 15): one row per patient, date of service and day checked.

Revision ID: i15_eligibility
Revises: i16_web_users
Create Date: 2026-11-30 22:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i15_eligibility"
down_revision: str | None = "i16_web_users"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "eligibility_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("patient_key", sa.String(), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("estimate", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("alerted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_eligibility_check_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["run.id"], name=op.f("fk_eligibility_check_run_id_run"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eligibility_check")),
        sa.UniqueConstraint(
            "account_id",
            "patient_key",
            "service_date",
            "checked_on",
            name=op.f("uq_eligibility_check_account_id_patient_key_service_date_checked_on"),
        ),
    )
    op.create_index(
        "ix_eligibility_check_account_checked",
        "eligibility_check",
        ["account_id", "checked_on"],
        unique=False,
    )


def downgrade() -> None:
    """Revert this migration."""
    op.drop_index("ix_eligibility_check_account_checked", table_name="eligibility_check")
    op.drop_table("eligibility_check")
