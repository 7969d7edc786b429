"""The users table: the people of a tenant, their roles and whether they may sign in."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.core.models import Base, TenantScoped


class User(Base, TenantScoped):
    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("tenant_id", "email"),
        {"schema": "profiles"},
    )

    email: Mapped[str] = mapped_column(String(320), nullable=False)
    display_name: Mapped[str] = mapped_column(String(200), nullable=False)
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(20)), nullable=False, default=list)
    active: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default="true"
    )
    external_id: Mapped[str | None] = mapped_column(String(255))
    # Set when the identity provider deleted the account over SCIM (it is then also inactive).
    scim_deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # What the identity provider sent beyond the columns above (name parts, emails, phone
    # numbers, enterprise attributes), kept so SCIM reads return what it wrote.
    scim_attributes: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, default=dict, server_default=text("'{}'::jsonb")
    )
