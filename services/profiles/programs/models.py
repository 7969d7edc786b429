"""Programs and who takes part in them."""

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.orm import Mapped, mapped_column

from services.core.models import Base, TenantScoped, Versioned


class Program(Base, TenantScoped, Versioned):
    __tablename__ = "programs"
    __table_args__ = (
        # At most one default program per tenant.
        Index(
            "uq_programs_default_per_tenant",
            "tenant_id",
            unique=True,
            postgresql_where=text("is_default"),
        ),
        {"schema": "profiles"},
    )

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(
        String(2000), nullable=False, default="", server_default=""
    )
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    is_default: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default="false"
    )
    self_enrol: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default="true"
    )
    matching_weights: Mapped[dict[str, float]] = mapped_column(JSONB, nullable=False, default=dict)
    min_request_score: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, server_default="0"
    )
    evaluation_interval_days: Mapped[int] = mapped_column(
        Integer, nullable=False, default=30, server_default="30"
    )
    # Request policies (see services.proposals): how many requests a mentee may have waiting,
    # how long one waits before it expires, whether an acceptance withdraws the mentee's other
    # requests, and what applying a cohort run creates ("requests" or "mentorships").
    max_pending_requests: Mapped[int] = mapped_column(
        Integer, nullable=False, default=5, server_default="5"
    )
    request_expiry_days: Mapped[int] = mapped_column(
        Integer, nullable=False, default=14, server_default="14"
    )
    one_mentor_at_a_time: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default="true"
    )
    apply_runs_as: Mapped[str] = mapped_column(
        String(20), nullable=False, default="requests", server_default="requests"
    )
    # Progress policies (see services.progress): overrides of the health flags' thresholds
    # (names of `services.progress.health.Thresholds`; the defaults apply to the rest), and
    # after how many days without a held meeting or a check-in a mentorship is closed (none: it
    # is only warned about).
    health_thresholds: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, default=dict, server_default="{}"
    )
    close_inactive_after_days: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        PgUUID(as_uuid=True), ForeignKey("profiles.users.id", ondelete="SET NULL")
    )


class ProgramParticipant(Base, TenantScoped):
    __tablename__ = "program_participants"
    __table_args__ = (
        UniqueConstraint("program_id", "user_id", "role"),
        Index("ix_program_participants_user", "tenant_id", "user_id"),
        {"schema": "profiles"},
    )

    program_id: Mapped[uuid.UUID] = mapped_column(
        PgUUID(as_uuid=True), ForeignKey("profiles.programs.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        PgUUID(as_uuid=True), ForeignKey("profiles.users.id", ondelete="CASCADE"), nullable=False
    )
    role: Mapped[str] = mapped_column(String(10), nullable=False)
