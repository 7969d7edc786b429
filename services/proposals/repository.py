"""Every SQL statement of the proposals service (commands.py holds the ones other services call)."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.pagination import PageParams, paginate
from services.proposals.models import MentorshipRequest


async def list_requests(
    session: AsyncSession,
    params: PageParams,
    *,
    mentee_id: uuid.UUID | None = None,
    mentor_id: uuid.UUID | None = None,
    status: str | None = None,
) -> tuple[list[MentorshipRequest], str | None]:
    stmt = select(MentorshipRequest)
    if mentee_id is not None:
        stmt = stmt.where(MentorshipRequest.mentee_id == mentee_id)
    if mentor_id is not None:
        stmt = stmt.where(MentorshipRequest.mentor_id == mentor_id)
    if status is not None:
        stmt = stmt.where(MentorshipRequest.status == status)
    return await paginate(session, stmt, MentorshipRequest, params)
