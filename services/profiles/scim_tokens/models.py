"""SCIM bearer tokens; only a hash of each is kept."""

import uuid
from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.orm import Mapped, mapped_column

from services.core.models import Base, TenantScoped


class ScimToken(Base, TenantScoped):
    """A bearer token an identity provider uses for /scim/v2; only its hash is kept."""

    __tablename__ = "scim_tokens"
    __table_args__ = {"schema": "platform"}  # noqa: RUF012 - SQLAlchemy reads it from the class

    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    prefix: Mapped[str] = mapped_column(String(16), nullable=False)
    created_by: Mapped[uuid.UUID | None] = mapped_column(PgUUID(as_uuid=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
