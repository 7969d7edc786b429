"""scim and imports

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 07:37:37.008618
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scim_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.UUID(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scim_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_scim_tokens_token_hash")),
        schema="platform",
    )
    op.create_index(
        op.f("ix_scim_tokens_tenant_id"),
        "scim_tokens",
        ["tenant_id"],
        unique=False,
        schema="platform",
    )
    op.create_table(
        "imports",
        sa.Column("created_by", sa.UUID(), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="queued", nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("source", sa.LargeBinary(), nullable=True),
        sa.Column("total", sa.Integer(), server_default="0", nullable=False),
        sa.Column("done", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "errors",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
        schema="profiles",
    )
    op.create_index(
        op.f("ix_imports_tenant_id"), "imports", ["tenant_id"], unique=False, schema="profiles"
    )
    op.create_table(
        "scim_groups",
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("role", sa.String(length=10), nullable=True),
        sa.Column("program_id", sa.UUID(), nullable=True),
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
            name=op.f("fk_scim_groups_program_id_programs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scim_groups")),
        sa.UniqueConstraint(
            "tenant_id", "display_name", name=op.f("uq_scim_groups_tenant_id_display_name")
        ),
        schema="profiles",
    )
    op.create_index(
        op.f("ix_scim_groups_tenant_id"),
        "scim_groups",
        ["tenant_id"],
        unique=False,
        schema="profiles",
    )
    op.create_table(
        "scim_group_members",
        sa.Column("group_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
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
            ["group_id"],
            ["profiles.scim_groups.id"],
            name=op.f("fk_scim_group_members_group_id_scim_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["profiles.users.id"],
            name=op.f("fk_scim_group_members_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scim_group_members")),
        sa.UniqueConstraint(
            "group_id", "user_id", name=op.f("uq_scim_group_members_group_id_user_id")
        ),
        schema="profiles",
    )
    op.create_index(
        op.f("ix_scim_group_members_tenant_id"),
        "scim_group_members",
        ["tenant_id"],
        unique=False,
        schema="profiles",
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_scim_group_members_tenant_id"), table_name="scim_group_members", schema="profiles"
    )
    op.drop_table("scim_group_members", schema="profiles")
    op.drop_index(op.f("ix_scim_groups_tenant_id"), table_name="scim_groups", schema="profiles")
    op.drop_table("scim_groups", schema="profiles")
    op.drop_index(op.f("ix_imports_tenant_id"), table_name="imports", schema="profiles")
    op.drop_table("imports", schema="profiles")
    op.drop_index(op.f("ix_scim_tokens_tenant_id"), table_name="scim_tokens", schema="platform")
    op.drop_table("scim_tokens", schema="platform")
