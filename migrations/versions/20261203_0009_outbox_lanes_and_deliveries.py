"""outbox lanes and per-subscriber deliveries

Events take a lane (interactive or bulk); each event's delivery to each subscriber is a row with
its own tries, retry time and parking. `dispatched_at` and `relay_attempts` said one thing for
all subscribers at once and go.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "outbox_events",
        sa.Column("lane", sa.String(length=16), server_default="interactive", nullable=False),
        schema="platform",
    )
    # Relayed under the old scheme but never dispatched: relayed again, as deliveries.
    op.execute(
        "UPDATE platform.outbox_events SET relayed_at = NULL "
        "WHERE relayed_at IS NOT NULL AND dispatched_at IS NULL"
    )
    op.drop_index(
        "ix_outbox_events_undispatched",
        table_name="outbox_events",
        schema="platform",
        postgresql_where=sa.text("dispatched_at IS NULL"),
    )
    op.drop_index(
        "ix_outbox_events_pending",
        table_name="outbox_events",
        schema="platform",
        postgresql_where=sa.text("relayed_at IS NULL"),
    )
    op.create_index(
        "ix_outbox_events_pending",
        "outbox_events",
        ["lane", "seq"],
        unique=False,
        schema="platform",
        postgresql_where=sa.text("relayed_at IS NULL"),
    )
    op.drop_column("outbox_events", "dispatched_at", schema="platform")
    op.drop_column("outbox_events", "relay_attempts", schema="platform")

    op.create_table(
        "outbox_deliveries",
        sa.Column("event_id", sa.UUID(), nullable=False),
        sa.Column("subscriber", sa.String(length=100), nullable=False),
        sa.Column("lane", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("parked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
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
            ["event_id"],
            ["platform.outbox_events.id"],
            name=op.f("fk_outbox_deliveries_event_id_outbox_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_deliveries")),
        sa.UniqueConstraint(
            "event_id", "subscriber", name=op.f("uq_outbox_deliveries_event_id_subscriber")
        ),
        schema="platform",
    )
    op.create_index(
        "ix_outbox_deliveries_due",
        "outbox_deliveries",
        ["next_attempt_at"],
        unique=False,
        schema="platform",
        postgresql_where=sa.text("delivered_at IS NULL AND parked_at IS NULL"),
    )
    op.create_index(
        "ix_outbox_deliveries_parked",
        "outbox_deliveries",
        ["parked_at"],
        unique=False,
        schema="platform",
        postgresql_where=sa.text("parked_at IS NOT NULL"),
    )
    op.create_index(
        op.f("ix_outbox_deliveries_tenant_id"),
        "outbox_deliveries",
        ["tenant_id"],
        unique=False,
        schema="platform",
    )


def downgrade() -> None:
    op.drop_table("outbox_deliveries", schema="platform")
    op.add_column(
        "outbox_events",
        sa.Column("relay_attempts", sa.Integer(), server_default="0", nullable=False),
        schema="platform",
    )
    op.add_column(
        "outbox_events",
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        schema="platform",
    )
    op.drop_index(
        "ix_outbox_events_pending",
        table_name="outbox_events",
        schema="platform",
        postgresql_where=sa.text("relayed_at IS NULL"),
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
        "ix_outbox_events_undispatched",
        "outbox_events",
        ["relayed_at"],
        unique=False,
        schema="platform",
        postgresql_where=sa.text("dispatched_at IS NULL"),
    )
    op.execute("UPDATE platform.outbox_events SET dispatched_at = relayed_at")
    op.drop_column("outbox_events", "lane", schema="platform")
