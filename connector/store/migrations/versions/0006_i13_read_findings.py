"""Findings of ERAs read past envelope faults, and the reason a file could not be read.

``remittance.read_findings``: envelope/layout faults and code findings of the transaction (JSON list).
``downloaded_file.unreadable_reason``: why a quarantined file was not read (NULL when it was read).

Revision ID: i13_read_findings
Revises: i15_eligibility
Create Date: 2026-11-30 22:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i13_read_findings"
down_revision: str | None = "i15_eligibility"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the two columns (existing rows: no findings, no reason); a plain ADD COLUMN on both databases."""
    op.add_column("remittance", sa.Column("read_findings", sa.JSON(), nullable=False, server_default="[]"))
    op.add_column("downloaded_file", sa.Column("unreadable_reason", sa.String(), nullable=True))


def downgrade() -> None:
    """Drop the two columns."""
    with op.batch_alter_table("downloaded_file") as batch:
        batch.drop_column("unreadable_reason")
    with op.batch_alter_table("remittance") as batch:
        batch.drop_column("read_findings")
