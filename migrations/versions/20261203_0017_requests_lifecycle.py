"""requests lifecycle: the draft's body, its history, the programs' request policies, a
mentor's measured responsiveness, mentorships' agreed cadence and goals, applied cohort runs

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-03 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0017"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "goals",
        sa.Column("mentorship_id", sa.UUID(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("success_criteria", sa.Text(), server_default="", nullable=False),
        sa.Column("target_date", sa.Date(), nullable=True),
        sa.Column("progress", sa.Integer(), server_default="0", nullable=False),
        sa.Column("status", sa.String(length=20), server_default="active", nullable=False),
        sa.Column("created_by", sa.UUID(), nullable=True),
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
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["mentorship_id"],
            ["progress.mentorships.id"],
            name=op.f("fk_goals_mentorship_id_mentorships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goals")),
        schema="progress",
    )
    op.create_index(
        "ix_goals_mentorship",
        "goals",
        ["mentorship_id", "created_at"],
        unique=False,
        schema="progress",
    )
    op.create_index(
        op.f("ix_goals_tenant_id"), "goals", ["tenant_id"], unique=False, schema="progress"
    )
    op.create_table(
        "request_transitions",
        sa.Column("request_id", sa.UUID(), nullable=False),
        sa.Column("actor_id", sa.UUID(), nullable=True),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
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
            ["request_id"],
            ["proposals.requests.id"],
            name=op.f("fk_request_transitions_request_id_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_transitions")),
        schema="proposals",
    )
    op.create_index(
        "ix_request_transitions_request",
        "request_transitions",
        ["request_id", "created_at"],
        unique=False,
        schema="proposals",
    )
    op.create_index(
        op.f("ix_request_transitions_tenant_id"),
        "request_transitions",
        ["tenant_id"],
        unique=False,
        schema="proposals",
    )
    op.add_column(
        "runs",
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        schema="matching",
    )
    op.add_column(
        "runs",
        sa.Column("applied", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        schema="matching",
    )
    op.add_column(
        "profiles", sa.Column("response_median_hours", sa.Float(), nullable=True), schema="profiles"
    )
    op.add_column(
        "profiles", sa.Column("acceptance_rate", sa.Float(), nullable=True), schema="profiles"
    )
    op.add_column(
        "profiles",
        sa.Column("responses_count", sa.Integer(), server_default="0", nullable=False),
        schema="profiles",
    )
    op.add_column(
        "programs",
        sa.Column("max_pending_requests", sa.Integer(), server_default="5", nullable=False),
        schema="profiles",
    )
    op.add_column(
        "programs",
        sa.Column("request_expiry_days", sa.Integer(), server_default="14", nullable=False),
        schema="profiles",
    )
    op.add_column(
        "programs",
        sa.Column("one_mentor_at_a_time", sa.Boolean(), server_default="true", nullable=False),
        schema="profiles",
    )
    op.add_column(
        "programs",
        sa.Column("apply_runs_as", sa.String(length=20), server_default="requests", nullable=False),
        schema="profiles",
    )
    op.add_column(
        "mentorships",
        sa.Column("cadence", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        schema="progress",
    )
    op.add_column(
        "mentorships", sa.Column("duration_months", sa.Integer(), nullable=True), schema="progress"
    )
    op.add_column(
        "mentorships",
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        schema="progress",
    )
    op.add_column(
        "requests",
        sa.Column("message", sa.Text(), server_default="", nullable=False),
        schema="proposals",
    )
    op.add_column(
        "requests",
        sa.Column(
            "goals",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        schema="proposals",
    )
    op.add_column(
        "requests",
        sa.Column(
            "objectives",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        schema="proposals",
    )
    op.add_column(
        "requests",
        sa.Column(
            "questions",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        schema="proposals",
    )
    op.add_column(
        "requests",
        sa.Column("cadence", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        schema="proposals",
    )
    op.add_column(
        "requests", sa.Column("duration_months", sa.Integer(), nullable=True), schema="proposals"
    )
    op.add_column(
        "requests",
        sa.Column(
            "meeting_options",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        schema="proposals",
    )
    op.add_column(
        "requests",
        sa.Column("contribution", sa.Text(), server_default="", nullable=False),
        schema="proposals",
    )
    op.add_column(
        "requests", sa.Column("review_score", sa.Integer(), nullable=True), schema="proposals"
    )
    op.add_column(
        "requests",
        sa.Column("counter", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        schema="proposals",
    )
    op.add_column(
        "requests",
        sa.Column("decline_reason", sa.String(length=30), nullable=True),
        schema="proposals",
    )
    op.add_column(
        "requests", sa.Column("decline_message", sa.Text(), nullable=True), schema="proposals"
    )
    op.add_column(
        "requests",
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        schema="proposals",
    )
    op.add_column(
        "requests",
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        schema="proposals",
    )
    op.add_column(
        "requests",
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        schema="proposals",
    )
    op.add_column(
        "requests",
        sa.Column("reminders_sent", sa.Integer(), server_default="0", nullable=False),
        schema="proposals",
    )
    op.add_column(
        "requests", sa.Column("mentorship_id", sa.UUID(), nullable=True), schema="proposals"
    )
    op.add_column("requests", sa.Column("run_id", sa.UUID(), nullable=True), schema="proposals")
    op.add_column(
        "requests",
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        schema="proposals",
    )
    op.create_index(
        "ix_requests_mentor_responded",
        "requests",
        ["tenant_id", "mentor_id", "responded_at"],
        unique=False,
        schema="proposals",
        postgresql_where=sa.text("responded_at IS NOT NULL"),
    )
    op.create_index(
        "ix_requests_waiting",
        "requests",
        ["expires_at"],
        unique=False,
        schema="proposals",
        postgresql_where=sa.text("status IN ('pending', 'countered')"),
    )
    op.create_index(
        "uq_requests_open_pair",
        "requests",
        ["tenant_id", "mentee_id", "mentor_id"],
        unique=True,
        schema="proposals",
        postgresql_where=sa.text("status IN ('draft', 'pending', 'countered')"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_requests_open_pair",
        table_name="requests",
        schema="proposals",
        postgresql_where=sa.text("status IN ('draft', 'pending', 'countered')"),
    )
    op.drop_index(
        "ix_requests_waiting",
        table_name="requests",
        schema="proposals",
        postgresql_where=sa.text("status IN ('pending', 'countered')"),
    )
    op.drop_index(
        "ix_requests_mentor_responded",
        table_name="requests",
        schema="proposals",
        postgresql_where=sa.text("responded_at IS NOT NULL"),
    )
    op.drop_column("requests", "version", schema="proposals")
    op.drop_column("requests", "run_id", schema="proposals")
    op.drop_column("requests", "mentorship_id", schema="proposals")
    op.drop_column("requests", "reminders_sent", schema="proposals")
    op.drop_column("requests", "expires_at", schema="proposals")
    op.drop_column("requests", "responded_at", schema="proposals")
    op.drop_column("requests", "sent_at", schema="proposals")
    op.drop_column("requests", "decline_message", schema="proposals")
    op.drop_column("requests", "decline_reason", schema="proposals")
    op.drop_column("requests", "counter", schema="proposals")
    op.drop_column("requests", "review_score", schema="proposals")
    op.drop_column("requests", "contribution", schema="proposals")
    op.drop_column("requests", "meeting_options", schema="proposals")
    op.drop_column("requests", "duration_months", schema="proposals")
    op.drop_column("requests", "cadence", schema="proposals")
    op.drop_column("requests", "questions", schema="proposals")
    op.drop_column("requests", "objectives", schema="proposals")
    op.drop_column("requests", "goals", schema="proposals")
    op.drop_column("requests", "message", schema="proposals")
    op.drop_column("mentorships", "version", schema="progress")
    op.drop_column("mentorships", "duration_months", schema="progress")
    op.drop_column("mentorships", "cadence", schema="progress")
    op.drop_column("programs", "apply_runs_as", schema="profiles")
    op.drop_column("programs", "one_mentor_at_a_time", schema="profiles")
    op.drop_column("programs", "request_expiry_days", schema="profiles")
    op.drop_column("programs", "max_pending_requests", schema="profiles")
    op.drop_column("profiles", "responses_count", schema="profiles")
    op.drop_column("profiles", "acceptance_rate", schema="profiles")
    op.drop_column("profiles", "response_median_hours", schema="profiles")
    op.drop_column("runs", "applied", schema="matching")
    op.drop_column("runs", "applied_at", schema="matching")
    op.drop_index(
        op.f("ix_request_transitions_tenant_id"),
        table_name="request_transitions",
        schema="proposals",
    )
    op.drop_index(
        "ix_request_transitions_request", table_name="request_transitions", schema="proposals"
    )
    op.drop_table("request_transitions", schema="proposals")
    op.drop_index(op.f("ix_goals_tenant_id"), table_name="goals", schema="progress")
    op.drop_index("ix_goals_mentorship", table_name="goals", schema="progress")
    op.drop_table("goals", schema="progress")
