"""Tables the proposals service owns."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.orm import Mapped, mapped_column

from services.core.models import Base, TenantScoped, Versioned

# A request still in play: it stands between the two people until it reaches a final state.
OPEN_STATUSES = ("draft", "pending", "countered")
# Waiting for the other side: these expire.
WAITING_STATUSES = ("pending", "countered")


class MentorshipRequest(Base, TenantScoped, Versioned):
    """A mentee's request to a mentor, from draft to a final state (see `lifecycle.py`)."""

    __tablename__ = "requests"
    __table_args__ = (
        Index("ix_requests_mentee", "tenant_id", "mentee_id", "created_at"),
        Index("ix_requests_mentor", "tenant_id", "mentor_id", "created_at"),
        # A program's report reads its requests.
        Index("ix_requests_program", "tenant_id", "program_id"),
        # One open request per mentee and mentor: a second is refused by the database, so
        # two tabs sending at once cannot both create one.
        Index(
            "uq_requests_open_pair",
            "tenant_id",
            "mentee_id",
            "mentor_id",
            unique=True,
            postgresql_where=text("status IN ('draft', 'pending', 'countered')"),
        ),
        # The expiry and reminder sweep, across tenants: only requests still waiting.
        Index(
            "ix_requests_waiting",
            "expires_at",
            postgresql_where=text("status IN ('pending', 'countered')"),
        ),
        # A mentor's response figures: their answered requests, newest first.
        Index(
            "ix_requests_mentor_responded",
            "tenant_id",
            "mentor_id",
            "responded_at",
            postgresql_where=text("responded_at IS NOT NULL"),
        ),
        {"schema": "proposals"},
    )

    mentee_id: Mapped[uuid.UUID] = mapped_column(PgUUID(as_uuid=True), nullable=False)
    mentor_id: Mapped[uuid.UUID] = mapped_column(PgUUID(as_uuid=True), nullable=False)
    program_id: Mapped[uuid.UUID | None] = mapped_column(PgUUID(as_uuid=True))
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="draft")
    # True while a participant's account is deactivated; the status is kept as it was.
    on_hold: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default="false"
    )
    # The draft, as the mentee wrote it (see schemas.RequestDraft).
    message: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")
    goals: Mapped[list[str]] = mapped_column(
        JSONB, nullable=False, default=list, server_default=text("'[]'::jsonb")
    )
    objectives: Mapped[list[str]] = mapped_column(
        JSONB, nullable=False, default=list, server_default=text("'[]'::jsonb")
    )
    questions: Mapped[list[str]] = mapped_column(
        JSONB, nullable=False, default=list, server_default=text("'[]'::jsonb")
    )
    # {"interval_days", "session_minutes"}
    cadence: Mapped[dict[str, int] | None] = mapped_column(JSONB)
    duration_months: Mapped[int | None] = mapped_column(Integer)
    # [{"start", "end"}] as RFC 3339 strings
    meeting_options: Mapped[list[dict[str, str]]] = mapped_column(
        JSONB, nullable=False, default=list, server_default=text("'[]'::jsonb")
    )
    contribution: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")
    # The review's score when the request was sent.
    review_score: Mapped[int | None] = mapped_column(Integer)
    # The mentor's counter-proposal: {"cadence"?, "duration_months"?, "message"}.
    counter: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    decline_reason: Mapped[str | None] = mapped_column(String(30))
    decline_message: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When the mentor first answered (accept, decline or counter): their response time.
    responded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # How many reminders whoever must answer has had in this wait (the sweep sends each once;
    # a counter starts them over for the mentee).
    reminders_sent: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, server_default="0"
    )
    # The mentorship an acceptance created.
    mentorship_id: Mapped[uuid.UUID | None] = mapped_column(PgUUID(as_uuid=True))
    # The cohort run whose assignment this request came from, if any.
    run_id: Mapped[uuid.UUID | None] = mapped_column(PgUUID(as_uuid=True))


class RequestTransition(Base, TenantScoped):
    """One step of a request's history: who moved it, when, from what to what, and why.
    `actor_id` is None when the platform acted (expiry, a withdrawal on acceptance elsewhere)."""

    __tablename__ = "request_transitions"
    __table_args__ = (
        Index("ix_request_transitions_request", "request_id", "created_at"),
        {"schema": "proposals"},
    )

    request_id: Mapped[uuid.UUID] = mapped_column(
        PgUUID(as_uuid=True),
        ForeignKey("proposals.requests.id", ondelete="CASCADE"),
        nullable=False,
    )
    actor_id: Mapped[uuid.UUID | None] = mapped_column(PgUUID(as_uuid=True))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
