"""Groups as the identity provider pushed them, and their members."""

import uuid

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.orm import Mapped, mapped_column

from services.core.models import Base, TenantScoped


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
