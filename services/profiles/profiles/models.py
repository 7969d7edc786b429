"""Profiles: what a person writes about themselves, and the columns search reads."""

import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
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

from services.core.models import Base, TenantScoped, Versioned


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
        # The matching change feed (services.profiles.queries.matching_changes).
        Index("ix_profiles_tenant_id_changed_xid", "tenant_id", "changed_xid"),
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
    # A mentor's measured responsiveness, kept by the proposals service as they answer
    # requests (`commands.record_response_stats`): the median hours from a request's sending to
    # their answer, the share of answered-or-expired requests they accepted, and how many
    # requests the figures rest on.
    response_median_hours: Mapped[float | None] = mapped_column(Float)
    acceptance_rate: Mapped[float | None] = mapped_column(Float)
    responses_count: Mapped[int] = mapped_column(
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
    # The transaction that last changed what matching reads about this person (this row, the
    # user's active/roles/name/manager, their programs), set by triggers (migration 0014) on
    # every write path; never written by the ORM.
    changed_xid: Mapped[int] = mapped_column(
        BigInteger,
        nullable=False,
        server_default=text("(pg_current_xact_id()::text)::bigint"),
    )
