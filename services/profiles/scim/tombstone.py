"""Users deleted through SCIM. A SCIM DELETE deactivates the account and keeps its rows
(mentorships and history refer to it), yet the identity provider must then see the user as
gone (404), unlike a user it merely deactivated (active=false, still readable):
`users.scim_deleted_at` tells the two apart."""

import uuid

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.models import utcnow
from services.profiles.users.models import User


def live_user() -> ColumnElement[bool]:
    """Rows of `User` the identity provider has not deleted."""
    return User.scim_deleted_at.is_(None)


async def is_deleted(session: AsyncSession, user_id: uuid.UUID) -> bool:
    deleted_at = await session.scalar(select(User.scim_deleted_at).where(User.id == user_id))
    return deleted_at is not None


async def mark_deleted(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.execute(
        update(User)
        .where(User.id == user_id)
        .values(scim_deleted_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )


async def clear_deleted(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.execute(
        update(User)
        .where(User.id == user_id)
        .values(scim_deleted_at=None)
        .execution_options(synchronize_session="fetch")
    )
