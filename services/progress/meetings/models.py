"""Meetings of a mentorship: planned, then held, missed, cancelled or rescheduled."""

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.orm import Mapped, mapped_column

from services.core.models import Base, TenantScoped, Versioned


class Meeting(Base, TenantScoped, Versioned):
    __tablename__ = "meetings"
    __table_args__ = (
        Index("ix_meetings_mentorship", "mentorship_id", "starts_at"),
        # A meeting an integration reported, found again by its own id (inbound events).
        Index(
            "uq_meetings_external",
            "tenant_id",
            "external_id",
            unique=True,
            postgresql_where="external_id IS NOT NULL",
        ),
        {"schema": "progress"},
    )

    mentorship_id: Mapped[uuid.UUID] = mapped_column(
        PgUUID(as_uuid=True),
        ForeignKey("progress.mentorships.id", ondelete="CASCADE"),
        nullable=False,
    )
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(
        String(20), nullable=False, default="scheduled", server_default="scheduled"
    )
    notes: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(PgUUID(as_uuid=True))
    external_id: Mapped[str | None] = mapped_column(String(200))
    # When the participants were reminded of it, so the reminder goes out once.
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
