"""outbox request id

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 07:31:38.139900
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "outbox_events",
        sa.Column("request_id", sa.String(length=128), nullable=True),
        schema="platform",
    )


def downgrade() -> None:
    op.drop_column("outbox_events", "request_id", schema="platform")
