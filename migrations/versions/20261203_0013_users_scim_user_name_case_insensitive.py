"""users scim user name case-insensitive: one userName per tenant whatever its case, and an
index for looking users up by userName

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-03 12:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_constraint("uq_users_tenant_id_scim_user_name", "users", schema="profiles")
    op.create_index(
        "uq_users_tenant_id_lower_scim_user_name",
        "users",
        ["tenant_id", sa.text("lower(scim_user_name)")],
        unique=True,
        schema="profiles",
    )
    op.create_index(
        "ix_users_tenant_id_lower_user_name",
        "users",
        ["tenant_id", sa.text("lower(coalesce(scim_user_name, email))")],
        schema="profiles",
    )


def downgrade() -> None:
    op.drop_index("ix_users_tenant_id_lower_user_name", table_name="users", schema="profiles")
    op.drop_index("uq_users_tenant_id_lower_scim_user_name", table_name="users", schema="profiles")
    op.create_unique_constraint(
        "uq_users_tenant_id_scim_user_name",
        "users",
        ["tenant_id", "scim_user_name"],
        schema="profiles",
    )
