"""The tenants table (platform schema): one row per organisation."""

from typing import Any

from sqlalchemy import String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.core.models import Base, Timestamped, Versioned


class Tenant(Base, Timestamped, Versioned):
    """An organisation. Its id is the tenant_id of every row it owns."""

    __tablename__ = "tenants"
    __table_args__ = {"schema": "platform"}  # noqa: RUF012 - SQLAlchemy reads it from the class

    slug: Mapped[str] = mapped_column(String(63), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    settings: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, default=dict, server_default=text("'{}'::jsonb")
    )
