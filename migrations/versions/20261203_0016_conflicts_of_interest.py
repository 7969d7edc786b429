"""conflicts of interest: a user's manager, where known (declared conflicts live in the
profile body)

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-03 13:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0016"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column("manager_id", postgresql.UUID(as_uuid=True), nullable=True),
        schema="profiles",
    )
    op.create_foreign_key(
        "fk_users_manager_id_users",
        "users",
        "users",
        ["manager_id"],
        ["id"],
        source_schema="profiles",
        referent_schema="profiles",
        ondelete="SET NULL",
    )
    op.create_index("ix_users_manager_id", "users", ["manager_id"], schema="profiles")


def downgrade() -> None:
    op.drop_index("ix_users_manager_id", table_name="users", schema="profiles")
    op.drop_constraint("fk_users_manager_id_users", "users", schema="profiles", type_="foreignkey")
    op.drop_column("users", "manager_id", schema="profiles")
