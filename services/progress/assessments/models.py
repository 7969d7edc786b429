"""A mentorship's last computed health (`services.progress.health`), kept so a read never
cleared flag is announced once."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.orm import Mapped, mapped_column

from services.core.models import Base, TenantScoped


class MentorshipHealth(Base, TenantScoped):
    __tablename__ = "mentorship_health"
    __table_args__ = ({"schema": "progress"},)

    mentorship_id: Mapped[uuid.UUID] = mapped_column(
        PgUUID(as_uuid=True),
        ForeignKey("progress.mentorships.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    )
    score: Mapped[int] = mapped_column(Integer, nullable=False)
    flags: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False)
    strengths: Mapped[list[str]] = mapped_column(JSONB, nullable=False)
    # The flags raised, by kind: what the next computation compares with.
    flag_kinds: Mapped[list[str]] = mapped_column(ARRAY(String(40)), nullable=False)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    # The latest activity (a meeting, a check-in, an evaluation...) it has seen: a read finds
    # it stale when something happened since.
    stale_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
