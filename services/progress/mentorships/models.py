"""The mentorship itself: who, in which program, its status and its agreed cadence."""

import uuid
from datetime import datetime

from sqlalchemy import Boolean, DateTime, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.orm import Mapped, mapped_column

from services.core.models import Base, TenantScoped, Versioned


class Mentorship(Base, TenantScoped, Versioned):
    __tablename__ = "mentorships"
    __table_args__ = (
        Index("ix_mentorships_mentee", "tenant_id", "mentee_id"),
        Index("ix_mentorships_mentor", "tenant_id", "mentor_id"),
        # A program's report reads its mentorships by status.
        Index("ix_mentorships_program", "tenant_id", "program_id", "status"),
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
    # Why it ended (or was completed early), as the participant or the platform said.
    end_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The inactivity policy's steps taken since the last activity: "warned", "notice" (closing
    # in 7 days), so each is announced once; cleared by the next meeting or check-in.
    inactivity_stage: Mapped[str | None] = mapped_column(String(20))
    # When the closing notice was given: it closes no sooner than a week after.
    inactivity_notice_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When its first held meeting took place (kept as meetings are held): the program's report
    # reads it for the time from acceptance to the first meeting without reading every meeting.
    first_held_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
