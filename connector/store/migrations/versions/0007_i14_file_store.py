"""The shared file store (issue 14, fleet mode): encrypted blobs, named entries, the last TOTP step.

``file_blob``: one row per sha256 of a file's plain bytes (AES-256-GCM ciphertext, key id, nonce, size).
``file_entry``: (kind, account, generated name) -> sha256.
``totp_step``: per account, the last 30-second step whose one-time code was submitted.

Revision ID: i14_file_store
Revises: i13_read_findings
Create Date: 2026-12-01 01:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i14_file_store"
down_revision: str | None = "i13_read_findings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the three tables."""
    op.create_table(
        "file_blob",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.LargeBinary(length=12), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_file_blob")),
    )
    op.create_table(
        "file_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["sha256"], ["file_blob.sha256"], name=op.f("fk_file_entry_sha256_file_blob")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_entry")),
        sa.UniqueConstraint("kind", "account", "name", name=op.f("uq_file_entry_kind_account_name")),
    )
    op.create_index("ix_file_entry_sha256", "file_entry", ["sha256"], unique=False)
    op.create_table(
        "totp_step",
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("last_step", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account", name=op.f("pk_totp_step")),
    )


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_table("totp_step")
    op.drop_index("ix_file_entry_sha256", table_name="file_entry")
    op.drop_table("file_entry")
    op.drop_table("file_blob")
