"""users version: the ETag of an account, checked by PATCH /v1/users/{id} with If-Match

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A constant default: PostgreSQL adds the column without rewriting the table.
    op.add_column(
        "users",
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        schema="profiles",
    )


def downgrade() -> None:
    op.drop_column("users", "version", schema="profiles")
