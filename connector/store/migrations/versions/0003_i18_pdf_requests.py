"""PDF remits asked for and not yet collected (Optum Pay's EPRA queue): table pdf_request.

Revision ID: i18_pdf_requests
Revises: 0002
Create Date: 2026-11-30 22:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i18_pdf_requests"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create pdf_request."""
    op.create_table(
        "pdf_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("portal_reference", sa.String(), nullable=False),
        sa.Column("payment_number", sa.String(), nullable=True),
        sa.Column("payment_date", sa.Date(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_pdf_request_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["run.id"], name=op.f("fk_pdf_request_run_id_run"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pdf_request")),
        sa.UniqueConstraint(
            "account_id", "portal_reference", name=op.f("uq_pdf_request_account_id_portal_reference")
        ),
    )


def downgrade() -> None:
    """Drop pdf_request."""
    op.drop_table("pdf_request")
