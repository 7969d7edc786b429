"""Tables the proposals service owns."""

import uuid

from sqlalchemy import Boolean, Index, String
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.orm import Mapped, mapped_column

from services.core.models import Base, TenantScoped


class MentorshipRequest(Base, TenantScoped):
    """A mentee's request to a mentor, from draft to a final state."""

    __tablename__ = "requests"
    __table_args__ = (
        Index("ix_requests_mentee", "tenant_id", "mentee_id", "created_at"),
        Index("ix_requests_mentor", "tenant_id", "mentor_id", "created_at"),
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
