"""Read-only queries other services may use; they never import the progress models directly."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.progress.commands import RUNNING_STATUSES
from services.progress.models import Mentorship


async def active_mentor_ids(
    session: AsyncSession, tenant_id: uuid.UUID, mentee_id: uuid.UUID
) -> set[uuid.UUID]:
    """The mentors this mentee is in a running mentorship with (active or paused), on hold
    or not."""
    rows = await session.scalars(
        select(Mentorship.mentor_id).where(
            Mentorship.tenant_id == tenant_id,
            Mentorship.mentee_id == mentee_id,
            Mentorship.status.in_(RUNNING_STATUSES),
        )
    )
    return set(rows)
