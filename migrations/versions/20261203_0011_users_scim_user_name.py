"""users scim user name: the userName an identity provider sends, apart from the sign-in email

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-03 11:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column("scim_user_name", sa.String(length=320), nullable=True),
        schema="profiles",
    )
    op.create_unique_constraint(
        "uq_users_tenant_id_scim_user_name",
        "users",
        ["tenant_id", "scim_user_name"],
        schema="profiles",
    )


def downgrade() -> None:
    op.drop_constraint("uq_users_tenant_id_scim_user_name", "users", schema="profiles")
    op.drop_column("users", "scim_user_name", schema="profiles")
