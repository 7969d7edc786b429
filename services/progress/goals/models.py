"""Goals and every redefinition of one."""

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.orm import Mapped, mapped_column

from services.core.models import Base, TenantScoped, Versioned


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


class GoalRevision(Base, TenantScoped):
    """A change of a goal's title, success criteria or target date: who, when, before, after
    (only the fields that changed). `created_at` is when."""

    __tablename__ = "goal_revisions"
    __table_args__ = (
        Index("ix_goal_revisions_goal", "goal_id", "created_at"),
        {"schema": "progress"},
    )

    goal_id: Mapped[uuid.UUID] = mapped_column(
        PgUUID(as_uuid=True), ForeignKey("progress.goals.id", ondelete="CASCADE"), nullable=False
    )
    mentorship_id: Mapped[uuid.UUID] = mapped_column(PgUUID(as_uuid=True), nullable=False)
    changed_by: Mapped[uuid.UUID | None] = mapped_column(PgUUID(as_uuid=True))
    before: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    after: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
