"""Tables for provisioning people from outside: SCIM tokens and groups, and bulk imports."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
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


class ScimGroup(Base, TenantScoped):
    """A group as the identity provider pushed it. It grants a role (`role` alone) or a place
    in a program (`program_id` and `role` mentor or mentee) to its members."""

    __tablename__ = "scim_groups"
    __table_args__ = (
        UniqueConstraint("tenant_id", "display_name"),
        {"schema": "profiles"},
    )

    display_name: Mapped[str] = mapped_column(String(200), nullable=False)
    external_id: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str | None] = mapped_column(String(10))
    program_id: Mapped[uuid.UUID | None] = mapped_column(
        PgUUID(as_uuid=True), ForeignKey("profiles.programs.id", ondelete="SET NULL")
    )


class ScimGroupMember(Base, TenantScoped):
    __tablename__ = "scim_group_members"
    __table_args__ = (
        UniqueConstraint("group_id", "user_id"),
        {"schema": "profiles"},
    )

    group_id: Mapped[uuid.UUID] = mapped_column(
        PgUUID(as_uuid=True),
        ForeignKey("profiles.scim_groups.id", ondelete="CASCADE"),
        nullable=False,
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        PgUUID(as_uuid=True), ForeignKey("profiles.users.id", ondelete="CASCADE"), nullable=False
    )


class Import(Base, TenantScoped):
    """A bulk import of users with profiles from an HR export, processed by a worker."""

    __tablename__ = "imports"
    __table_args__ = {"schema": "profiles"}  # noqa: RUF012 - SQLAlchemy reads it from the class

    created_by: Mapped[uuid.UUID] = mapped_column(PgUUID(as_uuid=True), nullable=False)
    status: Mapped[str] = mapped_column(
        String(20), nullable=False, default="queued", server_default="queued"
    )
    format: Mapped[str] = mapped_column(String(10), nullable=False)
    # The uploaded file, kept until the import has run.
    source: Mapped[bytes | None] = mapped_column(LargeBinary)
    total: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    done: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    created: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    updated: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    errors: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, nullable=False, default=list, server_default=text("'[]'::jsonb")
    )
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
