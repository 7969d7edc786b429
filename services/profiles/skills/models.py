"""Skills a tenant's people typed that the shared vocabulary does not know."""

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.core.models import Base, TenantScoped


class TenantSkill(Base, TenantScoped):
    """A skill someone in this organisation named that the shared vocabulary does not know."""

    __tablename__ = "tenant_skills"
    __table_args__ = (
        UniqueConstraint("tenant_id", "key"),
        {"schema": "profiles"},
    )

    key: Mapped[str] = mapped_column(Text, nullable=False)
    name: Mapped[str] = mapped_column(String(80), nullable=False)
