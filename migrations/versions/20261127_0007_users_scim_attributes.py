"""users scim attributes

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 08:44:47.379904
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column(
            "scim_attributes",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        schema="profiles",
    )


def downgrade() -> None:
    op.drop_column("users", "scim_attributes", schema="profiles")
