"""Every SQL statement over profiles (mentor search is mentors/repository.py)."""

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.profiles.profiles.models import Profile
from services.profiles.users.models import User


async def user_with_profile(
    session: AsyncSession, user_id: uuid.UUID
) -> tuple[User, Profile | None] | None:
    """The active user and their profile (None if not written yet)."""
    stmt = (
        select(User, Profile)
        .outerjoin(Profile, Profile.user_id == User.id)
        .where(User.id == user_id, User.active)
    )
    row = (await session.execute(stmt)).first()
    if row is None:
        return None
    return row[0], row[1]


async def locked_profile(session: AsyncSession, profile_id: uuid.UUID) -> Profile | None:
    """The profile as it is once locked to the end of the transaction, even if this session
    read it before."""
    profile: Profile | None = await session.scalar(
        select(Profile)
        .where(Profile.id == profile_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return profile


async def create_profile(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, columns: dict[str, Any]
) -> Profile | None:
    """The user's first profile, at version 1; None if one exists already. A concurrent first
    write makes this wait for it to commit, then find the profile there."""
    profile: Profile | None = await session.scalar(
        insert(Profile)
        .values(id=uuid.uuid4(), tenant_id=tenant_id, user_id=user_id, **columns)
        .on_conflict_do_nothing(index_elements=["user_id"])
        .returning(Profile)
    )
    return profile


async def existing_user_ids(session: AsyncSession, user_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these ids are users of the session's tenant (active or not)."""
    if not user_ids:
        return set()
    return set(await session.scalars(select(User.id).where(User.id.in_(user_ids))))
