"""users scim deleted at

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 07:58:15.441915
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column("scim_deleted_at", sa.DateTime(timezone=True), nullable=True),
        schema="profiles",
    )


def downgrade() -> None:
    op.drop_column("users", "scim_deleted_at", schema="profiles")
