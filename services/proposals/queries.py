"""Read-only queries other services may use; they never import the proposals models directly."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.proposals.commands import OPEN_STATUSES
from services.proposals.models import MentorshipRequest


async def open_mentor_ids(
    session: AsyncSession, tenant_id: uuid.UUID, mentee_id: uuid.UUID
) -> set[uuid.UUID]:
    """The mentors this mentee has an open request with (draft, pending or countered), on hold
    or not: a held request still stands between the two and comes back when released."""
    rows = await session.scalars(
        select(MentorshipRequest.mentor_id).where(
            MentorshipRequest.tenant_id == tenant_id,
            MentorshipRequest.mentee_id == mentee_id,
            MentorshipRequest.status.in_(OPEN_STATUSES),
        )
    )
    return set(rows)
