"""Commands other services call inside their own transaction: a mentor's places.

`active_mentees` is read-only through the API; accepting a request takes a place and ending a
mentorship gives it back. The check and the change are one UPDATE, so two accepts racing for the
last place never both win.
"""

import uuid
from collections.abc import Mapping

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from services.profiles.profiles import repository
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


async def take_mentor_places(
    session: AsyncSession, tenant_id: uuid.UUID, wanted: Mapping[uuid.UUID, int]
) -> dict[uuid.UUID, int]:
    """Take places of many mentors at once, as `take_mentor_place` does one: `wanted` places
    of each, or as many as they have left. Returns the places taken by mentor (a mentor with
    none left, or who is not a mentor, is not in it)."""
    return await repository.take_places(
        session, tenant_id, {mentor_id: count for mentor_id, count in wanted.items() if count > 0}
    )


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


async def record_response_stats(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    mentor_id: uuid.UUID,
    median_hours: float | None,
    acceptance_rate: float | None,
    count: int,
) -> None:
    """Keep a mentor's measured responsiveness, as the proposals service computed it from their
    requests: the median hours to a first answer, the share of decided requests they accepted,
    and how many answered requests the figures rest on. The profile's version stays: these are
    not the mentor's writing, so they never make the mentor's own edit stale."""
    await session.execute(
        update(Profile)
        .where(Profile.tenant_id == tenant_id, Profile.user_id == mentor_id)
        .values(
            response_median_hours=median_hours,
            acceptance_rate=acceptance_rate,
            responses_count=count,
        )
        .execution_options(synchronize_session=False)
    )
