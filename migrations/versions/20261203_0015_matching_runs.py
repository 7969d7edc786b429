"""matching runs: attempts, heartbeat, times, error and weights of a run, and its assignments

Revision ID: 0015
Revises: 0016
Create Date: 2026-12-03 13:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0015"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "runs",
        sa.Column(
            "weights",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        schema="matching",
    )
    op.add_column(
        "runs",
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        schema="matching",
    )
    for column in ("heartbeat_at", "started_at", "finished_at"):
        op.add_column(
            "runs", sa.Column(column, sa.DateTime(timezone=True), nullable=True), schema="matching"
        )
    op.add_column(
        "runs", sa.Column("error", sa.String(length=500), nullable=True), schema="matching"
    )
    op.create_index(
        "ix_runs_unfinished",
        "runs",
        ["status", "updated_at"],
        unique=False,
        schema="matching",
        postgresql_where=sa.text("status IN ('queued', 'running')"),
    )
    op.create_table(
        "run_assignments",
        sa.Column("run_id", sa.UUID(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("mentee_id", sa.UUID(), nullable=False),
        sa.Column("mentor_id", sa.UUID(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("factors", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("reasons", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["matching.runs.id"],
            name=op.f("fk_run_assignments_run_id_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_assignments")),
        schema="matching",
    )
    op.create_index(
        "uq_run_assignments_run_id_position",
        "run_assignments",
        ["run_id", "position"],
        unique=True,
        schema="matching",
    )
    op.create_index(
        op.f("ix_run_assignments_tenant_id"),
        "run_assignments",
        ["tenant_id"],
        unique=False,
        schema="matching",
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_run_assignments_tenant_id"), table_name="run_assignments", schema="matching"
    )
    op.drop_index(
        "uq_run_assignments_run_id_position", table_name="run_assignments", schema="matching"
    )
    op.drop_table("run_assignments", schema="matching")
    op.drop_index("ix_runs_unfinished", table_name="runs", schema="matching")
    for column in ("error", "finished_at", "started_at", "heartbeat_at", "attempts", "weights"):
        op.drop_column("runs", column, schema="matching")
