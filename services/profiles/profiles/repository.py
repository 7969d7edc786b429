"""Every SQL statement over profiles (mentor search is mentors/repository.py)."""

import uuid
from collections.abc import Mapping
from typing import Any, Final

from sqlalchemy import bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.dialects.postgresql import UUID as PgUUID
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


# Each mentor gets what they want or what they have left, whichever is less, in one statement:
# the rows are locked (in id order, so two batches cannot deadlock) before the places left are
# read, so a concurrent accept is counted, never overtaken.
_TAKE_PLACES = text(
    """
    WITH wanted AS (
        SELECT w.user_id, w.wanted
        FROM unnest(CAST(:mentor_ids AS uuid[]), CAST(:wanted AS integer[]))
             AS w(user_id, wanted)
        WHERE w.wanted > 0
    ), locked AS (
        SELECT p.id, LEAST(wanted.wanted, p.mentor_capacity - p.active_mentees) AS taken
        FROM profiles.profiles AS p
        JOIN wanted ON wanted.user_id = p.user_id
        WHERE p.tenant_id = CAST(:tenant_id AS uuid)
          AND p.is_mentor
          AND p.active_mentees < p.mentor_capacity
        ORDER BY p.id
        FOR UPDATE OF p
    )
    UPDATE profiles.profiles AS p
    SET active_mentees = p.active_mentees + locked.taken, updated_at = now()
    FROM locked
    WHERE p.id = locked.id
    RETURNING p.user_id, locked.taken
    """
).bindparams(bindparam("mentor_ids", type_=ARRAY(PgUUID(as_uuid=True))))
# A batch's statement carries two arrays of this length (one parameter each).
_PLACES_BATCH: Final = 5_000


async def take_places(
    session: AsyncSession, tenant_id: uuid.UUID, wanted: Mapping[uuid.UUID, int]
) -> dict[uuid.UUID, int]:
    """Places taken by mentor: `wanted` of each, or what they have left (see `_TAKE_PLACES`)."""
    items = list(wanted.items())
    taken: dict[uuid.UUID, int] = {}
    for start in range(0, len(items), _PLACES_BATCH):
        batch = items[start : start + _PLACES_BATCH]
        rows = await session.execute(
            _TAKE_PLACES,
            {
                "tenant_id": tenant_id,
                "mentor_ids": [mentor_id for mentor_id, _ in batch],
                "wanted": [count for _, count in batch],
            },
        )
        taken |= {user_id: int(count) for user_id, count in rows.all() if count > 0}
    return taken
