"""Evaluations from both sides, one per participant per evaluation period, and the requests
for them the worker sends on each mentorship's interval."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.orm import Mapped, mapped_column

from services.core.models import Base, TenantScoped


class Evaluation(Base, TenantScoped):
    __tablename__ = "evaluations"
    __table_args__ = (
        # One per participant per period: a second is 409, whoever races.
        UniqueConstraint("mentorship_id", "author_id", "period_start"),
        Index("ix_evaluations_mentorship", "mentorship_id", "created_at"),
        {"schema": "progress"},
    )

    mentorship_id: Mapped[uuid.UUID] = mapped_column(
        PgUUID(as_uuid=True),
        ForeignKey("progress.mentorships.id", ondelete="CASCADE"),
        nullable=False,
    )
    author_id: Mapped[uuid.UUID] = mapped_column(PgUUID(as_uuid=True), nullable=False)
    side: Mapped[str] = mapped_column(String(10), nullable=False)  # mentee | mentor
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    # {goal_id: 0-100}; {communication, engagement, time_commitment, goal_fit, overall: 1-5}
    goal_progress: Mapped[dict[str, int]] = mapped_column(JSONB, nullable=False)
    ratings: Mapped[dict[str, int]] = mapped_column(JSONB, nullable=False)
    comments: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")


class EvaluationRequest(Base, TenantScoped):
    """The worker asked this participant for the period's evaluation (`evaluation.requested`);
    `answered_at` once they submitted it."""

    __tablename__ = "evaluation_requests"
    __table_args__ = (
        UniqueConstraint("mentorship_id", "user_id", "period_start"),
        {"schema": "progress"},
    )

    mentorship_id: Mapped[uuid.UUID] = mapped_column(
        PgUUID(as_uuid=True),
        ForeignKey("progress.mentorships.id", ondelete="CASCADE"),
        nullable=False,
    )
    user_id: Mapped[uuid.UUID] = mapped_column(PgUUID(as_uuid=True), nullable=False)
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
