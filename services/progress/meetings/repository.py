"""Every SQL statement about meetings."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.pagination import PageParams, paginate
from services.progress.meetings.models import Meeting


async def list_meetings(
    session: AsyncSession, mentorship_id: uuid.UUID, params: PageParams, status: str | None
) -> tuple[list[Meeting], str | None]:
    """A mentorship's meetings, newest first."""
    stmt = select(Meeting).where(Meeting.mentorship_id == mentorship_id)
    if status is not None:
        stmt = stmt.where(Meeting.status == status)
    return await paginate(session, stmt, Meeting, params)


async def get_meeting(
    session: AsyncSession,
    mentorship_id: uuid.UUID,
    meeting_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> Meeting | None:
    stmt = select(Meeting).where(Meeting.id == meeting_id, Meeting.mentorship_id == mentorship_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    meeting: Meeting | None = await session.scalar(stmt)
    return meeting


async def meetings_by_time(
    session: AsyncSession, mentorship_id: uuid.UUID, statuses: tuple[str, ...]
) -> list[Meeting]:
    """A mentorship's meetings in these statuses, earliest first (the calendar's)."""
    stmt = (
        select(Meeting)
        .where(Meeting.mentorship_id == mentorship_id, Meeting.status.in_(statuses))
        .order_by(Meeting.starts_at, Meeting.id)
    )
    return list((await session.scalars(stmt)).all())
