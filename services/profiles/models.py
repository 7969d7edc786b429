"""Tables the profiles service owns: tenants (platform schema), users, programs, participants,
profiles and tenant-local skills."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
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
    # Set when the identity provider deleted the account over SCIM (it is then also inactive).
    scim_deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # What the identity provider sent beyond the columns above (name parts, emails, phone
    # numbers, enterprise attributes), kept so SCIM reads return what it wrote.
    scim_attributes: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, default=dict, server_default=text("'{}'::jsonb")
    )


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


class ProgramParticipant(Base, TenantScoped):
    __tablename__ = "program_participants"
    __table_args__ = (
        UniqueConstraint("program_id", "user_id", "role"),
        Index("ix_program_participants_user", "tenant_id", "user_id"),
        {"schema": "profiles"},
    )

    program_id: Mapped[uuid.UUID] = mapped_column(
        PgUUID(as_uuid=True), ForeignKey("profiles.programs.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        PgUUID(as_uuid=True), ForeignKey("profiles.users.id", ondelete="CASCADE"), nullable=False
    )
    role: Mapped[str] = mapped_column(String(10), nullable=False)


class Profile(Base, TenantScoped, Versioned):
    """What a person tells about themselves, as matching and search need it.

    Nested parts live in JSONB as the API shows them; what search filters on is also kept in
    flat, indexed columns, derived on every write. The search indexes hold mentors only (the
    only rows search reads), so their size follows the mentors, not every profile stored.
    """

    __tablename__ = "profiles"
    __table_args__ = (
        UniqueConstraint("user_id"),
        Index(
            "ix_profiles_expertise_keys",
            "expertise_keys",
            postgresql_using="gin",
            postgresql_where=text("is_mentor"),
        ),
        Index(
            "ix_profiles_industry_keys",
            "industry_keys",
            postgresql_using="gin",
            postgresql_where=text("is_mentor"),
        ),
        Index(
            "ix_profiles_language_keys",
            "language_keys",
            postgresql_using="gin",
            postgresql_where=text("is_mentor"),
        ),
        Index(
            "ix_profiles_value_keys",
            "value_keys",
            postgresql_using="gin",
            postgresql_where=text("is_mentor"),
        ),
        Index(
            "ix_profiles_search_vector",
            "search_vector",
            postgresql_using="gin",
            postgresql_where=text("is_mentor"),
        ),
        Index(
            "ix_profiles_mentors",
            "tenant_id",
            "created_at",
            "id",
            postgresql_where=text("is_mentor"),
        ),
        CheckConstraint("mentor_capacity BETWEEN 0 AND 50", name="mentor_capacity_range"),
        CheckConstraint("active_mentees >= 0", name="active_mentees_not_negative"),
        {"schema": "profiles"},
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        PgUUID(as_uuid=True), ForeignKey("profiles.users.id", ondelete="CASCADE"), nullable=False
    )
    headline: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    bio: Mapped[str] = mapped_column(Text, nullable=False, default="")
    timezone: Mapped[str | None] = mapped_column(String(64))
    years_experience: Mapped[int | None] = mapped_column(Integer)
    seniority: Mapped[str | None] = mapped_column(String(20))
    # The body as the API shows it (lists and nested objects).
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)

    # Derived on write, for search and matching.
    is_mentor: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    accepting_requests: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    mentor_capacity: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    openness: Mapped[float | None] = mapped_column(Float)
    # Maintained by the proposals and progress services through `commands.py`.
    active_mentees: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, server_default="0"
    )
    expertise_keys: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list)
    learning_keys: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list)
    industry_keys: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list)
    language_keys: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list)
    value_keys: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list)
    search_text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    search_vector: Mapped[str] = mapped_column(
        TSVECTOR, Computed("to_tsvector('english'::regconfig, search_text)", persisted=True)
    )
    completeness: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class TenantSkill(Base, TenantScoped):
    """A skill someone in this organisation named that the shared vocabulary does not know."""

    __tablename__ = "tenant_skills"
    __table_args__ = (
        UniqueConstraint("tenant_id", "key"),
        {"schema": "profiles"},
    )

    key: Mapped[str] = mapped_column(Text, nullable=False)
    name: Mapped[str] = mapped_column(String(80), nullable=False)
