"""Tables the profiles service owns: tenants (platform schema), users and programs."""

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.orm import Mapped, mapped_column

from services.core.models import Base, TenantScoped, Timestamped, Versioned


class Tenant(Base, Timestamped, Versioned):
    """An organisation. Its id is the tenant_id of every row it owns."""

    __tablename__ = "tenants"
    __table_args__ = {"schema": "platform"}  # noqa: RUF012 - SQLAlchemy reads it from the class

    slug: Mapped[str] = mapped_column(String(63), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    settings: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, default=dict, server_default=text("'{}'::jsonb")
    )


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
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        PgUUID(as_uuid=True), ForeignKey("profiles.users.id", ondelete="SET NULL")
    )
