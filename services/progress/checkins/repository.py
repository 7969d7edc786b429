"""Every SQL statement about check-ins."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.pagination import PageParams, paginate
from services.progress.checkins.models import CheckIn


async def list_check_ins(
    session: AsyncSession, mentorship_id: uuid.UUID, params: PageParams
) -> tuple[list[CheckIn], str | None]:
    """A mentorship's check-ins, newest first."""
    stmt = select(CheckIn).where(CheckIn.mentorship_id == mentorship_id)
    return await paginate(session, stmt, CheckIn, params)


async def get_check_in(
    session: AsyncSession, mentorship_id: uuid.UUID, check_in_id: uuid.UUID
) -> CheckIn | None:
    stmt = select(CheckIn).where(CheckIn.id == check_in_id, CheckIn.mentorship_id == mentorship_id)
    check_in: CheckIn | None = await session.scalar(stmt)
    return check_in
