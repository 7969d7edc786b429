"""Tables the progress service owns."""

import uuid
from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.orm import Mapped, mapped_column

from services.core.models import Base, TenantScoped, Versioned


class Mentorship(Base, TenantScoped, Versioned):
    __tablename__ = "mentorships"
    __table_args__ = (
        Index("ix_mentorships_mentee", "tenant_id", "mentee_id"),
        Index("ix_mentorships_mentor", "tenant_id", "mentor_id"),
        {"schema": "progress"},
    )

    mentee_id: Mapped[uuid.UUID] = mapped_column(PgUUID(as_uuid=True), nullable=False)
    mentor_id: Mapped[uuid.UUID] = mapped_column(PgUUID(as_uuid=True), nullable=False)
    program_id: Mapped[uuid.UUID | None] = mapped_column(PgUUID(as_uuid=True))
    request_id: Mapped[uuid.UUID | None] = mapped_column(PgUUID(as_uuid=True), unique=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="active")
    # True while a participant's account is deactivated; the status is kept as it was.
    on_hold: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default="false"
    )
    # As agreed at acceptance: {"interval_days", "session_minutes"}.
    cadence: Mapped[dict[str, int] | None] = mapped_column(JSONB)
    duration_months: Mapped[int | None] = mapped_column(Integer)


class Goal(Base, TenantScoped, Versioned):
    """What the mentee wants to reach in a mentorship, and how they will know they did."""

    __tablename__ = "goals"
    __table_args__ = (
        Index("ix_goals_mentorship", "mentorship_id", "created_at"),
        {"schema": "progress"},
    )

    mentorship_id: Mapped[uuid.UUID] = mapped_column(
        PgUUID(as_uuid=True),
        ForeignKey("progress.mentorships.id", ondelete="CASCADE"),
        nullable=False,
    )
    title: Mapped[str] = mapped_column(String(500), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")
    success_criteria: Mapped[str] = mapped_column(
        Text, nullable=False, default="", server_default=""
    )
    target_date: Mapped[date | None] = mapped_column(Date)
    progress: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    status: Mapped[str] = mapped_column(
        String(20), nullable=False, default="active", server_default="active"
    )
    created_by: Mapped[uuid.UUID | None] = mapped_column(PgUUID(as_uuid=True))
