"""mentor-only search indexes, longer tenant skill keys

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 08:42:13.555632
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Search reads mentors only; indexing only them keeps the indexes (and a query's cost) in
# proportion to the mentors, not to every profile of every tenant.
SEARCH_INDEXES = {
    "ix_profiles_expertise_keys": "expertise_keys",
    "ix_profiles_industry_keys": "industry_keys",
    "ix_profiles_language_keys": "language_keys",
    "ix_profiles_value_keys": "value_keys",
    "ix_profiles_search_vector": "search_vector",
}


def _recreate(where: str | None) -> None:
    for name, column in SEARCH_INDEXES.items():
        op.drop_index(name, table_name="profiles", schema="profiles")
        op.create_index(
            name,
            "profiles",
            [column],
            schema="profiles",
            postgresql_using="gin",
            postgresql_where=sa.text(where) if where else None,
        )


def upgrade() -> None:
    _recreate("is_mentor")
    op.alter_column(
        "tenant_skills",
        "key",
        existing_type=sa.VARCHAR(length=80),
        type_=sa.Text(),
        existing_nullable=False,
        schema="profiles",
    )


def downgrade() -> None:
    _recreate(None)
    op.alter_column(
        "tenant_skills",
        "key",
        existing_type=sa.Text(),
        type_=sa.VARCHAR(length=80),
        existing_nullable=False,
        schema="profiles",
    )
