"""Every SQL statement of goals and their revisions."""

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.pagination import PageParams, paginate
from services.progress.goals.models import Goal, GoalRevision


async def list_goals(
    session: AsyncSession, mentorship_id: uuid.UUID, params: PageParams
) -> tuple[list[Goal], str | None]:
    """A mentorship's goals, newest first."""
    stmt = select(Goal).where(Goal.mentorship_id == mentorship_id)
    return await paginate(session, stmt, Goal, params)


async def get_goal(
    session: AsyncSession, mentorship_id: uuid.UUID, goal_id: uuid.UUID, *, for_update: bool = False
) -> Goal | None:
    """The goal when it is one of this mentorship's."""
    stmt = select(Goal).where(Goal.id == goal_id, Goal.mentorship_id == mentorship_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    goal: Goal | None = await session.scalar(stmt)
    return goal


async def count_goals(session: AsyncSession, mentorship_id: uuid.UUID) -> int:
    stmt = select(func.count()).select_from(Goal).where(Goal.mentorship_id == mentorship_id)
    return int(await session.scalar(stmt) or 0)


async def list_revisions(
    session: AsyncSession, goal_id: uuid.UUID, params: PageParams
) -> tuple[list[GoalRevision], str | None]:
    """A goal's revisions, newest first."""
    stmt = select(GoalRevision).where(GoalRevision.goal_id == goal_id)
    return await paginate(session, stmt, GoalRevision, params)
