"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-29 15:09:16.231103
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("practice_name", sa.String(length=200), nullable=False),
        sa.Column("portal_kind", sa.String(length=64), nullable=False),
        sa.Column("base_url", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("key", name=op.f("uq_account_key")),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    op.create_index(op.f("ix_audit_event_at"), "audit_event", ["at"], unique=False)

    op.create_table(
        "control_number",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("next_value", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_control_number")),
    )
    op.create_table(
        "scheduler_lease",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_lease")),
    )
    op.create_table(
        "run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "RUNNING",
                "SUCCEEDED",
                "FAILED",
                "SKIPPED",
                "INTERRUPTED",
                name="run_outcome",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("error_class", sa.String(length=200), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("artifacts", sa.JSON(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("host", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_run_account_id_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run")),
    )
    op.create_index("ix_run_job_account_started", "run", ["job", "account_id", "started_at"], unique=False)
    op.create_index("ix_run_outcome_heartbeat", "run", ["outcome", "heartbeat_at"], unique=False)

    op.create_table(
        "submission_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("isa13", sa.String(length=16), nullable=False),
        sa.Column("gs06", sa.String(length=16), nullable=False),
        sa.Column("st02", sa.String(length=16), nullable=False),
        sa.Column("claim_count", sa.Integer(), nullable=False),
        sa.Column("file_path", sa.String(length=1024), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "PENDING",
                "SUBMITTED",
                "UNKNOWN",
                "ACCEPTED",
                "REJECTED",
                "DUPLICATE",
                name="batch_state",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("portal_batch_id", sa.String(length=100), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_submission_batch_account_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_batch")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_submission_batch_idempotency_key")),
    )
    op.create_index(op.f("ix_submission_batch_state"), "submission_batch", ["state"], unique=False)

    op.create_table(
        "claim_status_observation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_number", sa.String(length=50), nullable=False),
        sa.Column("payer_claim_number", sa.String(length=50), nullable=True),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_category", sa.String(length=8), nullable=True),
        sa.Column("status_code", sa.String(length=8), nullable=True),
        sa.Column("status_text", sa.Text(), nullable=False),
        sa.Column("paid_amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("payment_number", sa.String(length=80), nullable=True),
        sa.Column("payment_date", sa.Date(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_claim_status_observation_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["run.id"], name=op.f("fk_claim_status_observation_run_id_run"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_status_observation")),
    )
    op.create_index(
        "ix_claim_status_observation_claim_observed",
        "claim_status_observation",
        ["claim_number", "observed_at"],
        unique=False,
    )

    op.create_table(
        "downloaded_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "835",
                "PDF",
                "999",
                "277CA",
                "277",
                name="file_kind",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("stored_path", sa.String(length=1024), nullable=False),
        sa.Column("payer_id", sa.String(length=80), nullable=True),
        sa.Column("payment_number", sa.String(length=80), nullable=True),
        sa.Column("isa13", sa.String(length=16), nullable=True),
        sa.Column("gs06", sa.String(length=16), nullable=True),
        sa.Column("portal_reference", sa.String(length=200), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["run.id"], name=op.f("fk_downloaded_file_run_id_run"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_downloaded_file")),
        sa.UniqueConstraint("sha256", name=op.f("uq_downloaded_file_sha256")),
    )
    op.create_index(
        "ix_downloaded_file_payer_payment", "downloaded_file", ["payer_id", "payment_number"], unique=False
    )

    op.create_table(
        "reconciliation_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("totals", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_reconciliation_run_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["run.id"], name=op.f("fk_reconciliation_run_run_id_run"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliation_run")),
    )
    op.create_table(
        "acknowledgement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("999", "277CA", name="ack_kind", native_enum=False, create_constraint=True, length=16),
            nullable=False,
        ),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("accepted_count", sa.Integer(), nullable=False),
        sa.Column("rejected_count", sa.Integer(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["submission_batch.id"], name=op.f("fk_acknowledgement_batch_id_submission_batch")
        ),
        sa.ForeignKeyConstraint(
            ["file_id"], ["downloaded_file.id"], name=op.f("fk_acknowledgement_file_id_downloaded_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acknowledgement")),
    )
    op.create_index(op.f("ix_acknowledgement_batch_id"), "acknowledgement", ["batch_id"], unique=False)
    op.create_index(op.f("ix_acknowledgement_file_id"), "acknowledgement", ["file_id"], unique=False)

    op.create_table(
        "remittance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("payment_number", sa.String(length=80), nullable=False),
        sa.Column("payer_id", sa.String(length=80), nullable=False),
        sa.Column("payer_name", sa.String(length=200), nullable=False),
        sa.Column("originating_company_id", sa.String(length=80), nullable=False),
        sa.Column("payee_name", sa.String(length=200), nullable=False),
        sa.Column("payee_npi", sa.String(length=10), nullable=True),
        sa.Column("payee_tin", sa.String(length=20), nullable=True),
        sa.Column("handling_code", sa.String(length=2), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("credit_debit", sa.String(length=1), nullable=False),
        sa.Column("payment_method", sa.String(length=3), nullable=False),
        sa.Column("payment_date", sa.Date(), nullable=True),
        sa.Column("production_date", sa.Date(), nullable=True),
        sa.Column("isa13", sa.String(length=16), nullable=False),
        sa.Column("gs06", sa.String(length=16), nullable=False),
        sa.Column("st02", sa.String(length=16), nullable=False),
        sa.Column("claim_count", sa.Integer(), nullable=False),
        sa.Column("balanced", sa.Boolean(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"], ["downloaded_file.id"], name=op.f("fk_remittance_file_id_downloaded_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remittance")),
        sa.UniqueConstraint(
            "payer_id", "payment_number", "isa13", "gs06", "st02", name="uq_remittance_dedupe_key"
        ),
    )
    op.create_index(op.f("ix_remittance_file_id"), "remittance", ["file_id"], unique=False)
    op.create_index("ix_remittance_payment_number", "remittance", ["payment_number"], unique=False)

    op.create_table(
        "claim_payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("remittance_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("patient_control_number", sa.String(length=50), nullable=False),
        sa.Column("status_code", sa.String(length=2), nullable=False),
        sa.Column("charge", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("paid", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("patient_responsibility", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("filing_indicator", sa.String(length=2), nullable=False),
        sa.Column("payer_claim_number", sa.String(length=50), nullable=False),
        sa.Column("facility_type", sa.String(length=2), nullable=False),
        sa.Column("frequency_code", sa.String(length=1), nullable=False),
        sa.Column("patient_last_name", sa.String(length=60), nullable=False),
        sa.Column("patient_first_name", sa.String(length=35), nullable=False),
        sa.Column("member_id", sa.String(length=80), nullable=False),
        sa.Column("received_date", sa.Date(), nullable=True),
        sa.Column("statement_from", sa.Date(), nullable=True),
        sa.Column("statement_to", sa.Date(), nullable=True),
        sa.Column("remark_codes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["remittance_id"],
            ["remittance.id"],
            name=op.f("fk_claim_payment_remittance_id_remittance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_payment")),
    )
    op.create_index(
        op.f("ix_claim_payment_patient_control_number"),
        "claim_payment",
        ["patient_control_number"],
        unique=False,
    )
    op.create_index(
        op.f("ix_claim_payment_payer_claim_number"), "claim_payment", ["payer_claim_number"], unique=False
    )
    op.create_index(op.f("ix_claim_payment_remittance_id"), "claim_payment", ["remittance_id"], unique=False)

    op.create_table(
        "provider_adjustment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("remittance_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.String(length=50), nullable=False),
        sa.Column("fiscal_period_date", sa.Date(), nullable=True),
        sa.Column("reason_code", sa.String(length=2), nullable=False),
        sa.Column("reference", sa.String(length=50), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["remittance_id"],
            ["remittance.id"],
            name=op.f("fk_provider_adjustment_remittance_id_remittance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_adjustment")),
    )
    op.create_index(
        op.f("ix_provider_adjustment_remittance_id"), "provider_adjustment", ["remittance_id"], unique=False
    )

    op.create_table(
        "service_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("procedure_qualifier", sa.String(length=2), nullable=False),
        sa.Column("procedure_code", sa.String(length=48), nullable=False),
        sa.Column("modifiers", sa.String(length=16), nullable=False),
        sa.Column("charge", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("paid", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("allowed", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("revenue_code", sa.String(length=8), nullable=False),
        sa.Column("units", sa.Numeric(precision=15, scale=3), nullable=True),
        sa.Column("original_procedure_code", sa.String(length=48), nullable=True),
        sa.Column("original_modifiers", sa.String(length=16), nullable=True),
        sa.Column("original_units", sa.Numeric(precision=15, scale=3), nullable=True),
        sa.Column("service_date", sa.Date(), nullable=True),
        sa.Column("service_date_end", sa.Date(), nullable=True),
        sa.Column("line_control_number", sa.String(length=50), nullable=True),
        sa.Column("remark_codes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claim_payment.id"],
            name=op.f("fk_service_line_claim_id_claim_payment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_line")),
    )
    op.create_index(op.f("ix_service_line_claim_id"), "service_line", ["claim_id"], unique=False)
    op.create_index(
        op.f("ix_service_line_line_control_number"), "service_line", ["line_control_number"], unique=False
    )

    op.create_table(
        "adjustment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "CLAIM", "LINE", name="adjustment_level", native_enum=False, create_constraint=True, length=16
            ),
            nullable=False,
        ),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("service_line_id", sa.Integer(), nullable=True),
        sa.Column("group_code", sa.String(length=2), nullable=False),
        sa.Column("reason_code", sa.String(length=5), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=15, scale=3), nullable=True),
        sa.CheckConstraint(
            "(level = 'LINE') = (service_line_id IS NOT NULL)", name=op.f("ck_adjustment_level_matches_line")
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claim_payment.id"],
            name=op.f("fk_adjustment_claim_id_claim_payment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_line_id"],
            ["service_line.id"],
            name=op.f("fk_adjustment_service_line_id_service_line"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adjustment")),
    )
    op.create_index(op.f("ix_adjustment_claim_id"), "adjustment", ["claim_id"], unique=False)
    op.create_index(op.f("ix_adjustment_service_line_id"), "adjustment", ["service_line_id"], unique=False)

    op.create_table(
        "reconciliation_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reconciliation_run_id", sa.Integer(), nullable=False),
        sa.Column("claim_number", sa.String(length=50), nullable=False),
        sa.Column("claim_payment_id", sa.Integer(), nullable=True),
        sa.Column("service_line_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("expected", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("paid", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("difference", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_payment_id"],
            ["claim_payment.id"],
            name=op.f("fk_reconciliation_result_claim_payment_id_claim_payment"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reconciliation_run_id"],
            ["reconciliation_run.id"],
            name=op.f("fk_reconciliation_result_reconciliation_run_id_reconciliation_run"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_line_id"],
            ["service_line.id"],
            name=op.f("fk_reconciliation_result_service_line_id_service_line"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliation_result")),
    )
    op.create_index(
        "ix_reconciliation_result_run_category",
        "reconciliation_result",
        ["reconciliation_run_id", "category"],
        unique=False,
    )


def downgrade() -> None:
    """Revert this migration."""
    op.drop_index("ix_reconciliation_result_run_category", table_name="reconciliation_result")

    op.drop_table("reconciliation_result")
    op.drop_index(op.f("ix_adjustment_service_line_id"), table_name="adjustment")
    op.drop_index(op.f("ix_adjustment_claim_id"), table_name="adjustment")

    op.drop_table("adjustment")
    op.drop_index(op.f("ix_service_line_line_control_number"), table_name="service_line")
    op.drop_index(op.f("ix_service_line_claim_id"), table_name="service_line")

    op.drop_table("service_line")
    op.drop_index(op.f("ix_provider_adjustment_remittance_id"), table_name="provider_adjustment")

    op.drop_table("provider_adjustment")
    op.drop_index(op.f("ix_claim_payment_remittance_id"), table_name="claim_payment")
    op.drop_index(op.f("ix_claim_payment_payer_claim_number"), table_name="claim_payment")
    op.drop_index(op.f("ix_claim_payment_patient_control_number"), table_name="claim_payment")

    op.drop_table("claim_payment")
    op.drop_index("ix_remittance_payment_number", table_name="remittance")
    op.drop_index(op.f("ix_remittance_file_id"), table_name="remittance")

    op.drop_table("remittance")
    op.drop_index(op.f("ix_acknowledgement_file_id"), table_name="acknowledgement")
    op.drop_index(op.f("ix_acknowledgement_batch_id"), table_name="acknowledgement")

    op.drop_table("acknowledgement")
    op.drop_table("reconciliation_run")
    op.drop_index("ix_downloaded_file_payer_payment", table_name="downloaded_file")

    op.drop_table("downloaded_file")
    op.drop_index("ix_claim_status_observation_claim_observed", table_name="claim_status_observation")

    op.drop_table("claim_status_observation")
    op.drop_index(op.f("ix_submission_batch_state"), table_name="submission_batch")

    op.drop_table("submission_batch")
    op.drop_index("ix_run_outcome_heartbeat", table_name="run")
    op.drop_index("ix_run_job_account_started", table_name="run")

    op.drop_table("run")
    op.drop_table("scheduler_lease")
    op.drop_table("control_number")
    op.drop_index(op.f("ix_audit_event_at"), table_name="audit_event")

    op.drop_table("audit_event")
    op.drop_table("account")
