"""Commands other services call inside their own transaction: a mentor's places.

`active_mentees` is read-only through the API; accepting a request takes a place and ending a
mentorship gives it back. The check and the change are one UPDATE, so two accepts racing for the
last place never both win.
"""

import uuid

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from services.profiles.profiles.models import Profile


async def take_mentor_place(
    session: AsyncSession, tenant_id: uuid.UUID, mentor_id: uuid.UUID
) -> bool:
    """Take one place of the mentor's capacity; False when none is left (or not a mentor)."""
    taken = await session.scalar(
        update(Profile)
        .where(
            Profile.tenant_id == tenant_id,
            Profile.user_id == mentor_id,
            Profile.is_mentor,
            Profile.active_mentees < Profile.mentor_capacity,
        )
        .values(active_mentees=Profile.active_mentees + 1)
        .returning(Profile.id)
        .execution_options(synchronize_session=False)
    )
    return taken is not None


async def release_mentor_place(
    session: AsyncSession, tenant_id: uuid.UUID, mentor_id: uuid.UUID
) -> None:
    """Give a place back when a mentorship ends; never below zero."""
    await session.execute(
        update(Profile)
        .where(
            Profile.tenant_id == tenant_id,
            Profile.user_id == mentor_id,
            Profile.active_mentees > 0,
        )
        .values(active_mentees=Profile.active_mentees - 1)
        .execution_options(synchronize_session=False)
    )
