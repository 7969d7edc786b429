"""Written check-ins: a short update from either side between meetings."""

import uuid

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.orm import Mapped, mapped_column

from services.core.models import Base, TenantScoped


class CheckIn(Base, TenantScoped):
    __tablename__ = "check_ins"
    __table_args__ = (
        Index("ix_check_ins_mentorship", "mentorship_id", "created_at"),
        {"schema": "progress"},
    )

    mentorship_id: Mapped[uuid.UUID] = mapped_column(
        PgUUID(as_uuid=True),
        ForeignKey("progress.mentorships.id", ondelete="CASCADE"),
        nullable=False,
    )
    author_id: Mapped[uuid.UUID] = mapped_column(PgUUID(as_uuid=True), nullable=False)
    summary: Mapped[str] = mapped_column(Text, nullable=False)
    next_steps: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")
    blockers: Mapped[str | None] = mapped_column(Text)
