"""The users table: the people of a tenant, their roles and whether they may sign in."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    event,
    func,
    inspect,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.orm import Mapped, Session, mapped_column

from services.core.models import Base, TenantScoped, Versioned
from services.core.user_state import forget_after_commit


class User(Base, TenantScoped, Versioned):
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
    # The userName the identity provider gave the account over SCIM, as sent: an email, an
    # Okta login format, Entra's mailNickname or employeeId. Null for accounts SCIM never
    # wrote, whose userName reads as their email.
    scim_user_name: Mapped[str | None] = mapped_column(String(320))
    # Set when the identity provider deleted the account over SCIM (it is then also inactive).
    scim_deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # What the identity provider sent beyond the columns above (name parts, emails, phone
    # numbers, enterprise attributes), kept so SCIM reads return what it wrote.
    scim_attributes: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, default=dict, server_default=text("'{}'::jsonb")
    )
    # The person's manager, where known (SCIM's enterprise `manager`, or an admin): matching
    # never pairs someone with their manager. Indexed so a manager's removal finds the reports.
    manager_id: Mapped[uuid.UUID | None] = mapped_column(
        PgUUID(as_uuid=True), ForeignKey("profiles.users.id", ondelete="SET NULL"), index=True
    )


# userName is case-insensitive (RFC 7643 section 4.1.1): "Ada" and "ada" are one user, and only
# the database sees racing creates of both in time.
Index(
    "uq_users_tenant_id_lower_scim_user_name",
    User.tenant_id,
    func.lower(User.scim_user_name),
    unique=True,
)
# What a SCIM `userName eq` filter and the lookup before a create compare (accounts SCIM never
# wrote read their email as userName), so neither scans the tenant's users.
Index(
    "ix_users_tenant_id_lower_user_name",
    User.tenant_id,
    func.lower(func.coalesce(User.scim_user_name, User.email)),
)


# What a request's authority is built from (`services.core.principal`).
_AUTHORITY_COLUMNS = ("tenant_id", "roles", "active", "email")


@event.listens_for(Session, "before_flush")
def _forget_changed_authority(session: Session, _context: Any, _instances: Any) -> None:
    """Whatever code changes a user's roles, active flag, email or tenant through the ORM, the
    cached state is dropped once it commits, so the user's next request sees the change."""
    changed = [
        user.id
        for user in session.dirty
        if isinstance(user, User)
        and any(inspect(user).attrs[name].history.has_changes() for name in _AUTHORITY_COLUMNS)
    ]
    changed += [user.id for user in session.deleted if isinstance(user, User)]
    if changed:
        forget_after_commit(session, changed)
