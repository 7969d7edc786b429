"""The outbox's tables: events, and each event's delivery to each of its subscribers."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.orm import Mapped, mapped_column

from services.core.models import Base, TenantScoped
from services.core.queue import Lane


class OutboxEvent(Base, TenantScoped):
    __tablename__ = "outbox_events"
    __table_args__ = (
        Index(
            "ix_outbox_events_pending",
            "lane",
            "seq",
            postgresql_where=text("relayed_at IS NULL"),
        ),
        {"schema": "platform"},
    )

    seq: Mapped[int] = mapped_column(BigInteger, Identity(), unique=True, nullable=False)
    event_type: Mapped[str] = mapped_column(String(100), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    # Which queue its deliveries take: a request's events are interactive, an import's bulk.
    lane: Mapped[str] = mapped_column(
        String(16), nullable=False, default=Lane.INTERACTIVE, server_default=Lane.INTERACTIVE
    )
    # When the relay recorded its deliveries (one per subscriber) and queued them.
    relayed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The request that caused the event, so its jobs log under the same request id.
    request_id: Mapped[str | None] = mapped_column(String(128))


class Delivery(Base, TenantScoped):
    """One event handed to one subscriber: done once, retried alone, parked after the cap.

    `next_attempt_at` is when the sweeper may send it (again): after a failure, the backoff;
    while it is queued, a lease, so a job Redis lost is sent again but a queued one is not."""

    __tablename__ = "outbox_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "subscriber"),
        Index(
            "ix_outbox_deliveries_due",
            "next_attempt_at",
            postgresql_where=text("delivered_at IS NULL AND parked_at IS NULL"),
        ),
        Index(
            "ix_outbox_deliveries_parked",
            "parked_at",
            postgresql_where=text("parked_at IS NOT NULL"),
        ),
        {"schema": "platform"},
    )

    event_id: Mapped[uuid.UUID] = mapped_column(
        PgUUID(as_uuid=True),
        ForeignKey("platform.outbox_events.id", ondelete="CASCADE"),
        nullable=False,
    )
    subscriber: Mapped[str] = mapped_column(String(100), nullable=False)
    lane: Mapped[str] = mapped_column(String(16), nullable=False)
    # How many times it was handed to a job, counted before the job runs, so a handler that
    # kills its worker or outlives the job timeout is capped too.
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    parked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
