"""Every SQL statement of milestones."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.pagination import PageParams, paginate
from services.progress.milestones.models import Milestone


async def list_milestones(
    session: AsyncSession, mentorship_id: uuid.UUID, params: PageParams
) -> tuple[list[Milestone], str | None]:
    """A mentorship's milestones, newest first."""
    stmt = select(Milestone).where(Milestone.mentorship_id == mentorship_id)
    return await paginate(session, stmt, Milestone, params)


async def get_milestone(
    session: AsyncSession, mentorship_id: uuid.UUID, milestone_id: uuid.UUID
) -> Milestone | None:
    stmt = select(Milestone).where(
        Milestone.id == milestone_id, Milestone.mentorship_id == mentorship_id
    )
    milestone: Milestone | None = await session.scalar(stmt)
    return milestone
