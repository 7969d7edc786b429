"""Every SQL statement over profiles (mentor search is mentors/repository.py)."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.profiles.profiles.models import Profile
from services.profiles.users.models import User


async def user_with_profile(
    session: AsyncSession, user_id: uuid.UUID, *, for_update: bool = False
) -> tuple[User, Profile | None] | None:
    """The active user and their profile (None if not written yet); with `for_update` the
    user's row is locked to the end of the transaction."""
    stmt = (
        select(User, Profile)
        .outerjoin(Profile, Profile.user_id == User.id)
        .where(User.id == user_id, User.active)
    )
    if for_update:
        stmt = stmt.with_for_update(of=User)
    row = (await session.execute(stmt)).first()
    if row is None:
        return None
    return row[0], row[1]
