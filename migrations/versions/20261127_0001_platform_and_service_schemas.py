"""platform and service schemas

Revision ID: 0001
Revises:
Create Date: 2026-11-27 07:16:05.695459
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


SCHEMAS = ("platform", "profiles", "matching", "proposals", "progress")


def upgrade() -> None:
    for schema in SCHEMAS:
        op.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    op.create_table(
        "runs",
        sa.Column("program_id", sa.UUID(), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("stats", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
        schema="matching",
    )
    op.create_index(
        op.f("ix_runs_program_id"), "runs", ["program_id"], unique=False, schema="matching"
    )
    op.create_index(
        op.f("ix_runs_tenant_id"), "runs", ["tenant_id"], unique=False, schema="matching"
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response_headers", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("response_body", sa.LargeBinary(), nullable=True),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint(
            "tenant_id", "user_id", "key", name=op.f("uq_idempotency_keys_tenant_id_user_id_key")
        ),
        schema="platform",
    )
    op.create_index(
        op.f("ix_idempotency_keys_expires_at"),
        "idempotency_keys",
        ["expires_at"],
        unique=False,
        schema="platform",
    )
    op.create_index(
        op.f("ix_idempotency_keys_tenant_id"),
        "idempotency_keys",
        ["tenant_id"],
        unique=False,
        schema="platform",
    )
    op.create_table(
        "outbox_events",
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("relayed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("relay_attempts", sa.Integer(), server_default="0", nullable=False),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_events")),
        sa.UniqueConstraint("seq", name=op.f("uq_outbox_events_seq")),
        schema="platform",
    )
    op.create_index(
        "ix_outbox_events_pending",
        "outbox_events",
        ["seq"],
        unique=False,
        schema="platform",
        postgresql_where=sa.text("relayed_at IS NULL"),
    )
    op.create_index(
        op.f("ix_outbox_events_tenant_id"),
        "outbox_events",
        ["tenant_id"],
        unique=False,
        schema="platform",
    )
    op.create_index(
        "ix_outbox_events_undispatched",
        "outbox_events",
        ["relayed_at"],
        unique=False,
        schema="platform",
        postgresql_where=sa.text("dispatched_at IS NULL"),
    )
    op.create_table(
        "tenants",
        sa.Column("slug", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "settings",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenants")),
        sa.UniqueConstraint("slug", name=op.f("uq_tenants_slug")),
        schema="platform",
    )
    op.create_table(
        "users",
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("roles", postgresql.ARRAY(sa.String(length=20)), nullable=False),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("tenant_id", "email", name=op.f("uq_users_tenant_id_email")),
        schema="profiles",
    )
    op.create_index(
        op.f("ix_users_tenant_id"), "users", ["tenant_id"], unique=False, schema="profiles"
    )
    op.create_table(
        "mentorships",
        sa.Column("mentee_id", sa.UUID(), nullable=False),
        sa.Column("mentor_id", sa.UUID(), nullable=False),
        sa.Column("program_id", sa.UUID(), nullable=True),
        sa.Column("request_id", sa.UUID(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentorships")),
        sa.UniqueConstraint("request_id", name=op.f("uq_mentorships_request_id")),
        schema="progress",
    )
    op.create_index(
        "ix_mentorships_mentee",
        "mentorships",
        ["tenant_id", "mentee_id"],
        unique=False,
        schema="progress",
    )
    op.create_index(
        "ix_mentorships_mentor",
        "mentorships",
        ["tenant_id", "mentor_id"],
        unique=False,
        schema="progress",
    )
    op.create_index(
        op.f("ix_mentorships_tenant_id"),
        "mentorships",
        ["tenant_id"],
        unique=False,
        schema="progress",
    )
    op.create_table(
        "requests",
        sa.Column("mentee_id", sa.UUID(), nullable=False),
        sa.Column("mentor_id", sa.UUID(), nullable=False),
        sa.Column("program_id", sa.UUID(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requests")),
        schema="proposals",
    )
    op.create_index(
        "ix_requests_mentee",
        "requests",
        ["tenant_id", "mentee_id", "created_at"],
        unique=False,
        schema="proposals",
    )
    op.create_index(
        "ix_requests_mentor",
        "requests",
        ["tenant_id", "mentor_id", "created_at"],
        unique=False,
        schema="proposals",
    )
    op.create_index(
        op.f("ix_requests_tenant_id"), "requests", ["tenant_id"], unique=False, schema="proposals"
    )
    op.create_table(
        "programs",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=2000), server_default="", nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("is_default", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("self_enrol", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("matching_weights", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("min_request_score", sa.Integer(), server_default="0", nullable=False),
        sa.Column("evaluation_interval_days", sa.Integer(), server_default="30", nullable=False),
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
            ["created_by"],
            ["profiles.users.id"],
            name=op.f("fk_programs_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programs")),
        schema="profiles",
    )
    op.create_index(
        op.f("ix_programs_tenant_id"), "programs", ["tenant_id"], unique=False, schema="profiles"
    )
    op.create_index(
        "uq_programs_default_per_tenant",
        "programs",
        ["tenant_id"],
        unique=True,
        schema="profiles",
        postgresql_where=sa.text("is_default"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_programs_default_per_tenant",
        table_name="programs",
        schema="profiles",
        postgresql_where=sa.text("is_default"),
    )
    op.drop_index(op.f("ix_programs_tenant_id"), table_name="programs", schema="profiles")
    op.drop_table("programs", schema="profiles")
    op.drop_index(op.f("ix_requests_tenant_id"), table_name="requests", schema="proposals")
    op.drop_index("ix_requests_mentor", table_name="requests", schema="proposals")
    op.drop_index("ix_requests_mentee", table_name="requests", schema="proposals")
    op.drop_table("requests", schema="proposals")
    op.drop_index(op.f("ix_mentorships_tenant_id"), table_name="mentorships", schema="progress")
    op.drop_index("ix_mentorships_mentor", table_name="mentorships", schema="progress")
    op.drop_index("ix_mentorships_mentee", table_name="mentorships", schema="progress")
    op.drop_table("mentorships", schema="progress")
    op.drop_index(op.f("ix_users_tenant_id"), table_name="users", schema="profiles")
    op.drop_table("users", schema="profiles")
    op.drop_table("tenants", schema="platform")
    op.drop_index(
        "ix_outbox_events_undispatched",
        table_name="outbox_events",
        schema="platform",
        postgresql_where=sa.text("dispatched_at IS NULL"),
    )
    op.drop_index(op.f("ix_outbox_events_tenant_id"), table_name="outbox_events", schema="platform")
    op.drop_index(
        "ix_outbox_events_pending",
        table_name="outbox_events",
        schema="platform",
        postgresql_where=sa.text("relayed_at IS NULL"),
    )
    op.drop_table("outbox_events", schema="platform")
    op.drop_index(
        op.f("ix_idempotency_keys_tenant_id"), table_name="idempotency_keys", schema="platform"
    )
    op.drop_index(
        op.f("ix_idempotency_keys_expires_at"), table_name="idempotency_keys", schema="platform"
    )
    op.drop_table("idempotency_keys", schema="platform")
    op.drop_index(op.f("ix_runs_tenant_id"), table_name="runs", schema="matching")
    op.drop_index(op.f("ix_runs_program_id"), table_name="runs", schema="matching")
    op.drop_table("runs", schema="matching")
    for schema in reversed(SCHEMAS):
        op.execute(f'DROP SCHEMA IF EXISTS "{schema}"')
