"""progress activity: goal revisions, meetings, check-ins, milestones, evaluations and their
requests, the stored health, programs' progress policies, why and when a mentorship's status
changed

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 19:34:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "check_ins",
        sa.Column("mentorship_id", sa.UUID(), nullable=False),
        sa.Column("author_id", sa.UUID(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("next_steps", sa.Text(), server_default="", nullable=False),
        sa.Column("blockers", sa.Text(), nullable=True),
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
            ["mentorship_id"],
            ["progress.mentorships.id"],
            name=op.f("fk_check_ins_mentorship_id_mentorships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_ins")),
        schema="progress",
    )
    op.create_index(
        "ix_check_ins_mentorship",
        "check_ins",
        ["mentorship_id", "created_at"],
        unique=False,
        schema="progress",
    )
    op.create_index(
        op.f("ix_check_ins_tenant_id"), "check_ins", ["tenant_id"], unique=False, schema="progress"
    )
    op.create_table(
        "evaluation_requests",
        sa.Column("mentorship_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
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
            ["mentorship_id"],
            ["progress.mentorships.id"],
            name=op.f("fk_evaluation_requests_mentorship_id_mentorships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_requests")),
        sa.UniqueConstraint(
            "mentorship_id",
            "user_id",
            "period_start",
            name=op.f("uq_evaluation_requests_mentorship_id_user_id_period_start"),
        ),
        schema="progress",
    )
    op.create_index(
        op.f("ix_evaluation_requests_tenant_id"),
        "evaluation_requests",
        ["tenant_id"],
        unique=False,
        schema="progress",
    )
    op.create_table(
        "evaluations",
        sa.Column("mentorship_id", sa.UUID(), nullable=False),
        sa.Column("author_id", sa.UUID(), nullable=False),
        sa.Column("side", sa.String(length=10), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("goal_progress", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("ratings", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("comments", sa.Text(), server_default="", nullable=False),
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
            ["mentorship_id"],
            ["progress.mentorships.id"],
            name=op.f("fk_evaluations_mentorship_id_mentorships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluations")),
        sa.UniqueConstraint(
            "mentorship_id",
            "author_id",
            "period_start",
            name=op.f("uq_evaluations_mentorship_id_author_id_period_start"),
        ),
        schema="progress",
    )
    op.create_index(
        "ix_evaluations_mentorship",
        "evaluations",
        ["mentorship_id", "created_at"],
        unique=False,
        schema="progress",
    )
    op.create_index(
        op.f("ix_evaluations_tenant_id"),
        "evaluations",
        ["tenant_id"],
        unique=False,
        schema="progress",
    )
    op.create_table(
        "meetings",
        sa.Column("mentorship_id", sa.UUID(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="scheduled", nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_by", sa.UUID(), nullable=True),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
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
            name=op.f("fk_meetings_mentorship_id_mentorships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
        schema="progress",
    )
    op.create_index(
        "ix_meetings_mentorship",
        "meetings",
        ["mentorship_id", "starts_at"],
        unique=False,
        schema="progress",
    )
    op.create_index(
        op.f("ix_meetings_tenant_id"), "meetings", ["tenant_id"], unique=False, schema="progress"
    )
    op.create_index(
        "uq_meetings_external",
        "meetings",
        ["tenant_id", "external_id"],
        unique=True,
        schema="progress",
        postgresql_where="external_id IS NOT NULL",
    )
    op.create_table(
        "mentorship_health",
        sa.Column("mentorship_id", sa.UUID(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("flags", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("strengths", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("flag_kinds", postgresql.ARRAY(sa.String(length=40)), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stale_since", sa.DateTime(timezone=True), nullable=True),
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
            ["mentorship_id"],
            ["progress.mentorships.id"],
            name=op.f("fk_mentorship_health_mentorship_id_mentorships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentorship_health")),
        sa.UniqueConstraint("mentorship_id", name=op.f("uq_mentorship_health_mentorship_id")),
        schema="progress",
    )
    op.create_index(
        op.f("ix_mentorship_health_tenant_id"),
        "mentorship_health",
        ["tenant_id"],
        unique=False,
        schema="progress",
    )
    op.create_table(
        "goal_revisions",
        sa.Column("goal_id", sa.UUID(), nullable=False),
        sa.Column("mentorship_id", sa.UUID(), nullable=False),
        sa.Column("changed_by", sa.UUID(), nullable=True),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
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
            ["goal_id"],
            ["progress.goals.id"],
            name=op.f("fk_goal_revisions_goal_id_goals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_revisions")),
        schema="progress",
    )
    op.create_index(
        "ix_goal_revisions_goal",
        "goal_revisions",
        ["goal_id", "created_at"],
        unique=False,
        schema="progress",
    )
    op.create_index(
        op.f("ix_goal_revisions_tenant_id"),
        "goal_revisions",
        ["tenant_id"],
        unique=False,
        schema="progress",
    )
    op.create_table(
        "milestones",
        sa.Column("mentorship_id", sa.UUID(), nullable=False),
        sa.Column("goal_id", sa.UUID(), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("achieved_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.UUID(), nullable=False),
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
            ["goal_id"],
            ["progress.goals.id"],
            name=op.f("fk_milestones_goal_id_goals"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["mentorship_id"],
            ["progress.mentorships.id"],
            name=op.f("fk_milestones_mentorship_id_mentorships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestones")),
        schema="progress",
    )
    op.create_index(
        "ix_milestones_mentorship",
        "milestones",
        ["mentorship_id", "created_at"],
        unique=False,
        schema="progress",
    )
    op.create_index(
        op.f("ix_milestones_tenant_id"),
        "milestones",
        ["tenant_id"],
        unique=False,
        schema="progress",
    )
    op.add_column(
        "programs",
        sa.Column(
            "health_thresholds",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        schema="profiles",
    )
    op.add_column(
        "programs",
        sa.Column("close_inactive_after_days", sa.Integer(), nullable=True),
        schema="profiles",
    )
    op.add_column(
        "mentorships", sa.Column("end_reason", sa.Text(), nullable=True), schema="progress"
    )
    op.add_column(
        "mentorships",
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        schema="progress",
    )
    op.add_column(
        "mentorships",
        sa.Column("inactivity_stage", sa.String(length=20), nullable=True),
        schema="progress",
    )
    op.add_column(
        "mentorships",
        sa.Column("inactivity_notice_at", sa.DateTime(timezone=True), nullable=True),
        schema="progress",
    )
    op.add_column(
        "mentorships",
        sa.Column("first_held_at", sa.DateTime(timezone=True), nullable=True),
        schema="progress",
    )
    op.create_index(
        "ix_mentorships_program",
        "mentorships",
        ["tenant_id", "program_id", "status"],
        unique=False,
        schema="progress",
    )
    op.create_index(
        "ix_requests_program",
        "requests",
        ["tenant_id", "program_id"],
        unique=False,
        schema="proposals",
    )


def downgrade() -> None:
    op.drop_index("ix_requests_program", table_name="requests", schema="proposals")
    op.drop_index("ix_mentorships_program", table_name="mentorships", schema="progress")
    op.drop_column("mentorships", "first_held_at", schema="progress")
    op.drop_column("mentorships", "inactivity_notice_at", schema="progress")
    op.drop_column("mentorships", "inactivity_stage", schema="progress")
    op.drop_column("mentorships", "status_changed_at", schema="progress")
    op.drop_column("mentorships", "end_reason", schema="progress")
    op.drop_column("programs", "close_inactive_after_days", schema="profiles")
    op.drop_column("programs", "health_thresholds", schema="profiles")
    op.drop_index(op.f("ix_milestones_tenant_id"), table_name="milestones", schema="progress")
    op.drop_index("ix_milestones_mentorship", table_name="milestones", schema="progress")
    op.drop_table("milestones", schema="progress")
    op.drop_index(
        op.f("ix_goal_revisions_tenant_id"), table_name="goal_revisions", schema="progress"
    )
    op.drop_index("ix_goal_revisions_goal", table_name="goal_revisions", schema="progress")
    op.drop_table("goal_revisions", schema="progress")
    op.drop_index(
        op.f("ix_mentorship_health_tenant_id"), table_name="mentorship_health", schema="progress"
    )
    op.drop_table("mentorship_health", schema="progress")
    op.drop_index(
        "uq_meetings_external",
        table_name="meetings",
        schema="progress",
        postgresql_where="external_id IS NOT NULL",
    )
    op.drop_index(op.f("ix_meetings_tenant_id"), table_name="meetings", schema="progress")
    op.drop_index("ix_meetings_mentorship", table_name="meetings", schema="progress")
    op.drop_table("meetings", schema="progress")
    op.drop_index(op.f("ix_evaluations_tenant_id"), table_name="evaluations", schema="progress")
    op.drop_index("ix_evaluations_mentorship", table_name="evaluations", schema="progress")
    op.drop_table("evaluations", schema="progress")
    op.drop_index(
        op.f("ix_evaluation_requests_tenant_id"),
        table_name="evaluation_requests",
        schema="progress",
    )
    op.drop_table("evaluation_requests", schema="progress")
    op.drop_index(op.f("ix_check_ins_tenant_id"), table_name="check_ins", schema="progress")
    op.drop_index("ix_check_ins_mentorship", table_name="check_ins", schema="progress")
    op.drop_table("check_ins", schema="progress")
