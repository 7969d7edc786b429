"""Every SQL statement of the progress service (commands.py holds the ones other services call)."""

import uuid

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.pagination import PageParams, paginate
from services.progress.models import Goal, Mentorship


async def list_mentorships(
    session: AsyncSession,
    params: PageParams,
    *,
    participant_id: uuid.UUID | None = None,
    status: str | None = None,
) -> tuple[list[Mentorship], str | None]:
    """Mentorships, newest first; with `participant_id`, only those that user is mentee or
    mentor of."""
    stmt = select(Mentorship)
    if participant_id is not None:
        stmt = stmt.where(
            or_(Mentorship.mentee_id == participant_id, Mentorship.mentor_id == participant_id)
        )
    if status is not None:
        stmt = stmt.where(Mentorship.status == status)
    return await paginate(session, stmt, Mentorship, params)


async def get_mentorship(session: AsyncSession, mentorship_id: uuid.UUID) -> Mentorship | None:
    mentorship: Mentorship | None = await session.get(Mentorship, mentorship_id)
    return mentorship


async def list_goals(
    session: AsyncSession, mentorship_id: uuid.UUID, params: PageParams
) -> tuple[list[Goal], str | None]:
    """A mentorship's goals, newest first."""
    stmt = select(Goal).where(Goal.mentorship_id == mentorship_id)
    return await paginate(session, stmt, Goal, params)
