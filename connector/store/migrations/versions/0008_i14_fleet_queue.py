"""The queue job a ledger run belongs to, so a stalled job's runs (and only those) can be closed.

``run.queue_job_id``: the procrastinate job id of a run made by a fleet worker (NULL for local runs).

Revision ID: i14_fleet_queue
Revises: i14_file_store
Create Date: 2026-12-01 02:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i14_fleet_queue"
down_revision: str | None = "i14_file_store"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the nullable column and its index (existing rows: local runs)."""
    op.add_column("run", sa.Column("queue_job_id", sa.BigInteger(), nullable=True))
    op.create_index("ix_run_queue_job_id", "run", ["queue_job_id"])


def downgrade() -> None:
    """Drop the index and the column."""
    op.drop_index("ix_run_queue_job_id", table_name="run")
    with op.batch_alter_table("run") as batch:
        batch.drop_column("queue_job_id")
