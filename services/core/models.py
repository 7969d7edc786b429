"""Declarative base shared by every service, and the tenant-scoped row every table builds on."""

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Integer, MetaData, func
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SCHEMAS = ("platform", "profiles", "matching", "proposals", "progress")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_of(now: datetime | str | None) -> datetime:
    """The moment a job acts as of: the clock, or the moment an operator or a test gave it
    (through the queue as ISO 8601 text; without an offset, UTC)."""
    if now is None:
        return utcnow()
    moment = datetime.fromisoformat(now) if isinstance(now, str) else now
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Timestamped:
    # Timestamps are set in Python as well as by the server, so a flushed object never needs a
    # refresh round trip (and never lazy-loads under asyncio).
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now(), nullable=False
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True),
        default=utcnow,
        onupdate=utcnow,
        server_default=func.now(),
        nullable=False,
    )


class Versioned:
    """A row clients update with optimistic concurrency: its version is the ETag.

    The ORM owns the version: every UPDATE of the row sets `version = version + 1` and has
    `AND version = <the version loaded>` in its WHERE clause, so checking a client's If-Match
    and writing are one atomic statement. An UPDATE that finds the row moved on matches no row
    and raises StaleDataError, answered as 412 (see `services.core.etags`).
    """

    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class TenantScoped(Timestamped):
    """A row that belongs to exactly one tenant; `services.core.tenancy` filters every query."""

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True, nullable=False)
