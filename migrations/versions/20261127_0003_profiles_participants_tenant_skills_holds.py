"""profiles, participants, tenant skills, holds

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 07:36:14.733858
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tenant_skills",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenant_skills")),
        sa.UniqueConstraint("tenant_id", "key", name=op.f("uq_tenant_skills_tenant_id_key")),
        schema="profiles",
    )
    op.create_index(
        op.f("ix_tenant_skills_tenant_id"),
        "tenant_skills",
        ["tenant_id"],
        unique=False,
        schema="profiles",
    )
    op.create_table(
        "profiles",
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("headline", sa.String(length=200), nullable=False),
        sa.Column("bio", sa.Text(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("years_experience", sa.Integer(), nullable=True),
        sa.Column("seniority", sa.String(length=20), nullable=True),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("is_mentor", sa.Boolean(), nullable=False),
        sa.Column("accepting_requests", sa.Boolean(), nullable=False),
        sa.Column("mentor_capacity", sa.Integer(), nullable=False),
        sa.Column("openness", sa.Float(), nullable=True),
        sa.Column("active_mentees", sa.Integer(), server_default="0", nullable=False),
        sa.Column("expertise_keys", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("learning_keys", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("industry_keys", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("language_keys", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("value_keys", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column(
            "search_vector",
            postgresql.TSVECTOR(),
            sa.Computed("to_tsvector('english'::regconfig, search_text)", persisted=True),
            nullable=False,
        ),
        sa.Column("completeness", sa.Integer(), nullable=False),
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
        sa.CheckConstraint(
            "active_mentees >= 0", name=op.f("ck_profiles_active_mentees_not_negative")
        ),
        sa.CheckConstraint(
            "mentor_capacity BETWEEN 0 AND 50", name=op.f("ck_profiles_mentor_capacity_range")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["profiles.users.id"],
            name=op.f("fk_profiles_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profiles")),
        sa.UniqueConstraint("user_id", name=op.f("uq_profiles_user_id")),
        schema="profiles",
    )
    op.create_index(
        "ix_profiles_expertise_keys",
        "profiles",
        ["expertise_keys"],
        unique=False,
        schema="profiles",
        postgresql_using="gin",
    )
    op.create_index(
        "ix_profiles_industry_keys",
        "profiles",
        ["industry_keys"],
        unique=False,
        schema="profiles",
        postgresql_using="gin",
    )
    op.create_index(
        "ix_profiles_language_keys",
        "profiles",
        ["language_keys"],
        unique=False,
        schema="profiles",
        postgresql_using="gin",
    )
    op.create_index(
        "ix_profiles_mentors",
        "profiles",
        ["tenant_id", "created_at", "id"],
        unique=False,
        schema="profiles",
        postgresql_where=sa.text("is_mentor"),
    )
    op.create_index(
        "ix_profiles_search_vector",
        "profiles",
        ["search_vector"],
        unique=False,
        schema="profiles",
        postgresql_using="gin",
    )
    op.create_index(
        op.f("ix_profiles_tenant_id"), "profiles", ["tenant_id"], unique=False, schema="profiles"
    )
    op.create_index(
        "ix_profiles_value_keys",
        "profiles",
        ["value_keys"],
        unique=False,
        schema="profiles",
        postgresql_using="gin",
    )
    op.create_table(
        "program_participants",
        sa.Column("program_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
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
            ["program_id"],
            ["profiles.programs.id"],
            name=op.f("fk_program_participants_program_id_programs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["profiles.users.id"],
            name=op.f("fk_program_participants_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_participants")),
        sa.UniqueConstraint(
            "program_id",
            "user_id",
            "role",
            name=op.f("uq_program_participants_program_id_user_id_role"),
        ),
        schema="profiles",
    )
    op.create_index(
        op.f("ix_program_participants_tenant_id"),
        "program_participants",
        ["tenant_id"],
        unique=False,
        schema="profiles",
    )
    op.create_index(
        "ix_program_participants_user",
        "program_participants",
        ["tenant_id", "user_id"],
        unique=False,
        schema="profiles",
    )
    op.add_column(
        "mentorships",
        sa.Column("on_hold", sa.Boolean(), server_default="false", nullable=False),
        schema="progress",
    )
    op.add_column(
        "requests",
        sa.Column("on_hold", sa.Boolean(), server_default="false", nullable=False),
        schema="proposals",
    )


def downgrade() -> None:
    op.drop_column("requests", "on_hold", schema="proposals")
    op.drop_column("mentorships", "on_hold", schema="progress")
    op.drop_index(
        "ix_program_participants_user", table_name="program_participants", schema="profiles"
    )
    op.drop_index(
        op.f("ix_program_participants_tenant_id"),
        table_name="program_participants",
        schema="profiles",
    )
    op.drop_table("program_participants", schema="profiles")
    op.drop_index(
        "ix_profiles_value_keys", table_name="profiles", schema="profiles", postgresql_using="gin"
    )
    op.drop_index(op.f("ix_profiles_tenant_id"), table_name="profiles", schema="profiles")
    op.drop_index(
        "ix_profiles_search_vector",
        table_name="profiles",
        schema="profiles",
        postgresql_using="gin",
    )
    op.drop_index(
        "ix_profiles_mentors",
        table_name="profiles",
        schema="profiles",
        postgresql_where=sa.text("is_mentor"),
    )
    op.drop_index(
        "ix_profiles_language_keys",
        table_name="profiles",
        schema="profiles",
        postgresql_using="gin",
    )
    op.drop_index(
        "ix_profiles_industry_keys",
        table_name="profiles",
        schema="profiles",
        postgresql_using="gin",
    )
    op.drop_index(
        "ix_profiles_expertise_keys",
        table_name="profiles",
        schema="profiles",
        postgresql_using="gin",
    )
    op.drop_table("profiles", schema="profiles")
    op.drop_index(op.f("ix_tenant_skills_tenant_id"), table_name="tenant_skills", schema="profiles")
    op.drop_table("tenant_skills", schema="profiles")
