"""Tables the progress service owns."""

import uuid

from sqlalchemy import Boolean, Index, String
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.orm import Mapped, mapped_column

from services.core.models import Base, TenantScoped


class Mentorship(Base, TenantScoped):
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
